//! The embedded transport passes the transport conformance suite.
use erasure_bus::conformance as suite;
use erasure_bus::embedded::EmbeddedTransport;
use erasure_bus::{BusError, Message, Transport};

#[tokio::test]
async fn delivers_key_payload_and_headers() {
    suite::delivers_key_payload_and_headers(&EmbeddedTransport::new(), "t.a").await;
}

#[tokio::test]
async fn transient_failure_is_delivered_again() {
    suite::transient_failure_is_delivered_again(&EmbeddedTransport::new(), "t.b").await;
}

#[tokio::test]
async fn topics_are_separate() {
    suite::topics_are_separate(&EmbeddedTransport::new(), "t.c", "t.d").await;
}

#[tokio::test]
async fn closed_subscription_receives_nothing() {
    suite::closed_subscription_receives_nothing(&EmbeddedTransport::new(), "t.e").await;
}

#[tokio::test]
async fn subscription_closed_while_live_receives_nothing_more() {
    suite::subscription_closed_while_live_receives_nothing_more(&EmbeddedTransport::new(), "t.f")
        .await;
}

#[tokio::test]
async fn send_without_subscriber_fails_so_the_sender_keeps_the_message() {
    let t = EmbeddedTransport::new();
    let err = t
        .send(Message::new("nobody", "k", vec![]))
        .await
        .expect_err("no subscriber");
    assert_eq!(err, BusError::NoSubscriber("nobody".into()));
    assert!(!err.is_permanent());
}
