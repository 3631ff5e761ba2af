//! The driver: one task's steps, whatever the protocol.
//!
//! 1. The task's state is loaded under a per-task lock (a duplicate delivery, a wake and a
//!    follow-up never run one task twice at once). A task already finished is answered
//!    with its final answer again: the processor is never asked twice.
//! 2. The protocol plans the calls. None possible (no identifier of a kind the processor
//!    takes): "nothing found", saying why.
//! 3. Each call not yet taken by the processor is submitted: first recorded as sent,
//!    then sent, then its answer recorded. A failure is answered at once (transient or
//!    permanent); what was done stays recorded, so the next attempt goes on from there.
//! 4. Asynchronous jobs are followed for at most `max_wait`: the latest callback is read,
//!    else the status polled, with a pause doubling from `poll_interval` up to
//!    `poll_interval_max`. A status read that fails for now leaves the job pending (the
//!    processor has it); a job the processor reports failed is a permanent failure.
//! 5. Every call finished: the final answer, kept. Otherwise "accepted", with the follow-up
//!    time doubling per accepted answer of the task, from `follow_up` up to `follow_up_max`.

use crate::evidence;
use crate::http::Failure;
use crate::protocol::{Plan, Planned, Progress, Protocol};
use crate::state::{StateError, StateStore};
use crate::task::{Finished, TaskState};
use chrono::Utc;
use erasure_connector_sdk::{Job, Report};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

/// How long to wait, poll and follow up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub max_wait: Duration,
    pub poll_interval: Duration,
    pub poll_interval_max: Duration,
    pub follow_up: Duration,
    pub follow_up_max: Duration,
}

/// Runs tasks through a protocol.
#[derive(Debug)]
pub struct Driver {
    protocol: Arc<dyn Protocol>,
    store: StateStore,
    locks: TaskLocks,
    timing: Timing,
    /// `[callback] public_url`, when callbacks are configured.
    callbacks: Option<String>,
}

impl Driver {
    pub fn new(
        protocol: Arc<dyn Protocol>,
        store: StateStore,
        timing: Timing,
        callbacks: Option<String>,
    ) -> Self {
        Self {
            protocol,
            store,
            locks: TaskLocks::default(),
            timing,
            callbacks,
        }
    }

    pub fn protocol(&self) -> &Arc<dyn Protocol> {
        &self.protocol
    }

    pub fn store(&self) -> &StateStore {
        &self.store
    }

    /// Tells the processor about `job`, or follows what it was told (module docs).
    pub async fn erase(&self, job: &Job) -> Report {
        if !job.holds.is_empty() {
            return Report::failed_permanent(cannot_restrict(job));
        }
        let _task = self.locks.lock(&job.task_id).await;
        self.run(job).await.unwrap_or_else(Failure::report)
    }

    async fn run(&self, job: &Job) -> Result<Report, Failure> {
        let loaded = self.store.load(&job.task_id).await.map_err(transient)?;
        let mut state = loaded.unwrap_or_else(|| TaskState::new(Utc::now()));
        if let Some(finished) = &state.finished {
            return Ok(finished.report());
        }
        let base = (self.callbacks.as_deref())
            .map(|url| format!("{}/{}", url.trim_end_matches('/'), state.token));
        let calls = match self.protocol.plan(job, &state, base.as_deref()).await? {
            Plan::Calls(calls) => calls,
            Plan::Skip(reason) => {
                let finished = evidence::skipped(self.protocol.as_ref(), job, &reason);
                return self.finish(job, &mut state, finished).await;
            }
        };
        let deadline = Instant::now() + self.timing.max_wait;
        let steps = self
            .steps(job, &mut state, &calls, base.as_deref(), deadline)
            .await;
        let saved = self.store.save(&job.task_id, &state).await;
        let last_failure = steps?;
        saved.map_err(transient)?;
        let abouts: Vec<&str> = calls.iter().map(|c| c.about.as_str()).collect();
        if state.calls.iter().all(|c| c.result.is_some()) {
            let proof = self.protocol.proof(&state, deadline).await?;
            let mut finished = evidence::finished(self.protocol.as_ref(), job, &state, &abouts);
            finished.proof = proof;
            return self.finish(job, &mut state, finished).await;
        }
        self.accept(job, &mut state, &abouts, last_failure).await
    }

    /// Submits and follows; returns the last transient failure of a status read, if any.
    async fn steps(
        &self,
        job: &Job,
        state: &mut TaskState,
        calls: &[Planned],
        base: Option<&str>,
        deadline: Instant,
    ) -> Result<Option<String>, Failure> {
        for (index, planned) in calls.iter().enumerate() {
            let call = state.call(index);
            if call.result.is_some() || call.submitted.is_some() {
                continue;
            }
            if !call.sent {
                self.protocol.prepare(state);
                state.call(index).sent = true;
                self.store
                    .save(&job.task_id, state)
                    .await
                    .map_err(transient)?;
            }
            let submitted = (self.protocol)
                .submit(job, state, index, planned, base, deadline)
                .await?;
            let call = state.call(index);
            call.submitted = Some(submitted.answer);
            call.reference = submitted.reference;
            call.result = submitted.result;
            self.store
                .save(&job.task_id, state)
                .await
                .map_err(transient)?;
        }
        self.follow(job, state, deadline).await
    }

    /// Looks at every pending job until all are finished or the wait is over.
    async fn follow(
        &self,
        job: &Job,
        state: &mut TaskState,
        deadline: Instant,
    ) -> Result<Option<String>, Failure> {
        let mut pause = self.timing.poll_interval;
        let mut last_failure = None;
        loop {
            let mut pending = false;
            for index in 0..state.calls.len() {
                if state.calls[index].result.is_some() {
                    continue;
                }
                match self.look(job, state, index, deadline).await? {
                    Ok(Progress::Finished(result)) => state.call(index).result = Some(result),
                    Ok(Progress::Pending) => pending = true,
                    Err(detail) => {
                        last_failure = Some(detail);
                        pending = true;
                    }
                }
            }
            if !pending || Instant::now() + pause > deadline {
                return Ok(last_failure);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(self.timing.poll_interval_max);
        }
    }

    /// Where call `index`'s job stands: a new callback first, else a poll. The inner
    /// `Err` is a status read that failed for now.
    async fn look(
        &self,
        job: &Job,
        state: &mut TaskState,
        index: usize,
        deadline: Instant,
    ) -> Result<Result<Progress, String>, Failure> {
        let callback = self.store.callback(&job.task_id, index).await;
        if let Some(status) = callback.map_err(transient)?
            && state.calls[index].status.as_ref() != Some(&status)
        {
            let progress = self.protocol.progress(state, &status)?;
            state.call(index).status = Some(status);
            if progress != Progress::Pending {
                return Ok(Ok(progress));
            }
        }
        match self.protocol.poll(job, state, index, deadline).await {
            None => Ok(Ok(Progress::Pending)),
            Some(Ok(status)) => {
                let progress = self.protocol.progress(state, &status)?;
                state.call(index).status = Some(status);
                Ok(Ok(progress))
            }
            Some(Err(Failure::Transient(detail))) => Ok(Err(detail)),
            Some(Err(permanent)) => Err(permanent),
        }
    }

    async fn finish(
        &self,
        job: &Job,
        state: &mut TaskState,
        finished: Finished,
    ) -> Result<Report, Failure> {
        let report = finished.report();
        state.finished = Some(finished);
        self.store
            .save(&job.task_id, state)
            .await
            .map_err(transient)?;
        Ok(report)
    }

    async fn accept(
        &self,
        job: &Job,
        state: &mut TaskState,
        abouts: &[&str],
        last_failure: Option<String>,
    ) -> Result<Report, Failure> {
        let doubling = 2u32.saturating_pow(state.accepted.min(16));
        let wait = (self.timing.follow_up.saturating_mul(doubling)).min(self.timing.follow_up_max);
        state.accepted += 1;
        self.store
            .save(&job.task_id, state)
            .await
            .map_err(transient)?;
        let follow_up_at = Utc::now()
            + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::hours(24));
        let (summary, document) =
            evidence::pending(self.protocol.as_ref(), job, state, abouts, last_failure);
        Ok(Report::accepted(
            state.references(),
            follow_up_at,
            summary,
            document.into_bytes(),
        ))
    }
}

/// A processor is told to erase; it cannot be told to restrict (GDPR Art. 18) here, and
/// erasing what a rule holds would break the law the rule cites: refuse.
fn cannot_restrict(job: &Job) -> String {
    let rules: Vec<&str> = job.holds.iter().map(|r| r.id.as_str()).collect();
    format!(
        "the processor connector cannot restrict data kept under a legal hold (rules {}), so it told the processor nothing: this system must not declare a held category",
        rules.join(", ")
    )
}

fn transient(error: StateError) -> Failure {
    Failure::Transient(error.to_string())
}

/// One lock per task id, made when first asked for; locks nobody holds are dropped once
/// there are many.
#[derive(Debug, Default)]
struct TaskLocks {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl TaskLocks {
    async fn lock(&self, task_id: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            if locks.len() > 1024 {
                locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            Arc::clone(locks.entry(task_id.to_owned()).or_default())
        };
        lock.lock_owned().await
    }
}
