//! What changes a request after it was received, besides acknowledgments: its timers
//! firing, an operator extending its deadline, retrying its failed tasks, closing a manual
//! task, or replaying the erasure after a backup was restored.

use crate::certify::Notary;
use crate::error::CoordinatorError;
use crate::evidence::names_the_person;
use crate::sealing::Sealer;
use crate::streams::Streams;
use crate::vault::jitter;
use chrono::{DateTime, Utc};
use erasure_core::access::Actor;
use erasure_core::decide::{self, Now, Policy};
use erasure_core::events::Attestation;
use erasure_core::{Decision, RequestState, SystemId};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Commands {
    pub(crate) streams: Streams,
    pub(crate) notary: Arc<Notary>,
    pub(crate) policy: Arc<Policy>,
    pub(crate) sealer: Sealer,
}

impl Commands {
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.streams.now()
    }

    /// Fires the request's due timers (see [`decide::tick`]); harmless when none is due.
    /// When the identifiers' shredding is due ([`decide::shred_due`]) the data key is
    /// destroyed first, then `IdentifiersShredded` recorded: a crash in between leaves it
    /// due, and the next tick records it (destroying nothing twice).
    #[tracing::instrument(skip(self))]
    pub async fn tick(&self, request_id: &str) -> Result<RequestState, CoordinatorError> {
        let state = self.streams.get(request_id).await?;
        let shredded = decide::shred_due(&state, &self.policy, self.now());
        if shredded {
            self.sealer.destroy(request_id).await?;
            tracing::info!("data key destroyed: the request's identifiers are shredded");
        }
        self.decide_on(request_id, |state, now| {
            let at = Now {
                at: now,
                jitter: jitter(),
            };
            let mut decision = decide::tick(state, &self.policy, at);
            if shredded {
                decision.events.extend(decide::shredded(state, now).events);
            }
            Ok(decision)
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
        by: &Actor,
    ) -> Result<RequestState, CoordinatorError> {
        self.decide_on(request_id, |state, now| {
            Ok(decide::extend(state, months, reason, by, now)?)
        })
        .await
    }

    /// A supervisor refuses the request (Art. 12(5); see [`decide::reject`]).
    #[tracing::instrument(skip(self, reason, by))]
    pub async fn reject(
        &self,
        request_id: &str,
        reason: &str,
        by: &Actor,
    ) -> Result<RequestState, CoordinatorError> {
        self.decide_on(request_id, |state, now| {
            Ok(decide::reject(state, reason, by, now)?)
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
        by: &Actor,
    ) -> Result<RequestState, CoordinatorError> {
        self.decide_on(request_id, |state, now| {
            Ok(decide::retry(state, system, reason, by, &self.policy, now)?)
        })
        .await
    }

    /// An operator closes a manual task with evidence. The evidence goes into the
    /// certificate, so it is refused when it holds one of the person's identifiers (the
    /// error names the kind, never the value). The attestation's time is the server's.
    #[tracing::instrument(skip_all, fields(request_id, system = %attestation.system_id))]
    pub async fn attest(
        &self,
        request_id: &str,
        attestation: Attestation,
    ) -> Result<RequestState, CoordinatorError> {
        let state = self.streams.get(request_id).await?;
        let identifiers = self.sealer.open_current(&state).await?;
        if let Some(kind) = names_the_person(&attestation.evidence, &identifiers) {
            return Err(CoordinatorError::Invalid(format!(
                "the evidence holds the person's {} and would go into the certificate: \
                 describe what was done without it",
                kind.name()
            )));
        }
        self.decide_on(request_id, |state, now| {
            let a = Attestation {
                at: now,
                ..attestation.clone()
            };
            Ok(decide::attest(state, a, &self.policy)?)
        })
        .await
    }

    /// Dispatches the erasure again to `systems` (see [`decide::replay`]).
    pub async fn replay(
        &self,
        request_id: &str,
        replay_id: &str,
        systems: &[SystemId],
        since: DateTime<Utc>,
    ) -> Result<RequestState, CoordinatorError> {
        self.decide_on(request_id, |state, now| {
            Ok(decide::replay(
                state,
                replay_id,
                systems,
                since,
                &self.policy,
                now,
            )?)
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
