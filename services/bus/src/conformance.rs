//! The conformance suite every [`Transport`] adapter passes.
//!
//! Semantics checked: a message sent is delivered, with its key, payload and headers, to
//! the topic's subscriber; a handler's transient failure leads to another delivery (the
//! sender retries on error, or the transport redelivers); nothing is delivered to another
//! topic; a closed subscription receives nothing more, whether or not it had started
//! receiving (a Kafka consumer needs seconds to join its group, so only a subscription that
//! has already received shows that closing stops it).

use crate::{BusError, Handler, HandlerError, Message, Transport};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Records what it receives; fails the first `fail_first` deliveries transiently.
#[derive(Debug, Default)]
pub struct Recorder {
    pub received: Mutex<Vec<Message>>,
    fail_first: Mutex<u32>,
}

impl Recorder {
    pub fn failing_first(n: u32) -> Arc<Self> {
        Arc::new(Self {
            received: Mutex::default(),
            fail_first: Mutex::new(n),
        })
    }

    pub fn messages(&self) -> Vec<Message> {
        self.received.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl Handler for Recorder {
    async fn handle(&self, message: Message) -> Result<(), HandlerError> {
        let mut fail = self
            .fail_first
            .lock()
            .map_err(|_| HandlerError::Transient("poisoned".into()))?;
        if *fail > 0 {
            *fail -= 1;
            return Err(HandlerError::Transient("injected failure".into()));
        }
        drop(fail);
        if let Ok(mut r) = self.received.lock() {
            r.push(message);
        }
        Ok(())
    }
}

/// Sends until the transport takes the message (bounded).
pub async fn send_until_ok(t: &dyn Transport, m: Message) -> Result<(), BusError> {
    let mut last = None;
    for _ in 0..50 {
        match t.send(m.clone()).await {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(last.unwrap_or(BusError::Unavailable("no attempt".into())))
}

/// Waits (bounded) until `recorder` holds at least `n` messages.
pub async fn wait_for(recorder: &Recorder, n: usize) -> Vec<Message> {
    for _ in 0..500 {
        let got = recorder.messages();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    recorder.messages()
}

fn sample(topic: &str, key: &str) -> Message {
    let mut m = Message::new(topic, key, vec![0, 1, 2, 255]);
    m.headers.push((
        "traceparent".into(),
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
    ));
    m
}

pub async fn delivers_key_payload_and_headers(t: &dyn Transport, topic: &str) {
    let rec = Recorder::failing_first(0);
    let _sub = t.subscribe(topic, rec.clone()).await.expect("subscribe");
    let m = sample(topic, "req-1");
    send_until_ok(t, m.clone()).await.expect("send");
    let got = wait_for(&rec, 1).await;
    assert_eq!(got.first(), Some(&m));
}

pub async fn transient_failure_is_delivered_again(t: &dyn Transport, topic: &str) {
    let rec = Recorder::failing_first(2);
    let _sub = t.subscribe(topic, rec.clone()).await.expect("subscribe");
    send_until_ok(t, sample(topic, "req-2"))
        .await
        .expect("send");
    let got = wait_for(&rec, 1).await;
    assert_eq!(got.len(), 1, "delivered once it succeeded");
    assert_eq!(got[0].key, "req-2");
}

pub async fn topics_are_separate(t: &dyn Transport, topic_a: &str, topic_b: &str) {
    let a = Recorder::failing_first(0);
    let b = Recorder::failing_first(0);
    let _sa = t.subscribe(topic_a, a.clone()).await.expect("subscribe a");
    let _sb = t.subscribe(topic_b, b.clone()).await.expect("subscribe b");
    send_until_ok(t, sample(topic_b, "only-b"))
        .await
        .expect("send");
    let got = wait_for(&b, 1).await;
    assert_eq!(got.len(), 1);
    assert!(a.messages().is_empty(), "topic a got a message of topic b");
}

pub async fn closed_subscription_receives_nothing(t: &dyn Transport, topic: &str) {
    let rec = Recorder::failing_first(0);
    let sub = t.subscribe(topic, rec.clone()).await.expect("subscribe");
    sub.close();
    let _ = t.send(sample(topic, "after-close")).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rec.messages().is_empty());
}

/// Closes a subscription that is demonstrably live (it has received), then sends again: the
/// second message must not reach it. The wait after sending exceeds a live consumer's
/// delivery latency, so a subscription that kept running would be caught.
pub async fn subscription_closed_while_live_receives_nothing_more(t: &dyn Transport, topic: &str) {
    let rec = Recorder::failing_first(0);
    let sub = t.subscribe(topic, rec.clone()).await.expect("subscribe");
    send_until_ok(t, sample(topic, "before-close"))
        .await
        .expect("send");
    assert_eq!(wait_for(&rec, 1).await.len(), 1, "live before close");
    sub.close();
    let _ = t.send(sample(topic, "after-close")).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let keys: Vec<String> = rec.messages().into_iter().map(|m| m.key).collect();
    assert_eq!(keys, ["before-close"]);
}
