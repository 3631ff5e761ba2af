//! The outbox as the relay uses it. Times are fixed numbers, not the wall clock: the
//! store compares `available_at_ms` with the `now_ms` it is given.

use super::{append_messages, batch, event, message};
use crate::{EventStore, NewOutboxMessage, Outbox};

/// Messages appear when their events commit, exactly as sent, with no attempts yet.
pub async fn outbox_messages_commit_with_their_events<S: EventStore + Outbox>(s: &S) {
    assert!(s.due(i64::MAX, 10, &[]).await.expect("due").is_empty());
    let sent = vec![message("m1", 100), message("m2", 200)];
    let events = vec![event("A", b""), event("B", b"")];
    s.append(batch("req-1", 0, events, sent.clone()))
        .await
        .expect("append");

    let due = s.due(i64::MAX, 10, &[]).await.expect("due");
    assert_eq!(due.len(), 2);
    assert_ne!(due[0].id, due[1].id, "ids are distinct");
    for (got, sent) in due.iter().zip(&sent) {
        assert_eq!(
            (
                &got.topic,
                &got.key,
                &got.payload,
                &got.headers,
                got.available_at_ms
            ),
            (
                &sent.topic,
                &sent.key,
                &sent.payload,
                &sent.headers,
                sent.available_at_ms
            )
        );
        assert_eq!(got.attempts, 0);
    }
    assert_eq!(s.pending().await.expect("pending"), 2);
}

/// `due` returns what is available at `now`, earliest first (oldest first among
/// equals), at most `limit`, without the excluded ids.
pub async fn due_respects_available_at_order_and_exclude<S: EventStore + Outbox>(s: &S) {
    let sent = vec![
        message("late", 3000),
        message("first", 1000),
        message("mid", 2000),
        message("second", 1000),
    ];
    let ids = append_messages(s, sent).await;
    let keys = |ms: Vec<crate::OutboxMessage>| ms.into_iter().map(|m| m.key).collect::<Vec<_>>();

    assert!(s.due(999, 10, &[]).await.expect("due").is_empty());
    assert_eq!(
        keys(s.due(1000, 10, &[]).await.expect("due")),
        ["first", "second"]
    );
    assert_eq!(
        keys(s.due(5000, 10, &[]).await.expect("due")),
        ["first", "second", "mid", "late"]
    );
    assert_eq!(
        keys(s.due(5000, 2, &[]).await.expect("due")),
        ["first", "second"]
    );
    assert_eq!(
        keys(s.due(5000, 2, &[ids[1]]).await.expect("due")),
        ["second", "mid"]
    );
    assert_eq!(
        keys(
            s.due(5000, 10, &[ids[1], ids[3], 999_999])
                .await
                .expect("due")
        ),
        ["mid", "late"]
    );
    assert!(s.due(5000, 0, &[]).await.expect("due").is_empty());
}

/// `retry_later` hides a message until its new time and counts the failed attempt.
pub async fn retry_later_delays_and_counts_attempts<S: EventStore + Outbox>(s: &S) {
    let ids = append_messages(s, vec![message("m", 1000)]).await;
    s.retry_later(ids[0], 5000).await.expect("retry_later");
    assert!(s.due(4999, 10, &[]).await.expect("due").is_empty());
    let due = s.due(5000, 10, &[]).await.expect("due");
    assert_eq!(
        (due[0].id, due[0].available_at_ms, due[0].attempts),
        (ids[0], 5000, 1)
    );
    assert_eq!(s.next_available_at().await.expect("next"), Some(5000));

    s.retry_later(ids[0], 6000).await.expect("retry_later");
    let due = s.due(6000, 10, &[]).await.expect("due");
    assert_eq!(due[0].attempts, 2);
    assert_eq!(
        s.pending().await.expect("pending"),
        1,
        "retrying keeps it pending"
    );
}

/// A delivered message is gone; delivering it again (a relay retrying) is harmless.
pub async fn delivered_removes_a_message<S: EventStore + Outbox>(s: &S) {
    let ids = append_messages(s, vec![message("a", 0), message("b", 0)]).await;
    s.delivered(ids[0]).await.expect("delivered");
    let due = s.due(i64::MAX, 10, &[]).await.expect("due");
    assert_eq!(due.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[1]]);
    assert_eq!(s.pending().await.expect("pending"), 1);
    s.delivered(ids[0])
        .await
        .expect("delivering twice is not an error");
    assert_eq!(s.pending().await.expect("pending"), 1);

    // Several at once, with one gone already: the others go, the rest stays.
    let sent = vec![message("c", 0), message("d", 0), message("e", 0)];
    s.append(batch("outbox-more", 0, vec![event("Sent", b"")], sent))
        .await
        .expect("append");
    let due = s.due(i64::MAX, 10, &[]).await.expect("due");
    let id = |key: &str| due.iter().find(|m| m.key == key).expect("due").id;
    let more = [id("c"), id("d"), id("e")];
    s.delivered_all(&[more[0], ids[0], more[2]])
        .await
        .expect("delivered together");
    let due = s.due(i64::MAX, 10, &[]).await.expect("due");
    assert_eq!(
        due.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ids[1], more[1]]
    );
    s.delivered_all(&[]).await.expect("nothing to deliver");
}

/// A dead letter leaves the waiting messages: not due, not pending, not next.
pub async fn dead_letter_removes_from_pending<S: EventStore + Outbox>(s: &S) {
    let ids = append_messages(s, vec![message("poison", 100), message("fine", 200)]).await;
    s.dead_letter(ids[0], "payload rejected by the broker")
        .await
        .expect("dead_letter");
    assert_eq!(s.pending().await.expect("pending"), 1);
    assert_eq!(s.next_available_at().await.expect("next"), Some(200));
    let due = s.due(i64::MAX, 10, &[]).await.expect("due");
    assert_eq!(
        due.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(),
        ["fine"]
    );
}

/// `pending` counts waiting messages, due or not; `next_available_at` is the earliest.
pub async fn pending_and_next_available_at<S: EventStore + Outbox>(s: &S) {
    assert_eq!(s.pending().await.expect("pending"), 0);
    assert_eq!(s.next_available_at().await.expect("next"), None);
    let ids = append_messages(s, vec![message("later", 9000), message("sooner", 4000)]).await;
    assert_eq!(s.pending().await.expect("pending"), 2);
    assert_eq!(s.next_available_at().await.expect("next"), Some(4000));
    s.delivered(ids[1]).await.expect("delivered");
    assert_eq!(s.next_available_at().await.expect("next"), Some(9000));
    s.delivered(ids[0]).await.expect("delivered");
    assert_eq!(s.pending().await.expect("pending"), 0);
    assert_eq!(s.next_available_at().await.expect("next"), None);
}

/// Headers keep order, duplicates, empty values and non-ASCII; payloads keep any bytes.
pub async fn headers_and_payloads_round_trip<S: EventStore + Outbox>(s: &S) {
    let pair = |n: &str, v: &str| (n.to_owned(), v.to_owned());
    let rich = NewOutboxMessage {
        headers: vec![
            pair("traceparent", "00-0af7-01"),
            pair("x-dup", "1"),
            pair("x-dup", "2"),
            pair("empty", ""),
            pair("nom", "Zoë \"✓\" [1,2]"),
        ],
        payload: vec![0, 0xff, b'[', 0],
        ..message("rich", 0)
    };
    let bare = NewOutboxMessage {
        headers: vec![],
        payload: vec![],
        ..message("bare", 0)
    };
    append_messages(s, vec![rich.clone(), bare.clone()]).await;
    let due = s.due(0, 10, &[]).await.expect("due");
    let got: Vec<_> = due
        .iter()
        .map(|m| (&m.key, &m.headers, &m.payload))
        .collect();
    assert_eq!(
        got,
        [
            (&rich.key, &rich.headers, &rich.payload),
            (&bare.key, &bare.headers, &bare.payload)
        ]
    );
}
