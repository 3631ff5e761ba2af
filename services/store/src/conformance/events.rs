//! Appending and reading streams; optimistic concurrency.

use std::time::{SystemTime, UNIX_EPOCH};

use futures::future::join_all;

use super::{batch, event, message};
use crate::{EventStore, NewEvent, Outbox, StoreError};

/// A new stream is appended at expected 0 and reads back exactly, then grows.
pub async fn appends_and_reads_a_stream<S: EventStore>(s: &S) {
    let events = vec![
        NewEvent {
            event_type: "RequestReceived".to_owned(),
            version: 1,
            payload: vec![0, 1, 2, 255],
        },
        NewEvent {
            event_type: "IdentityVerified".to_owned(),
            version: 3,
            payload: vec![], // a protobuf message with only defaults encodes to nothing
        },
        event("DispatchPlanned", b"plan"),
    ];
    let version = s.append(batch("req-1", 0, events.clone(), vec![])).await;
    assert_eq!(version.expect("append to a new stream"), 3);

    let read = s.read_stream("req-1").await.expect("read_stream");
    let now = wall_clock_ms();
    for (i, (got, sent)) in read.iter().zip(&events).enumerate() {
        assert_eq!(got.stream_id, "req-1");
        assert_eq!(got.stream_version, i as u64 + 1, "versions are 1..n");
        assert_eq!(
            (&got.event_type, got.version, &got.payload),
            (&sent.event_type, sent.version, &sent.payload)
        );
        let age = now - got.recorded_at_ms;
        assert!(
            (-60_000..60_000).contains(&age),
            "recorded_at_ms is commit time"
        );
    }
    assert_eq!(read.len(), 3);

    let next = s.append(batch("req-1", 3, vec![event("Done", b"")], vec![]));
    assert_eq!(next.await.expect("append at the current version"), 4);
    let versions: Vec<u64> = s
        .read_stream("req-1")
        .await
        .expect("read")
        .iter()
        .map(|e| e.stream_version)
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);

    // What a reader that folded the first three has not seen; nothing past the end.
    let after = s.read_stream_after("req-1", 3).await.expect("read after 3");
    let after: Vec<(u64, &str)> = after
        .iter()
        .map(|e| (e.stream_version, e.event_type.as_str()))
        .collect();
    assert_eq!(after, [(4, "Done")]);
    let rest = s.read_stream_after("req-1", 4).await.expect("read after 4");
    assert!(rest.is_empty(), "nothing after the last version");
    let other = s
        .read_stream_after("req-2", 0)
        .await
        .expect("unknown stream");
    assert!(other.is_empty(), "an unknown stream reads empty");
    assert_eq!(s.stream_version("req-1").await.expect("version"), 4);
    assert_eq!(s.stream_version("req-2").await.expect("version"), 0);
}

/// A batch without events is the caller's mistake, and writes nothing.
pub async fn rejects_an_empty_batch<S: EventStore + Outbox>(s: &S) {
    let result = s
        .append(batch("req-1", 0, vec![], vec![message("m", 0)]))
        .await;
    assert!(
        matches!(result, Err(StoreError::Invalid(_))),
        "got {result:?}"
    );
    assert_eq!(s.pending().await.expect("pending"), 0);
    assert!(s.read_stream("req-1").await.expect("read").is_empty());
}

/// A stale or future expected version is a conflict naming both versions; neither the
/// events nor the outbox messages of the failed batch are written.
pub async fn wrong_expected_version_is_a_conflict_and_changes_nothing<S: EventStore + Outbox>(
    s: &S,
) {
    let first = vec![event("A", b"a"), event("B", b"b")];
    s.append(batch("req-1", 0, first, vec![message("kept", 0)]))
        .await
        .expect("first append");
    for expected in [0, 1, 5] {
        let stale = batch(
            "req-1",
            expected,
            vec![event("X", b"x")],
            vec![message("lost", 0)],
        );
        match s.append(stale).await {
            Err(StoreError::Conflict {
                stream_id,
                expected: e,
                actual,
            }) => assert_eq!((stream_id.as_str(), e, actual), ("req-1", expected, 2)),
            other => panic!("expected a conflict at {expected}, got {other:?}"),
        }
    }
    let types: Vec<String> = s
        .read_stream("req-1")
        .await
        .expect("read")
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(types, ["A", "B"]);
    assert_eq!(s.read_all(0, 100).await.expect("read_all").len(), 2);
    let due = s.due(i64::MAX, 100, &[]).await.expect("due");
    let keys: Vec<&str> = due.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["kept"]);
}

/// Of 8 appenders racing at the same expected version, exactly one wins; the others get
/// a conflict and leave no trace.
pub async fn one_of_concurrent_appenders_wins<S: EventStore + Outbox>(s: &S) {
    s.append(batch("req-1", 0, vec![event("Start", b"")], vec![]))
        .await
        .expect("first append");
    let racers = (0..8u8).map(|i| {
        let events = vec![event("Step", &[i]), event("Step", &[i])];
        s.append(batch(
            "req-1",
            1,
            events,
            vec![message(&format!("racer-{i}"), 0)],
        ))
    });
    let results = join_all(racers).await;

    let winners: Vec<u8> = (0..8)
        .zip(&results)
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one winner: {results:?}");
    for r in &results {
        match r {
            Ok(v) => assert_eq!(*v, 3),
            Err(StoreError::Conflict {
                expected, actual, ..
            }) => assert_eq!((*expected, *actual), (1, 3)),
            Err(e) => panic!("a losing appender must get a conflict, got {e:?}"),
        }
    }
    let stream = s.read_stream("req-1").await.expect("read");
    let payloads: Vec<&[u8]> = stream
        .iter()
        .skip(1)
        .map(|e| e.payload.as_slice())
        .collect();
    assert_eq!(payloads, [&[winners[0]][..], &[winners[0]][..]]);
    let due = s.due(i64::MAX, 100, &[]).await.expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].key, format!("racer-{}", winners[0]));
}

/// An unknown stream reads as empty, also when others exist.
pub async fn unknown_stream_reads_empty<S: EventStore>(s: &S) {
    assert!(s.read_stream("nobody").await.expect("read").is_empty());
    s.append(batch("req-1", 0, vec![event("A", b"")], vec![]))
        .await
        .expect("append");
    assert!(s.read_stream("nobody").await.expect("read").is_empty());
    assert!(
        s.read_stream("req-").await.expect("read").is_empty(),
        "no prefix match"
    );
}

fn wall_clock_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
