//! Ingesting acknowledgments from the acknowledgment topic: verified against the trusted
//! connector keys and counted, or rejected and recorded (never counted). A rejection that
//! cannot be attributed to a known request goes to [`UNATTRIBUTED_ACKS_STREAM`].

use crate::certify::Notary;
use crate::error::CoordinatorError;
use crate::sealing::Sealer;
use crate::streams::{Streams, retry_on_conflict};
use crate::vault::jitter;
use chrono::{DateTime, Utc};
use erasure_bus::Message;
use erasure_core::decide::{self, AckRejection, Now, Policy};
use erasure_core::events::AckRejected;
use erasure_core::{Decision, RequestState, SystemId};
use erasure_proof::ack as proof_ack;
use erasure_proof::canonical;
use erasure_proto::convert::{accepted_ack, ms};
use erasure_proto::v1 as pb;
use std::sync::Arc;
use tracing::Instrument;

/// Stream of acknowledgments that cannot be attributed to a known request.
pub const UNATTRIBUTED_ACKS_STREAM: &str = "acks-unattributed";

/// An acknowledgment that failed a check: who it claims to be, why, and a digest of the
/// message (never its content).
pub(crate) struct Refused<'a> {
    system: &'a str,
    key_id: &'a str,
    reason: String,
    digest: &'a [u8],
}

/// The handler's side of the acknowledgment topic.
#[derive(Clone, Debug)]
pub struct Ingest {
    pub(crate) streams: Streams,
    pub(crate) notary: Arc<Notary>,
    pub(crate) policy: Arc<Policy>,
    /// Seals what identity resolution found.
    pub(crate) sealer: Sealer,
}

impl Ingest {
    /// Handles one message of the acknowledgment topic. `Ok` means it was recorded
    /// (accepted, rejected or a harmless duplicate); `Err` means try again later.
    pub async fn ingest(&self, message: &Message) -> Result<(), CoordinatorError> {
        let digest = erasure_proof::sha256(&message.payload).to_vec();
        let signed = match canonical::decode::<pb::SignedAcknowledgment>(&message.payload) {
            Ok(signed) => signed,
            Err(e) => {
                let why = refused("", "", &format!("message {e}"), &digest);
                return self.record(UNATTRIBUTED_ACKS_STREAM, why).await;
            }
        };
        let peeked = match proof_ack::peek_ack(&signed) {
            Ok(peeked) => peeked,
            Err(e) => {
                let why = refused("", &signed.key_id, &e.to_string(), &digest);
                return self.record(UNATTRIBUTED_ACKS_STREAM, why).await;
            }
        };
        let span = tracing::info_span!("ingest", request_id = %peeked.request_id, system = %peeked.system_id);
        erasure_telemetry::continue_trace(&span, &message.headers);
        self.ingest_peeked(&message.key, &signed, &peeked, &digest)
            .instrument(span)
            .await
    }

    async fn ingest_peeked(
        &self,
        key: &str,
        signed: &pb::SignedAcknowledgment,
        peeked: &pb::Acknowledgment,
        digest: &[u8],
    ) -> Result<(), CoordinatorError> {
        if peeked.request_id != key {
            // Keyed for one request, signed for another: a replay or a forgery.
            let why = refused(
                &peeked.system_id,
                &signed.key_id,
                "acknowledgment is for another request",
                digest,
            );
            let known = self.streams.load(key).await?.is_some();
            let stream = if known { key } else { UNATTRIBUTED_ACKS_STREAM };
            return self.record(stream, why).await;
        }
        // The signature does not depend on the request's state: checked once, not again
        // for each conflict retry.
        let verified = self.verify(signed);
        retry_on_conflict("one request", || {
            self.ingest_once(signed, peeked, &verified, digest)
        })
        .await
    }

    /// The acknowledgment, if signed by a key valid when the connector answered and still
    /// valid now: one signed with a rotated-out key is refused (the task is retried and
    /// the connector answers with its new key).
    fn verify(&self, signed: &pb::SignedAcknowledgment) -> Result<pb::Acknowledgment, String> {
        let trust = self.notary.trust();
        let now = ms(self.streams.now());
        proof_ack::verify_ack(trust, signed)
            .and_then(|ack| {
                trust
                    .connector_key_at(&ack.system_id, &signed.key_id, now)
                    .map(|_| ack)
            })
            .map_err(|e| e.to_string())
    }

    async fn ingest_once(
        &self,
        signed: &pb::SignedAcknowledgment,
        peeked: &pb::Acknowledgment,
        verified: &Result<pb::Acknowledgment, String>,
        digest: &[u8],
    ) -> Result<(), CoordinatorError> {
        let request_id = peeked.request_id.as_str();
        let Some((state, version)) = self.streams.load(request_id).await? else {
            let why = refused(
                &peeked.system_id,
                &signed.key_id,
                "acknowledgment for an unknown request",
                digest,
            );
            return self.record(UNATTRIBUTED_ACKS_STREAM, why).await;
        };
        let now = self.streams.now();
        let mut invalid = false;
        let decision = match self.decide(&state, signed, verified, now) {
            Ok(decision) => decision,
            Err(reason) => {
                invalid = true;
                tracing::warn!(reason = %clip(&reason, 500), key_id = %clip(&signed.key_id, 100), "acknowledgment rejected");
                let why = refused(&peeked.system_id, &signed.key_id, &reason, digest);
                decide::reject_ack(rejected(why, now))
            }
        };
        let decision = self
            .notary
            .with_proofs(&self.policy, &state, decision, now)?;
        self.streams.append(request_id, version, decision).await?;
        if invalid {
            crate::metrics::ack_rejected(crate::metrics::Rejection::Invalid);
        }
        Ok(())
    }

    /// What the acknowledgment decides, or why it is rejected.
    fn decide(
        &self,
        state: &RequestState,
        signed: &pb::SignedAcknowledgment,
        verified: &Result<pb::Acknowledgment, String>,
        now: DateTime<Utc>,
    ) -> Result<Decision, String> {
        let ack = verified.as_ref().map_err(Clone::clone)?;
        let accepted = accepted_ack(ack, signed, now).map_err(|e| e.to_string())?;
        let at = Now {
            at: now,
            jitter: jitter(),
        };
        match decide::accept_ack(state, accepted, &self.policy, at) {
            Ok(d) => Ok(d),
            // A late duplicate of an answer to an earlier attempt: harmless.
            Err(e @ AckRejection::StaleAttempt { .. }) => {
                tracing::debug!(reason = %e, "stale acknowledgment ignored");
                Ok(Decision::default())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Records a rejected acknowledgment in `stream` (a request's, or the unattributed one).
    pub(crate) async fn record(
        &self,
        stream: &str,
        why: Refused<'_>,
    ) -> Result<(), CoordinatorError> {
        tracing::warn!(stream, system = why.system, key_id = why.key_id, reason = %why.reason, "acknowledgment rejected");
        let decision = decide::reject_ack(rejected(why, self.streams.now()));
        let decision = &decision;
        retry_on_conflict("the rejection stream", || async move {
            let version = self.streams.store().stream_version(stream).await?;
            self.streams
                .append(stream, version, decision.clone())
                .await
                .map(|_| ())
        })
        .await?;
        crate::metrics::ack_rejected(match stream {
            UNATTRIBUTED_ACKS_STREAM => crate::metrics::Rejection::Unattributed,
            _ => crate::metrics::Rejection::WrongRequest,
        });
        Ok(())
    }
}

pub(crate) fn refused<'a>(
    system: &'a str,
    key_id: &'a str,
    reason: &str,
    digest: &'a [u8],
) -> Refused<'a> {
    // What came from the message (its system and key ids, and the reason, which may quote
    // them) is clipped: a forged message must not make a log line or an event as large
    // as itself.
    Refused {
        system: clip(system, 64),
        key_id: clip(key_id, 100),
        reason: clip(reason, 500).to_owned(),
        digest,
    }
}

fn rejected(why: Refused<'_>, at: DateTime<Utc>) -> AckRejected {
    AckRejected {
        system_id: SystemId::new(why.system),
        key_id: why.key_id.to_owned(),
        reason: why.reason,
        message_digest: why.digest.to_vec(),
        at,
    }
}

/// At most `max` characters of `s`.
pub(crate) fn clip(s: &str, max: usize) -> &str {
    s.char_indices().nth(max).map_or(s, |(end, _)| &s[..end])
}
