//! Ingesting answers to identity resolution from `erasure.v1.resolutions`: verified like
//! acknowledgments, then what was found is merged into the request's identifiers and
//! sealed (the event holds counts and the sealed set, never a value); forged, misdirected
//! or malformed answers are recorded as rejected and never counted.

use crate::error::CoordinatorError;
use crate::ingest::{Ingest, UNATTRIBUTED_ACKS_STREAM, clip, refused};
use crate::streams::retry_on_conflict;
use crate::vault::jitter;
use chrono::{DateTime, Utc};
use erasure_bus::Message;
use erasure_core::decide::{self, AckRejection, Now, ResolutionAnswer};
use erasure_core::events::{AckRejected, Resolved};
use erasure_core::{Decision, IdentifierKind, Identifiers, RequestState, SystemId};
use erasure_proof::canonical;
use erasure_proof::resolution::{peek_resolution, verify_resolution};
use erasure_proof::sealed::{Binding, RESOLUTION_CONTEXT, Sealed};
use erasure_proto::convert::ms;
use erasure_proto::v1 as pb;
use prost::Message as _;
use tracing::Instrument;

impl Ingest {
    /// Handles one message of the resolutions topic. `Ok` means it was recorded; `Err`
    /// means try again later.
    pub async fn ingest_resolution(&self, message: &Message) -> Result<(), CoordinatorError> {
        let digest = erasure_proof::sha256(&message.payload).to_vec();
        let signed = match canonical::decode::<pb::SignedResolution>(&message.payload) {
            Ok(signed) => signed,
            Err(e) => {
                let why = refused("", "", &format!("message {e}"), &digest);
                return self.record(UNATTRIBUTED_ACKS_STREAM, why).await;
            }
        };
        let peeked = match peek_resolution(&signed) {
            Ok(peeked) => peeked,
            Err(e) => {
                let why = refused("", &signed.key_id, &e.to_string(), &digest);
                return self.record(UNATTRIBUTED_ACKS_STREAM, why).await;
            }
        };
        let span = tracing::info_span!("resolution", request_id = %peeked.request_id, system = %peeked.system_id);
        erasure_telemetry::continue_trace(&span, &message.headers);
        self.resolution_peeked(&message.key, &signed, &peeked, &digest)
            .instrument(span)
            .await
    }

    async fn resolution_peeked(
        &self,
        key: &str,
        signed: &pb::SignedResolution,
        peeked: &pb::Resolution,
        digest: &[u8],
    ) -> Result<(), CoordinatorError> {
        let known = self.streams.load(&peeked.request_id).await?.is_some();
        let reason = match (peeked.request_id == key, known) {
            (false, _) => "resolution is for another request",
            (true, false) => "resolution for an unknown request",
            (true, true) => {
                return retry_on_conflict("one request", || {
                    self.resolution_once(signed, peeked, digest)
                })
                .await;
            }
        };
        let why = refused(&peeked.system_id, &signed.key_id, reason, digest);
        let stream_known = self.streams.load(key).await?.is_some();
        let stream = if stream_known {
            key
        } else {
            UNATTRIBUTED_ACKS_STREAM
        };
        self.record(stream, why).await
    }

    async fn resolution_once(
        &self,
        signed: &pb::SignedResolution,
        peeked: &pb::Resolution,
        digest: &[u8],
    ) -> Result<(), CoordinatorError> {
        let request_id = peeked.request_id.as_str();
        let Some((state, version)) = self.streams.load(request_id).await? else {
            return Err(CoordinatorError::NotFound(request_id.to_owned()));
        };
        let now = self.streams.now();
        let decision = match self.decide_resolution(&state, signed, now).await? {
            Ok(decision) => decision,
            Err(reason) => {
                tracing::warn!(reason = %clip(&reason, 500), key_id = %clip(&signed.key_id, 100), "resolution rejected");
                decide::reject_ack(AckRejected {
                    system_id: SystemId::new(peeked.system_id.clone()),
                    key_id: signed.key_id.clone(),
                    reason,
                    message_digest: digest.to_vec(),
                    at: now,
                })
            }
        };
        self.streams
            .append(request_id, version, decision)
            .await
            .map(|_| ())
    }

    /// What the answer decides, or why it is rejected (inner `Err`); the outer `Err` is
    /// infrastructure (the identifiers could not be opened or sealed).
    async fn decide_resolution(
        &self,
        state: &RequestState,
        signed: &pb::SignedResolution,
        now: DateTime<Utc>,
    ) -> Result<Result<Decision, String>, CoordinatorError> {
        // Signed by a key valid when the connector answered, and still valid now.
        let trust = self.notary.trust();
        let verified = verify_resolution(trust, signed).and_then(|r| {
            trust
                .connector_key_at(&r.system_id, &signed.key_id, ms(now))
                .map(|_| r)
        });
        let resolution = match verified {
            Ok(r) => r,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let answer = match self.answer(state, &resolution, now).await? {
            Ok(answer) => answer,
            Err(why) => return Ok(Err(why)),
        };
        let at = Now {
            at: now,
            jitter: jitter(),
        };
        Ok(
            match decide::accept_resolution(state, answer, &self.policy, at) {
                Ok(d) => Ok(d),
                // A late duplicate of an answer to an earlier attempt: harmless.
                Err(e @ AckRejection::StaleAttempt { .. }) => {
                    tracing::debug!(reason = %e, "stale resolution ignored");
                    Ok(Decision::default())
                }
                Err(e) => Err(e.to_string()),
            },
        )
    }

    /// The answer as the core takes it: what was found merged into the request's
    /// identifiers and sealed, with the counts of new values.
    async fn answer(
        &self,
        state: &RequestState,
        r: &pb::Resolution,
        now: DateTime<Utc>,
    ) -> Result<Result<ResolutionAnswer, String>, CoordinatorError> {
        let failed = |permanent: bool| ResolutionAnswer::Failed {
            task_id: r.task_id.as_str().into(),
            system_id: r.system_id.as_str().into(),
            attempt: r.attempt,
            permanent,
            detail: r.detail.clone(),
        };
        let found = match pb::ResolutionOutcome::try_from(r.outcome) {
            Ok(pb::ResolutionOutcome::Found) => match self.found(r) {
                Ok(found) => found,
                Err(why) => return Ok(Err(why)),
            },
            Ok(pb::ResolutionOutcome::NothingFound) => pb::Identifiers::default(),
            Ok(pb::ResolutionOutcome::FailedRetryable) => return Ok(Ok(failed(false))),
            Ok(pb::ResolutionOutcome::FailedPermanent) => return Ok(Ok(failed(true))),
            _ => return Ok(Err("resolution has no valid outcome".into())),
        };
        let current = Identifiers::try_from(&self.sealer.open_current(state).await?)
            .map_err(|e| CoordinatorError::Internal(format!("sealed identifiers: {e}")))?;
        let mut merged = current.clone();
        let found = match found_identifiers(&found) {
            Ok(found) => found,
            Err(why) => return Ok(Err(why)),
        };
        if let Err(e) = merged.merge(&found) {
            return Ok(Err(format!("resolution found too much: {e}")));
        }
        let new: Vec<(IdentifierKind, u32)> = IdentifierKind::ALL
            .into_iter()
            .map(|k| (k, (merged.count(k) - current.count(k)) as u32))
            .filter(|(_, n)| *n > 0)
            .collect();
        let request_id = state.received.request_id.as_str();
        let sealed = match new.is_empty() {
            true => Vec::new(),
            false => self.sealer.seal_all(request_id, &merged).await?,
        };
        Ok(Ok(ResolutionAnswer::Found(Resolved {
            task_id: r.task_id.as_str().into(),
            system_id: r.system_id.as_str().into(),
            attempt: r.attempt,
            found: new,
            sealed_identifiers: sealed,
            at: now,
        })))
    }
}

impl Ingest {
    /// The identifiers a connector found: opened from `sealed_found` with the
    /// coordinator's key, or (from a connector that predates sealing) the plaintext field.
    fn found(&self, r: &pb::Resolution) -> Result<pb::Identifiers, String> {
        if r.sealed_found.is_empty() {
            return Ok(r.found.clone().unwrap_or_default());
        }
        let binding = Binding {
            context: RESOLUTION_CONTEXT,
            request_id: &r.request_id,
            system_id: &r.system_id,
            attempt: r.attempt,
        };
        let sealed = Sealed {
            encapsulated_key: r.found_encapsulated_key.clone(),
            ciphertext: r.sealed_found.clone(),
        };
        let bytes = self
            .notary
            .open(&binding, &sealed)
            .map_err(|e| format!("resolution's found identifiers: {e}"))?;
        pb::Identifiers::decode(bytes.as_slice())
            .map_err(|_| "resolution's found identifiers: undecodable".to_owned())
    }
}

/// What a connector found, validated like a submit (E.164 phones: no region applies).
fn found_identifiers(found: &pb::Identifiers) -> Result<Identifiers, String> {
    let raw = erasure_proto::convert::raw_identifiers(found);
    match Identifiers::from_raw(raw, None) {
        Ok(ids) => Ok(ids),
        Err(erasure_core::IdentifierError::Missing) => Ok(Identifiers::default()),
        Err(e) => Err(format!("resolution carried an invalid identifier: {e}")),
    }
}
