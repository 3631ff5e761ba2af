//! Waking: a connector that answered "accepted" has its runner run the task again now,
//! and the answer is published once it is final.

// The runner tests' bench; this file uses only part of it.
#[allow(dead_code)]
mod support;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use erasure_bus::conformance::wait_for;
use erasure_connector_sdk::wake::AttachError;
use erasure_connector_sdk::{Connector, Job, Report, RunnerError, Waker};
use erasure_proto::v1 as proto;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use support::{Bench, order};

/// Answers with its script (then "1 deleted"), keeps the waker it was attached with.
#[derive(Debug, Default)]
struct Waking {
    script: Mutex<VecDeque<Report>>,
    jobs: Mutex<Vec<Job>>,
    waker: Mutex<Option<Waker>>,
    refuse_attach: bool,
}

impl Waking {
    fn new(reports: impl IntoIterator<Item = Report>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(reports.into_iter().collect()),
            ..Self::default()
        })
    }

    fn wake(&self, task_id: &str) -> bool {
        let waker = self.waker.lock().expect("lock").clone();
        waker.expect("attached").wake(task_id)
    }

    fn attempts(&self) -> Vec<u32> {
        let jobs = self.jobs.lock().expect("lock");
        jobs.iter().map(|j| j.attempt).collect()
    }
}

#[async_trait]
impl Connector for Waking {
    fn kind(&self) -> &'static str {
        "waking"
    }

    async fn attach(&self, waker: Waker) -> Result<(), AttachError> {
        if self.refuse_attach {
            return Err("listen: address in use".into());
        }
        *self.waker.lock().expect("lock") = Some(waker);
        Ok(())
    }

    async fn erase(&self, job: &Job) -> Report {
        self.jobs.lock().expect("lock").push(job.clone());
        let next = self.script.lock().expect("lock").pop_front();
        next.unwrap_or_else(|| Report::from_counts(1, 0, "items: 1 deleted", b"{}".to_vec()))
    }
}

fn accepted() -> Report {
    let later = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).single();
    Report::accepted("job-7", later.expect("a time"), "submitted", b"{}".to_vec())
}

const TASK: &str = "req-1/kit";

#[tokio::test]
async fn a_wake_runs_the_accepted_order_again_and_publishes_the_final_answer() {
    let connector = Waking::new([accepted()]);
    let bench = Bench::start(connector.clone()).await;
    bench.deliver(order(1)).await.expect("attempt 1");
    assert_eq!(bench.ack(0).outcome, proto::Outcome::Accepted as i32);

    assert!(connector.wake(TASK));

    let acks = wait_for(&bench.acks, 2).await;
    assert_eq!(acks.len(), 2, "the woken task was not acknowledged");
    let ack = bench.ack(1);
    assert_eq!(ack.outcome, proto::Outcome::Erased as i32);
    assert_eq!(ack.attempt, 1, "a wake answers the same attempt");
    assert_eq!(connector.attempts(), [1, 1]);
    let evidence = bench
        .runner
        .evidence("req-1")
        .await
        .expect("cache readable");
    assert!(evidence.is_some(), "the final answer is cached");
}

#[tokio::test]
async fn a_wake_that_is_not_final_yet_publishes_nothing_and_keeps_the_order() {
    let connector = Waking::new([accepted(), accepted()]);
    let bench = Bench::start(connector.clone()).await;
    bench.deliver(order(1)).await.expect("attempt 1");

    assert!(connector.wake(TASK)); // still accepted: nothing published
    assert!(connector.wake(TASK)); // now final

    let acks = wait_for(&bench.acks, 2).await;
    assert_eq!(acks.len(), 2);
    assert_eq!(
        connector.attempts(),
        [1, 1, 1],
        "the second wake found no order"
    );
    assert_eq!(bench.ack(1).outcome, proto::Outcome::Erased as i32);
}

#[tokio::test]
async fn only_tasks_answered_accepted_are_woken() {
    let connector = Waking::new([accepted()]);
    let bench = Bench::start(connector.clone()).await;
    bench.deliver(order(1)).await.expect("attempt 1");

    assert!(connector.wake("req-unknown/kit"));
    assert!(connector.wake(TASK));
    assert!(connector.wake(TASK)); // final already: forgotten

    wait_for(&bench.acks, 2).await;
    bench
        .deliver(order(2))
        .await
        .expect("the follow-up attempt");
    assert_eq!(
        connector.attempts(),
        [1, 1, 2],
        "a task not pending was run on a wake"
    );
    assert_eq!(bench.payloads().len(), 3);
}

#[tokio::test]
async fn a_follow_up_attempt_replaces_the_order_a_wake_runs() {
    let connector = Waking::new([accepted(), accepted()]);
    let bench = Bench::start(connector.clone()).await;
    bench.deliver(order(1)).await.expect("attempt 1");
    bench
        .deliver(order(2))
        .await
        .expect("the follow-up, still accepted");

    assert!(connector.wake(TASK));

    wait_for(&bench.acks, 3).await;
    assert_eq!(connector.attempts(), [1, 2, 2]);
    assert_eq!(bench.ack(2).attempt, 2);
}

#[tokio::test]
async fn a_connector_that_cannot_attach_stops_the_runner_from_being_built() {
    let connector = Arc::new(Waking {
        refuse_attach: true,
        ..Waking::default()
    });

    let built = Bench::try_start(support::config(), connector).await;

    let Err(RunnerError::Connector(why)) = built else {
        panic!("the runner was built");
    };
    assert!(why.contains("listen"), "{why}");
}
