//! What differs between telling a processor through a configured HTTP API
//! ([`crate::generic`]) and through OpenDSR ([`crate::opendsr`]): the [`Protocol`] the
//! [`crate::driver`] runs. The driver owns the task's state, the order of the steps and the
//! waiting; a protocol makes the requests and reads the answers.

use crate::http::{Answer, Failure};
use crate::task::{CallResult, Status, TaskState};
use async_trait::async_trait;
use erasure_connector_sdk::Job;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// One call a job makes, as planned.
#[derive(Clone, Debug)]
pub struct Planned {
    /// What the call is, for the evidence: the template and which value (by number), never
    /// the value.
    pub about: String,
    /// The submission, when the protocol renders it at planning.
    pub request: Option<crate::http::Outgoing>,
}

/// The job's calls, or why it makes none.
#[derive(Clone, Debug)]
pub enum Plan {
    Calls(Vec<Planned>),
    /// Nothing can be sent for this person (no identifier of the kinds the processor
    /// takes): "nothing found", for the reason given.
    Skip(String),
}

/// What the processor said to a submission.
#[derive(Clone, Debug)]
pub struct Submitted {
    /// Kept as evidence (as the protocol chooses to keep it).
    pub answer: Answer,
    /// The processor's job or request id, for an asynchronous job.
    pub reference: Option<String>,
    /// What the processor did, when it answered at once.
    pub result: Option<CallResult>,
}

/// Where a job stands, from a status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Finished(CallResult),
    Pending,
}

/// Why a callback is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No signature, or a signature that does not verify: 403.
    Forbidden,
    /// Signed, but not about this call: 400.
    BadRequest,
}

/// The callback URL of call `index` of a task whose callback base is `base`
/// (`<public_url>/<token>`): `<public_url>/<token>/<index>`.
pub fn callback_url(base: &str, index: usize) -> String {
    format!("{base}/{index}")
}

#[async_trait]
pub trait Protocol: Send + Sync + std::fmt::Debug {
    /// `request` or `opendsr`, in the evidence.
    fn name(&self) -> &'static str;

    /// The calls `job` makes. `callbacks` is the task's callback URL base
    /// (`<public_url>/<token>`), when callbacks are configured.
    async fn plan(
        &self,
        job: &Job,
        state: &TaskState,
        callbacks: Option<&str>,
    ) -> Result<Plan, Failure>;

    /// Readies the state before the first submission is recorded as sent (OpenDSR
    /// generates its request id here, so that it is kept before anything is sent).
    fn prepare(&self, state: &mut TaskState) {
        let _ = state;
    }

    /// Submits call `index`. `state` says whether an earlier attempt sent it already
    /// without an answer.
    async fn submit(
        &self,
        job: &Job,
        state: &TaskState,
        index: usize,
        planned: &Planned,
        callbacks: Option<&str>,
        deadline: Instant,
    ) -> Result<Submitted, Failure>;

    /// Reads the status of call `index`'s job; `None` when the protocol cannot poll
    /// (callbacks only).
    async fn poll(
        &self,
        job: &Job,
        state: &TaskState,
        index: usize,
        deadline: Instant,
    ) -> Option<Result<Status, Failure>>;

    /// Where the job stands according to `status` (polled, or a callback already checked).
    fn progress(&self, state: &TaskState, status: &Status) -> Result<Progress, Failure>;

    /// Checks a callback for call `index` of the task in `state`, before it is kept.
    async fn check_callback(
        &self,
        state: &TaskState,
        index: usize,
        callback_url: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Refusal>;

    /// An answer as the evidence shows it (OpenDSR leaves out what it must not keep).
    fn evidence_of(&self, answer: &Answer) -> serde_json::Value {
        crate::evidence::answer(answer)
    }

    /// Facts about the whole task for the evidence (a certificate's fingerprint).
    fn evidence_notes(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }

    /// Once every call is finished: the processor's nested proof, when it gives one (an
    /// OpenDSR processor that is itself an erasure orchestrator).
    async fn proof(
        &self,
        state: &TaskState,
        deadline: Instant,
    ) -> Result<Option<crate::task::NestedProof>, Failure> {
        let _ = (state, deadline);
        Ok(None)
    }

    /// For `config check --connect`: problems, one line each, changing nothing.
    async fn check(&self) -> Vec<String>;
}
