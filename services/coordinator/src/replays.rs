//! Replays after a restore: a backup brings back people erased after it was taken, so every
//! erasure a restored system finished since then is dispatched to it again.
//!
//! A replay is a job on the server, recorded in its own stream (`replay-<id>`:
//! `ReplayStarted` with the requests it covers, `ReplayFinished` once each was dispatched
//! or skipped). Each request records its part (`ErasureReplayed`) in its own stream, in the
//! same append as the work orders, so a replay interrupted by a restart resumes where it
//! stopped and dispatches nothing twice ([`erasure_core::decide::replay`] is idempotent).
//! Progress is read from the projection: how many requests were dispatched again, and how
//! many of those the restored systems have answered.

use crate::codec::message_event;
use crate::commands::Commands;
use crate::error::CoordinatorError;
use crate::projection::Projection;
use chrono::{DateTime, Utc};
use erasure_core::inventory::Inventory;
use erasure_core::{RequestState, SystemId, TaskStatus};
use erasure_proto::convert::{from_ms, ms};
use erasure_proto::v1 as pb;
use erasure_store::{AppendBatch, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

const STREAM_PREFIX: &str = "replay-";

/// A replay job's stream is not a request: the projection keeps it apart.
pub fn is_replay_stream(stream_id: &str) -> bool {
    stream_id.starts_with(STREAM_PREFIX)
}

fn stream_of(replay_id: &str) -> String {
    format!("{STREAM_PREFIX}{replay_id}")
}

/// A replay job as its stream records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayJob {
    pub replay_id: String,
    pub since: DateTime<Utc>,
    pub systems: Vec<SystemId>,
    pub request_ids: Vec<String>,
    pub by: String,
    pub started_at: DateTime<Utc>,
    /// Set by `ReplayFinished`: (dispatched, skipped).
    pub finished: Option<(u32, u32)>,
}

impl ReplayJob {
    pub fn started(id: &str, e: pb::ReplayStarted) -> Self {
        Self {
            replay_id: id.to_owned(),
            since: from_ms(e.since_ms),
            systems: e.system_ids.into_iter().map(SystemId::new).collect(),
            request_ids: e.request_ids,
            by: e.by,
            started_at: from_ms(e.at_ms),
            finished: None,
        }
    }

    pub fn id_of_stream(stream_id: &str) -> Option<&str> {
        stream_id.strip_prefix(STREAM_PREFIX)
    }
}

/// How far a replay got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: u32,
    pub dispatched: u32,
    pub skipped: u32,
    pub acknowledged: u32,
    pub failed: u32,
    pub dispatch_finished: bool,
}

/// What a request's part in a replay has come to: not dispatched yet, waiting for an
/// answer, answered, or answered with a failure.
fn part(state: &RequestState, replay_id: &str) -> Option<TaskStatus> {
    let replay = state.replays.iter().find(|r| r.replay_id == replay_id)?;
    let tasks = replay.system_ids.iter().filter_map(|s| state.tasks.get(s));
    let statuses: Vec<TaskStatus> = tasks.map(|t| t.status).collect();
    Some(if statuses.contains(&TaskStatus::Pending) {
        TaskStatus::Pending
    } else if statuses.contains(&TaskStatus::Failed) {
        TaskStatus::Failed
    } else {
        TaskStatus::Done
    })
}

pub struct Replays {
    commands: Commands,
    projection: Arc<Projection>,
    inventory: Arc<Inventory>,
    /// Requests skipped by the runs of this process (nothing to re-apply), per replay.
    skipped: Mutex<HashMap<String, u32>>,
    stopping: watch::Receiver<bool>,
}

impl std::fmt::Debug for Replays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Replays")
    }
}

impl Replays {
    pub fn new(
        commands: Commands,
        projection: Arc<Projection>,
        inventory: Arc<Inventory>,
        stopping: watch::Receiver<bool>,
    ) -> Arc<Self> {
        Arc::new(Self {
            commands,
            projection,
            inventory,
            skipped: Mutex::default(),
            stopping,
        })
    }

    /// Starts a replay of every erasure `systems` (every system with a connector when
    /// empty) finished at or after `since`, and runs it in the background.
    pub async fn start(
        self: &Arc<Self>,
        since: DateTime<Utc>,
        systems: Vec<SystemId>,
        by: &str,
    ) -> Result<(ReplayJob, Progress), CoordinatorError> {
        let systems = self.systems(systems)?;
        let now = self.commands.now();
        if since > now {
            return Err(CoordinatorError::Invalid(
                "since is in the future: a backup cannot have been taken then".into(),
            ));
        }
        self.projection.catch_up().await?;
        let request_ids = self.projection.replay_candidates(since, &systems).await?;
        let replay_id = uuid::Uuid::new_v4().to_string();
        let started = pb::ReplayStarted {
            replay_id: replay_id.clone(),
            since_ms: ms(since),
            system_ids: systems.iter().map(ToString::to_string).collect(),
            request_ids,
            by: by.to_owned(),
            at_ms: ms(now),
        };
        self.append(&replay_id, 0, message_event("ReplayStarted", &started))
            .await?;
        tracing::info!(%replay_id, requests = started.request_ids.len(), "replay started");
        self.projection.catch_up().await?;
        self.spawn(replay_id.clone());
        self.progress(&replay_id).await
    }

    /// The job and how far it got.
    pub async fn progress(
        &self,
        replay_id: &str,
    ) -> Result<(ReplayJob, Progress), CoordinatorError> {
        let job = self
            .projection
            .replay(replay_id)
            .ok_or_else(|| CoordinatorError::UnknownReplay(replay_id.to_owned()))?;
        let mut p = Progress {
            total: job.request_ids.len() as u32,
            dispatch_finished: job.finished.is_some(),
            ..Progress::default()
        };
        for id in &job.request_ids {
            match self
                .projection
                .state(id)
                .await?
                .and_then(|s| part(&s, replay_id))
            {
                None => {}
                Some(status) => {
                    p.dispatched += 1;
                    p.acknowledged += u32::from(status == TaskStatus::Done);
                    p.failed += u32::from(status == TaskStatus::Failed);
                }
            }
        }
        p.skipped = match job.finished {
            Some((_, skipped)) => skipped,
            None => self.skipped_so_far(replay_id),
        };
        Ok((job, p))
    }

    /// Runs every replay whose dispatch did not finish (after a restart).
    pub fn resume(self: &Arc<Self>) {
        for id in self.projection.unfinished_replays() {
            tracing::info!(replay_id = %id, "resuming replay");
            self.spawn(id);
        }
    }

    fn spawn(self: &Arc<Self>, replay_id: String) {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(e) = this.run(&replay_id).await {
                tracing::warn!(%replay_id, error = %e, "replay interrupted; it resumes on restart");
            }
        });
    }

    /// Dispatches each request of the job again, in order; a request already dispatched
    /// by an earlier run decides nothing.
    async fn run(&self, replay_id: &str) -> Result<(), CoordinatorError> {
        let Some(job) = self.projection.replay(replay_id) else {
            return Ok(());
        };
        let (mut dispatched, mut skipped) = (0u32, 0u32);
        for request_id in &job.request_ids {
            if *self.stopping.borrow() {
                return Ok(());
            }
            let result = self
                .commands
                .replay(request_id, replay_id, &job.systems, job.since)
                .await;
            match result {
                Ok(_) => dispatched += 1,
                Err(
                    e @ (CoordinatorError::NotFound(_)
                    | CoordinatorError::Invalid(_)
                    | CoordinatorError::FailedPrecondition(_)),
                ) => {
                    // E.g. nothing to re-apply, or the request's identifiers were shredded.
                    tracing::info!(%replay_id, %request_id, reason = %e, "request skipped");
                    skipped += 1;
                    *self.lock_skipped().entry(replay_id.to_owned()).or_default() += 1;
                }
                Err(e) => return Err(e),
            }
        }
        let finished = pb::ReplayFinished {
            dispatched,
            skipped,
            at_ms: ms(self.commands.now()),
        };
        match self
            .append(replay_id, 1, message_event("ReplayFinished", &finished))
            .await
        {
            // Another coordinator finished the same job first.
            Err(CoordinatorError::Store(StoreError::Conflict { .. })) | Ok(()) => {}
            Err(e) => return Err(e),
        }
        tracing::info!(%replay_id, dispatched, skipped, "replay dispatched");
        Ok(())
    }

    /// The systems named, each known, with a connector, and not asked last (a backups
    /// system erases nothing: there is nothing to re-apply); every such system when none.
    fn systems(&self, named: Vec<SystemId>) -> Result<Vec<SystemId>, CoordinatorError> {
        if named.is_empty() {
            return Ok(self
                .inventory
                .systems()
                .filter(|s| !s.manual && !s.asked_last)
                .map(|s| s.id.clone())
                .collect());
        }
        self.inventory.check_scope(&named)?;
        for s in named.iter().filter_map(|s| self.inventory.get(s)) {
            if s.manual {
                return Err(CoordinatorError::Invalid(format!(
                    "{} is manual: an operator redoes its work, a replay cannot",
                    s.id
                )));
            }
            if s.asked_last {
                return Err(CoordinatorError::Invalid(format!(
                    "{} is asked last (a backups system): it erases nothing, so a replay has nothing to re-apply there",
                    s.id
                )));
            }
        }
        Ok(named)
    }

    async fn append(
        &self,
        replay_id: &str,
        version: u64,
        event: erasure_store::NewEvent,
    ) -> Result<(), CoordinatorError> {
        let streams = &self.commands.streams;
        streams
            .store()
            .append(AppendBatch {
                stream_id: stream_of(replay_id),
                expected_version: version,
                events: vec![event],
                outbox: Vec::new(),
            })
            .await?;
        streams.appended().notify_waiters();
        Ok(())
    }

    fn lock_skipped(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.skipped.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn skipped_so_far(&self, replay_id: &str) -> u32 {
        self.lock_skipped().get(replay_id).copied().unwrap_or(0)
    }
}
