//! What changes a request after it was received, besides acknowledgments: its timers
//! firing, an operator extending its deadline or retrying its failed tasks.

use crate::certify::Notary;
use crate::error::CoordinatorError;
use crate::streams::Streams;
use crate::vault::jitter;
use chrono::{DateTime, Utc};
use erasure_core::decide::{self, Now, Policy};
use erasure_core::{Decision, RequestState, SystemId};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Commands {
    pub(crate) streams: Streams,
    pub(crate) notary: Arc<Notary>,
    pub(crate) policy: Arc<Policy>,
}

impl Commands {
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.streams.now()
    }

    /// Fires the request's due timers (see [`decide::tick`]); harmless when none is due.
    #[tracing::instrument(skip(self))]
    pub async fn tick(&self, request_id: &str) -> Result<RequestState, CoordinatorError> {
        self.decide_on(request_id, |state, now| {
            let at = Now {
                at: now,
                jitter: jitter(),
            };
            Ok(decide::tick(state, &self.policy, at))
        })
        .await
    }

    /// Extends the deadline (Art. 12(3)).
    #[tracing::instrument(skip(self, reason))]
    pub async fn extend(
        &self,
        request_id: &str,
        months: u32,
        reason: &str,
    ) -> Result<RequestState, CoordinatorError> {
        self.decide_on(request_id, |state, now| {
            Ok(decide::extend(state, months, reason, now)?)
        })
        .await
    }

    /// An operator's retry of a failed task (every failed task when `system` is `None`).
    #[tracing::instrument(skip(self, reason))]
    pub async fn retry(
        &self,
        request_id: &str,
        system: Option<&SystemId>,
        reason: &str,
    ) -> Result<RequestState, CoordinatorError> {
        self.decide_on(request_id, |state, now| {
            Ok(decide::retry(state, system, reason, &self.policy, now)?)
        })
        .await
    }

    /// The command loop, with the certificate or supplement a decision leads to.
    async fn decide_on(
        &self,
        request_id: &str,
        decide: impl Fn(&RequestState, DateTime<Utc>) -> Result<Decision, CoordinatorError>,
    ) -> Result<RequestState, CoordinatorError> {
        self.streams
            .decide_on(request_id, |state, now| {
                let decision = decide(state, now)?;
                self.notary.with_proofs(&self.policy, state, decision, now)
            })
            .await
    }
}
