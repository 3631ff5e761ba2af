//! The subscriptions of one transport: at most one open per topic, as with the embedded
//! transport, and a closed one finishes before the next starts.

use crate::{BusError, Subscription};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Mutex, watch};
use tokio::task::JoinHandle;

/// A started subscription: its close signal and its task.
#[derive(Debug)]
struct Running {
    closed: Arc<watch::Sender<bool>>,
    task: JoinHandle<()>,
}

impl Running {
    fn is_open(&self) -> bool {
        !*self.closed.borrow() && !self.task.is_finished()
    }
}

#[derive(Debug, Default)]
pub(crate) struct Subscriptions {
    /// An async lock: `open` holds it while a closed subscription finishes.
    running: Mutex<HashMap<String, Running>>,
}

impl Subscriptions {
    /// Starts a task with `start` unless `topic` already has an open subscription. A
    /// closed one is awaited first: its final commit lands before the new consumer reads
    /// the group's offsets, so re-subscribing does not see its handled messages again.
    pub(crate) async fn open<F>(&self, topic: &str, start: F) -> Result<Subscription, BusError>
    where
        F: FnOnce(watch::Receiver<bool>) -> Result<JoinHandle<()>, BusError>,
    {
        let mut running = self.running.lock().await;
        if let Some(previous) = running.remove(topic) {
            if previous.is_open() {
                running.insert(topic.to_owned(), previous);
                return Err(BusError::AlreadySubscribed(topic.to_owned()));
            }
            if let Err(e) = previous.task.await {
                tracing::warn!(topic, error = %e, "the previous subscription's task failed");
            }
        }
        let (closed, signal) = watch::channel(false);
        let task = start(signal)?;
        let closed = Arc::new(closed);
        running.insert(
            topic.to_owned(),
            Running {
                closed: Arc::clone(&closed),
                task,
            },
        );
        Ok(Subscription::new(move || {
            closed.send_replace(true);
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle(mut closed: watch::Receiver<bool>) -> Result<JoinHandle<()>, BusError> {
        Ok(tokio::spawn(async move {
            let _ = closed.wait_for(|c| *c).await;
        }))
    }

    #[tokio::test]
    async fn one_open_subscription_per_topic() {
        let subs = Subscriptions::default();
        let first = subs.open("t", idle).await.expect("first");
        let err = subs.open("t", idle).await.expect_err("second");
        assert_eq!(err, BusError::AlreadySubscribed("t".into()));
        let _other = subs.open("u", idle).await.expect("other topic");
        first.close();
        let _again = subs.open("t", idle).await.expect("after close");
    }

    #[tokio::test]
    async fn a_closed_subscription_finishes_before_the_next_starts() {
        let subs = Subscriptions::default();
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&finished);
        let first = subs
            .open("t", move |mut closed| {
                Ok(tokio::spawn(async move {
                    let _ = closed.wait_for(|c| *c).await;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    flag.store(true, std::sync::atomic::Ordering::SeqCst);
                }))
            })
            .await
            .expect("first");
        first.close();
        let seen = Arc::clone(&finished);
        let _second = subs
            .open("t", move |closed| {
                assert!(
                    seen.load(std::sync::atomic::Ordering::SeqCst),
                    "started too early"
                );
                idle(closed)
            })
            .await
            .expect("second");
    }

    #[tokio::test]
    async fn a_failed_start_leaves_the_topic_free() {
        let subs = Subscriptions::default();
        let err = subs
            .open("t", |_| Err(BusError::Unavailable("no".into())))
            .await
            .expect_err("start fails");
        assert_eq!(err, BusError::Unavailable("no".into()));
        let _sub = subs.open("t", idle).await.expect("free");
    }
}
