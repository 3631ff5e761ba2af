//! The global order: `read_all` in position order, and tailing it by the last position
//! seen, in small pages, with writers appending meanwhile.

use std::collections::HashSet;
use std::time::Duration;

use futures::future::join_all;

use super::{batch, event};
use crate::{EventStore, RecordedEvent};

/// Every event, in the order appended across streams, with strictly increasing
/// positions; `after` and `limit` select a window.
pub async fn read_all_is_in_position_order<S: EventStore>(s: &S) {
    let appends = [("a", 0, 2), ("b", 0, 1), ("a", 2, 1), ("c", 0, 3)];
    for (stream, expected, n) in appends {
        let events = (0..n).map(|_| event("E", stream.as_bytes())).collect();
        s.append(batch(stream, expected, events, vec![]))
            .await
            .expect("append");
    }
    let all = s.read_all(0, 100).await.expect("read_all");
    let order: Vec<(&str, u64)> = all
        .iter()
        .map(|e| (e.stream_id.as_str(), e.stream_version))
        .collect();
    let expected = [
        ("a", 1),
        ("a", 2),
        ("b", 1),
        ("a", 3),
        ("c", 1),
        ("c", 2),
        ("c", 3),
    ];
    assert_eq!(order, expected);
    assert!(
        all.windows(2).all(|w| w[0].position < w[1].position),
        "positions increase"
    );

    let window = s.read_all(all[1].position, 2).await.expect("read_all");
    assert_eq!(window, all[2..4]);
    let last = all.last().map_or(0, |e| e.position);
    assert!(s.read_all(last, 100).await.expect("read_all").is_empty());
    assert!(s.read_all(0, 0).await.expect("read_all").is_empty());
}

/// Pages of 2 after the last position seen yield every event exactly once.
pub async fn tailing_in_small_pages_sees_every_event_once<S: EventStore>(s: &S) {
    for (i, stream) in ["a", "b", "c"].iter().enumerate() {
        let events = (0..=i).map(|_| event("E", b"")).collect();
        s.append(batch(stream, 0, events, vec![]))
            .await
            .expect("append");
    }
    let all = s.read_all(0, 100).await.expect("read_all");
    let tailed = tail(s, all.len(), 2).await;
    assert_eq!(tailed, all);
}

/// 8 writers append 10 batches of 2 events each to their own streams while a reader
/// tails in pages of 3: it sees all 160 events once each, each stream in version order.
pub async fn tailing_while_writers_append_sees_every_event_once<S: EventStore>(s: &S) {
    const STREAMS: u64 = 8;
    const BATCHES: u64 = 10;
    let writers = join_all((0..STREAMS).map(|i| write_stream(s, format!("w-{i}"), BATCHES)));
    let total = usize::try_from(STREAMS * BATCHES * 2).expect("small");
    let both = async { tokio::join!(writers, tail(s, total, 3)).1 };
    let seen = tokio::time::timeout(Duration::from_secs(60), both)
        .await
        .expect("the reader saw every event before the timeout (none skipped)");

    let distinct: HashSet<(&str, u64)> = seen
        .iter()
        .map(|e| (e.stream_id.as_str(), e.stream_version))
        .collect();
    assert_eq!(distinct.len(), total, "no event seen twice");
    for i in 0..STREAMS {
        let versions: Vec<u64> = seen
            .iter()
            .filter(|e| e.stream_id == format!("w-{i}"))
            .map(|e| e.stream_version)
            .collect();
        assert_eq!(
            versions,
            (1..=BATCHES * 2).collect::<Vec<_>>(),
            "stream w-{i} in order"
        );
    }
}

async fn write_stream<S: EventStore>(s: &S, stream: String, batches: u64) {
    for b in 0..batches {
        let events = vec![event("E", stream.as_bytes()), event("E", stream.as_bytes())];
        s.append(batch(&stream, b * 2, events, vec![]))
            .await
            .expect("append");
    }
}

/// Reads pages of `page` after the last position seen until `total` events arrived,
/// checking that each page respects the limit and positions only increase.
async fn tail<S: EventStore>(s: &S, total: usize, page: usize) -> Vec<RecordedEvent> {
    let (mut seen, mut after) = (Vec::new(), 0);
    while seen.len() < total {
        let got = s.read_all(after, page).await.expect("read_all");
        assert!(got.len() <= page, "read_all returned more than the limit");
        if got.is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        for e in got {
            assert!(e.position > after, "positions only increase while tailing");
            after = e.position;
            seen.push(e);
        }
    }
    seen
}
