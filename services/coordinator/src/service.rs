//! The use cases: submit, ingest acknowledgments, read state, certificates.
//!
//! Every state change goes through the same loop: read the stream, fold it, let the core
//! decide, append the decision's events with their outbox messages at the version read;
//! on a conflict (another writer got there first), read again and decide again.

use crate::clock::Clock;
use crate::codec::{self, ms};
use crate::error::CoordinatorError;
use crate::transparency::TransparencyLog;
use crate::vault::{Vault, random_bytes};
use erasure_bus::{Message, topics};
use erasure_core::decide::{self, AckRejection, Now, Policy};
use erasure_core::events::{AckAccepted, AckRejected, Event, RequestReceived, Retained, SignedAck};
use erasure_core::inventory::Inventory;
use erasure_core::state::Hold;
use erasure_core::{Decision, Effect, Identifiers, RequestId, RequestState, SystemId, deadline};
use erasure_proof::merkle::Hash;
use erasure_proof::{KeyPair, TrustStore, ack as proof_ack, certificate as proof_cert};
use erasure_proto::v1 as pb;
use erasure_store::{AppendBatch, EventStore, KeyStore, NewOutboxMessage, Outbox, StoreError};
use prost::Message as _;
use std::sync::Arc;
use tokio::sync::Notify;
use tracing::Instrument;

/// Everything the coordinator persists, from one adapter.
pub trait Storage: EventStore + Outbox + KeyStore {}
impl<T: EventStore + Outbox + KeyStore> Storage for T {}

/// Stream of acknowledgments that cannot be attributed to a known request.
pub const UNATTRIBUTED_ACKS_STREAM: &str = "acks-unattributed";

const MAX_CONFLICT_RETRIES: usize = 20;

/// A validated submit.
#[derive(Debug, Clone)]
pub struct SubmitInput {
    pub idempotency_key: Option<String>,
    pub identifiers: Identifiers,
    pub jurisdiction: String,
    pub channel: String,
    pub verified_by: String,
    pub scope: Vec<SystemId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub request_id: String,
    pub existing: bool,
}

/// The coordinator's use cases over its storage, keys and inventory.
pub struct Coordinator {
    storage: Arc<dyn Storage>,
    vault: Vault,
    inventory: Inventory,
    signer: KeyPair,
    trust: TrustStore,
    clock: Arc<dyn Clock>,
    policy: Policy,
    /// Woken after every append, so the relay and the projection look at once.
    appended: Arc<Notify>,
}

impl std::fmt::Debug for Coordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coordinator")
            .field("key_id", &self.signer.key_id())
            .finish_non_exhaustive()
    }
}

impl Coordinator {
    pub fn new(
        storage: Arc<dyn Storage>,
        vault: Vault,
        inventory: Inventory,
        signer: KeyPair,
        trust: TrustStore,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            storage,
            vault,
            inventory,
            signer,
            trust,
            clock,
            policy: Policy::default(),
            appended: Arc::new(Notify::new()),
        }
    }

    /// Retention rules, retries and deadline warnings (default: no rules, default retries).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn appended(&self) -> &Arc<Notify> {
        &self.appended
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// Public keys of the coordinator and every trusted connector.
    pub fn public_keys(&self) -> TrustStore {
        let mut t = self.trust.clone();
        t.add_coordinator(&self.signer.public());
        t
    }

    /// Reads and folds a request's stream.
    pub async fn load(
        &self,
        request_id: &str,
    ) -> Result<Option<(RequestState, u64)>, CoordinatorError> {
        let recorded = self.storage.read_stream(request_id).await?;
        let version = recorded.len() as u64;
        let events = recorded
            .iter()
            .map(codec::decode)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CoordinatorError::Internal(format!("stream {request_id}: {e}")))?;
        Ok(RequestState::replay(&events).map(|s| (s, version)))
    }

    pub async fn get(&self, request_id: &str) -> Result<RequestState, CoordinatorError> {
        self.load(request_id)
            .await?
            .map(|(s, _)| s)
            .ok_or_else(|| CoordinatorError::NotFound(request_id.to_owned()))
    }

    #[tracing::instrument(skip_all, fields(request_id = tracing::field::Empty))]
    pub async fn submit(&self, input: SubmitInput) -> Result<Submitted, CoordinatorError> {
        self.inventory.check_scope(&input.scope)?;
        let request_id = match &input.idempotency_key {
            Some(k) => self.vault.request_id_for(k),
            None => uuid::Uuid::new_v4().to_string(),
        };
        tracing::Span::current().record("request_id", request_id.as_str());
        if let Some(existing) = self.existing(&request_id, &input).await? {
            return Ok(existing);
        }
        let received = self.seal_request(&request_id, &input).await?;
        let decision = decide::receive(
            None,
            received,
            &self.inventory,
            &self.policy,
            self.clock.now(),
        )?;
        match self.append(&request_id, 0, decision).await {
            Ok(_) => {
                tracing::info!("request received");
                Ok(Submitted {
                    request_id,
                    existing: false,
                })
            }
            // The same idempotency key, submitted concurrently: the other one won.
            Err(CoordinatorError::Store(StoreError::Conflict { .. })) => {
                self.existing(&request_id, &input).await?.ok_or_else(|| {
                    CoordinatorError::Internal("conflict on a stream that does not exist".into())
                })
            }
            Err(e) => Err(e),
        }
    }

    /// An earlier request with the same idempotency key: the same one if its identifiers
    /// match, otherwise a clear refusal.
    async fn existing(
        &self,
        request_id: &str,
        input: &SubmitInput,
    ) -> Result<Option<Submitted>, CoordinatorError> {
        let Some((state, _)) = self.load(request_id).await? else {
            return Ok(None);
        };
        if state.received.blind_index != self.vault.blind_indexes(&input.identifiers) {
            return Err(CoordinatorError::IdempotencyMismatch(request_id.to_owned()));
        }
        Ok(Some(Submitted {
            request_id: request_id.to_owned(),
            existing: true,
        }))
    }

    async fn seal_request(
        &self,
        request_id: &str,
        input: &SubmitInput,
    ) -> Result<RequestReceived, CoordinatorError> {
        let wrapped = self.vault.new_wrapped_key(request_id)?;
        let stored = self.storage.put_key_if_absent(request_id, &wrapped).await?;
        let dek = self.vault.unwrap_key(&stored, request_id)?;
        let salt: [u8; 32] = random_bytes()?;
        let payload = pb::SealedPayload {
            identifiers: Some(identifiers_to_pb(&input.identifiers)),
            commitment_salt: salt.to_vec(),
        };
        let now = self.clock.now();
        Ok(RequestReceived {
            request_id: RequestId::new(request_id),
            received_at: now,
            deadline: deadline::deadline_for(now.date_naive()),
            jurisdiction: input.jurisdiction.clone(),
            channel: input.channel.clone(),
            verified_by: input.verified_by.clone(),
            scope: input.scope.clone(),
            sealed_identifiers: dek.seal(&payload.encode_to_vec(), request_id)?,
            blind_index: self.vault.blind_indexes(&input.identifiers),
            idempotency_key_hash: input
                .idempotency_key
                .as_deref()
                .map(|k| self.vault.idempotency_hash(k))
                .unwrap_or_default(),
            identifier_commitment: erasure_proof::identifier_commitment(
                &salt,
                &input.identifiers.canonical_bytes(),
            )
            .to_vec(),
        })
    }

    /// Opens a request's sealed identifiers (for its work orders).
    pub async fn open_identifiers(
        &self,
        state: &RequestState,
    ) -> Result<pb::Identifiers, CoordinatorError> {
        let request_id = state.received.request_id.as_str();
        let wrapped = self.storage.get_key(request_id).await?.ok_or_else(|| {
            CoordinatorError::FailedPrecondition(format!(
                "the data key of request {request_id} was destroyed"
            ))
        })?;
        let dek = self.vault.unwrap_key(&wrapped, request_id)?;
        let plain = dek.open(&state.received.sealed_identifiers, request_id)?;
        let payload = pb::SealedPayload::decode(plain.as_slice())
            .map_err(|_| CoordinatorError::Internal("sealed payload undecodable".into()))?;
        payload
            .identifiers
            .ok_or_else(|| CoordinatorError::Internal("sealed payload has no identifiers".into()))
    }

    /// Appends a decision, turning its effects into outbox messages (and the certificate).
    async fn append(
        &self,
        request_id: &str,
        version: u64,
        mut decision: Decision,
    ) -> Result<u64, CoordinatorError> {
        if decision.events.is_empty() {
            return Ok(version);
        }
        let mut outbox = Vec::new();
        for effect in std::mem::take(&mut decision.effects) {
            match effect {
                Effect::Dispatch {
                    task_id,
                    system_id,
                    attempt,
                    categories,
                    not_before,
                } => {
                    // Identifiers are not in the outbox: the relay opens them at delivery.
                    let order = pb::WorkOrder {
                        request_id: request_id.to_owned(),
                        task_id: task_id.to_string(),
                        system_id: system_id.to_string(),
                        attempt,
                        identifiers: None,
                        categories,
                        deadline: String::new(),
                        issued_at_ms: ms(self.clock.now()),
                        // Filled at delivery, like the identifiers.
                        ..Default::default()
                    };
                    // The work order continues the trace of the decision that made it.
                    let mut headers = Vec::new();
                    erasure_telemetry::inject_current(&mut headers);
                    outbox.push(NewOutboxMessage {
                        topic: topics::work(system_id.as_str()),
                        key: request_id.to_owned(),
                        payload: order.encode_to_vec(),
                        headers,
                        available_at_ms: ms(not_before),
                    });
                }
                Effect::IssueCertificate | Effect::IssueSupplement => {}
            }
        }
        let events: Vec<_> = decision.events.iter().map(codec::encode).collect();
        let new_version = self
            .storage
            .append(AppendBatch {
                stream_id: request_id.to_owned(),
                expected_version: version,
                events,
                outbox,
            })
            .await?;
        self.appended.notify_waiters();
        log_events(&decision.events);
        Ok(new_version)
    }

    /// Handles one message of the acknowledgment topic. `Ok` means it was recorded (accepted,
    /// rejected or a harmless duplicate); `Err` means try again later.
    pub async fn ingest(&self, message: &Message) -> Result<(), CoordinatorError> {
        let digest = erasure_proof::sha256(&message.payload).to_vec();
        let Ok(signed) = pb::SignedAcknowledgment::decode(message.payload.as_slice()) else {
            return self
                .reject_unattributed("", "", "undecodable message", digest)
                .await;
        };
        let Ok(peeked) = proof_ack::peek_ack(&signed) else {
            return self
                .reject_unattributed("", &signed.key_id, "undecodable acknowledgment", digest)
                .await;
        };
        let span = tracing::info_span!("ingest", request_id = %peeked.request_id, system = %peeked.system_id);
        erasure_telemetry::continue_trace(&span, &message.headers);
        self.ingest_peeked(&message.key, &signed, &peeked, digest)
            .instrument(span)
            .await
    }

    async fn ingest_peeked(
        &self,
        key: &str,
        signed: &pb::SignedAcknowledgment,
        peeked: &pb::Acknowledgment,
        digest: Vec<u8>,
    ) -> Result<(), CoordinatorError> {
        if peeked.request_id != key {
            // Keyed for one request, signed for another: a replay or a forgery.
            let reason = "acknowledgment is for another request";
            return self
                .reject_on(key, &peeked.system_id, &signed.key_id, reason, digest)
                .await;
        }
        for _ in 0..MAX_CONFLICT_RETRIES {
            match self.ingest_once(signed, peeked, &digest).await {
                Err(CoordinatorError::Store(StoreError::Conflict { .. })) => continue,
                other => return other,
            }
        }
        Err(CoordinatorError::Internal(
            "too many concurrent writers on one request".into(),
        ))
    }

    async fn ingest_once(
        &self,
        signed: &pb::SignedAcknowledgment,
        peeked: &pb::Acknowledgment,
        digest: &[u8],
    ) -> Result<(), CoordinatorError> {
        let request_id = peeked.request_id.as_str();
        let Some((state, version)) = self.load(request_id).await? else {
            return self
                .reject_unattributed(
                    &peeked.system_id,
                    &signed.key_id,
                    "acknowledgment for an unknown request",
                    digest.to_vec(),
                )
                .await;
        };
        let now = self.clock.now();
        let rejected = |reason: String| {
            tracing::warn!(%reason, key_id = %signed.key_id, "acknowledgment rejected");
            decide::reject_ack(AckRejected {
                system_id: SystemId::new(peeked.system_id.clone()),
                key_id: signed.key_id.clone(),
                reason,
                message_digest: digest.to_vec(),
                at: now,
            })
        };
        // Signed by a key valid when the connector answered, and still valid now: an
        // acknowledgment signed with a rotated-out key is refused (the task is retried and
        // the connector answers with its new key).
        let verified = proof_ack::verify_ack(&self.trust, signed).and_then(|ack| {
            self.trust
                .connector_key_at(&ack.system_id, &signed.key_id, ms(now))
                .map(|_| ack)
        });
        let decision = match verified {
            Err(e) => rejected(e.to_string()),
            Ok(ack) => match verified_to_domain(&ack, signed, now) {
                Err(why) => rejected(why.into()),
                Ok(accepted) => match decide::accept_ack(
                    &state,
                    accepted,
                    &self.policy,
                    Now {
                        at: now,
                        jitter: jitter(),
                    },
                ) {
                    Ok(d) => d,
                    // A late duplicate of an answer to an earlier attempt: harmless.
                    Err(e @ AckRejection::StaleAttempt { .. }) => {
                        tracing::debug!(reason = %e, "stale acknowledgment ignored");
                        Decision::default()
                    }
                    Err(e) => rejected(e.to_string()),
                },
            },
        };
        let decision = self.with_proofs(&state, decision, now)?;
        self.append(request_id, version, decision).await.map(|_| ())
    }

    /// Reads the request, decides with `decide` and appends, again on a conflict.
    async fn decide_on(
        &self,
        request_id: &str,
        decide: impl Fn(
            &RequestState,
            chrono::DateTime<chrono::Utc>,
        ) -> Result<Decision, CoordinatorError>,
    ) -> Result<RequestState, CoordinatorError> {
        for _ in 0..MAX_CONFLICT_RETRIES {
            let (state, version) = self
                .load(request_id)
                .await?
                .ok_or_else(|| CoordinatorError::NotFound(request_id.to_owned()))?;
            let now = self.clock.now();
            let decision = self.with_proofs(&state, decide(&state, now)?, now)?;
            let next = state.after(&decision.events);
            match self.append(request_id, version, decision).await {
                Err(CoordinatorError::Store(StoreError::Conflict { .. })) => continue,
                Err(e) => return Err(e),
                Ok(_) => return Ok(next),
            }
        }
        Err(CoordinatorError::Internal(
            "too many concurrent writers on one request".into(),
        ))
    }

    /// Fires the request's due timers (see [`decide::tick`]); harmless when none is due.
    #[tracing::instrument(skip(self))]
    pub async fn tick(&self, request_id: &str) -> Result<RequestState, CoordinatorError> {
        self.decide_on(request_id, |state, now| {
            Ok(decide::tick(
                state,
                &self.policy,
                Now {
                    at: now,
                    jitter: jitter(),
                },
            ))
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

    /// When a decision completes the request (or erases what a hold kept), signs its
    /// certificate (or supplement) and adds it to the same append: atomically, once.
    fn with_proofs(
        &self,
        state: &RequestState,
        mut decision: Decision,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Decision, CoordinatorError> {
        let certificate = decision.effects.contains(&Effect::IssueCertificate);
        let supplement = decision.effects.contains(&Effect::IssueSupplement);
        if !certificate && !supplement {
            return Ok(decision);
        }
        let next = state.after(&decision.events);
        let issued = if certificate {
            let signed =
                proof_cert::sign_certificate(&self.signer, &self.certificate_of(&next, now));
            let bytes = signed.encode_to_vec();
            tracing::info!("request completed, certificate issued");
            decide::issue_certificate(&next, erasure_proof::sha256(&bytes).to_vec(), bytes, now)?
        } else {
            let signed = erasure_proof::supplement::sign_supplement(
                &self.signer,
                &self.supplement_of(&next, now)?,
            );
            let bytes = signed.encode_to_vec();
            tracing::info!("held data erased, certificate supplement issued");
            decide::issue_supplement(&next, erasure_proof::sha256(&bytes).to_vec(), bytes, now)?
        };
        decision.events.extend(issued.events);
        Ok(decision)
    }

    fn exception(&self, hold: &Hold) -> pb::RetentionException {
        let rule = self.policy.rules.get(&hold.rule_id);
        let text = |f: fn(&erasure_core::retention::Rule) -> String| {
            rule.map(f)
                .unwrap_or_else(|| "(rule no longer in the rule book)".to_owned())
        };
        pb::RetentionException {
            system_id: hold.system_id.to_string(),
            rule_id: hold.rule_id.clone(),
            category: hold.category.clone(),
            items: hold.items,
            retained_until: hold.retained_until.to_string(),
            statute: text(|r| r.statute.clone()),
            section: text(|r| r.section.clone()),
            ground: text(|r| r.ground.name().to_owned()),
            source: text(|r| r.source.clone()),
            title: text(|r| r.title.clone()),
        }
    }

    fn supplement_of(
        &self,
        state: &RequestState,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<pb::CertificateSupplement, CoordinatorError> {
        let certificate = state.certificate.as_ref().ok_or_else(|| {
            CoordinatorError::Internal("a supplement needs the certificate".into())
        })?;
        Ok(pb::CertificateSupplement {
            format: erasure_proof::supplement::SUPPLEMENT_FORMAT.into(),
            request_id: state.received.request_id.to_string(),
            certificate_hash: certificate.hash.clone(),
            sequence: state.supplements.len() as u32 + 1,
            systems: state
                .tasks
                .values()
                .filter(|t| t.after_hold)
                .filter_map(|t| t.last_ack.as_ref())
                .map(system_result)
                .collect(),
            ended: state
                .ended_holds()
                .iter()
                .map(|h| self.exception(h))
                .collect(),
            remaining: state.holds().map(|h| self.exception(h)).collect(),
            coordinator_key_id: self.signer.key_id().to_owned(),
            issued_at_ms: ms(now),
        })
    }

    fn certificate_of(
        &self,
        state: &RequestState,
        now: chrono::DateTime<chrono::Utc>,
    ) -> pb::Certificate {
        let r = &state.received;
        pb::Certificate {
            format: proof_cert::CERTIFICATE_FORMAT.into(),
            request_id: r.request_id.to_string(),
            jurisdiction: r.jurisdiction.clone(),
            received_at_ms: ms(r.received_at),
            deadline: state.deadline().to_string(),
            completed_at_ms: state.completed_at.map(ms).unwrap_or_default(),
            identifier_commitment: r.identifier_commitment.clone(),
            systems: state
                .tasks
                .values()
                .filter_map(|t| t.last_ack.as_ref())
                .map(system_result)
                .collect(),
            coordinator_key_id: self.signer.key_id().to_owned(),
            issued_at_ms: ms(now),
            exceptions: state.holds().map(|h| self.exception(h)).collect(),
            extension: state.extension.as_ref().map(|e| pb::DeadlineExtension {
                months: e.months,
                reason: e.reason.clone(),
                original_deadline: r.deadline.to_string(),
                extended_at_ms: ms(e.at),
            }),
        }
    }

    async fn reject_on(
        &self,
        request_id: &str,
        system: &str,
        key_id: &str,
        reason: &str,
        digest: Vec<u8>,
    ) -> Result<(), CoordinatorError> {
        if self.load(request_id).await?.is_none() {
            return self
                .reject_unattributed(system, key_id, reason, digest)
                .await;
        }
        self.record_rejection(request_id, system, key_id, reason, digest)
            .await
    }

    async fn reject_unattributed(
        &self,
        system: &str,
        key_id: &str,
        reason: &str,
        digest: Vec<u8>,
    ) -> Result<(), CoordinatorError> {
        self.record_rejection(UNATTRIBUTED_ACKS_STREAM, system, key_id, reason, digest)
            .await
    }

    async fn record_rejection(
        &self,
        stream: &str,
        system: &str,
        key_id: &str,
        reason: &str,
        digest: Vec<u8>,
    ) -> Result<(), CoordinatorError> {
        tracing::warn!(stream, system, key_id, reason, "acknowledgment rejected");
        let decision = decide::reject_ack(AckRejected {
            system_id: SystemId::new(system),
            key_id: key_id.to_owned(),
            reason: reason.to_owned(),
            message_digest: digest,
            at: self.clock.now(),
        });
        for _ in 0..MAX_CONFLICT_RETRIES {
            let version = self.storage.read_stream(stream).await?.len() as u64;
            match self.append(stream, version, decision.clone()).await {
                Err(CoordinatorError::Store(StoreError::Conflict { .. })) => continue,
                other => return other.map(|_| ()),
            }
        }
        Err(CoordinatorError::Internal(
            "too many concurrent writers on the rejection stream".into(),
        ))
    }

    /// The supplement files (JSON) of a request, in order of issue, each with its proof
    /// of inclusion in the transparency log.
    pub async fn supplements_json(
        &self,
        request_id: &str,
        log: &TransparencyLog,
    ) -> Result<Vec<String>, CoordinatorError> {
        let state = self.get(request_id).await?;
        let mut files = Vec::new();
        for s in &state.supplements {
            let signed = decode_signed(&s.signed_certificate, "supplement")?;
            let proof = log.proof_for(&leaf(&s.hash)?).await?;
            let file = erasure_proof::supplement::supplement_to_file(
                &signed,
                self.public_keys(),
                Some(proof),
            )
            .map_err(internal)?;
            files.push(serde_json::to_string_pretty(&file).map_err(internal)?);
        }
        Ok(files)
    }

    /// The certificate file (JSON) of a completed request, with its proof of inclusion
    /// in the transparency log.
    pub async fn certificate_json(
        &self,
        request_id: &str,
        log: &TransparencyLog,
    ) -> Result<String, CoordinatorError> {
        let state = self.get(request_id).await?;
        let cert = state.certificate.ok_or_else(|| {
            CoordinatorError::FailedPrecondition(format!(
                "request {request_id} has no certificate yet (status: {:?})",
                state.status
            ))
        })?;
        let signed = decode_signed(&cert.signed_certificate, "certificate")?;
        let proof = log.proof_for(&leaf(&cert.hash)?).await?;
        let file =
            proof_cert::to_file(&signed, self.public_keys(), Some(proof)).map_err(internal)?;
        serde_json::to_string_pretty(&file).map_err(internal)
    }

    /// Signs a head of the transparency log now.
    pub fn sign_tree_head(&self, tree_size: u64, root: &Hash) -> pb::SignedTreeHead {
        erasure_proof::transparency::sign_tree_head(
            &self.signer,
            tree_size,
            root,
            ms(self.clock.now()),
        )
    }
}

fn decode_signed(bytes: &[u8], what: &str) -> Result<pb::SignedCertificate, CoordinatorError> {
    pb::SignedCertificate::decode(bytes)
        .map_err(|_| CoordinatorError::Internal(format!("stored {what} undecodable")))
}

fn leaf(hash: &[u8]) -> Result<Hash, CoordinatorError> {
    Hash::try_from(hash).map_err(|_| internal("stored certificate hash of wrong length"))
}

fn internal(e: impl ToString) -> CoordinatorError {
    CoordinatorError::Internal(e.to_string())
}

fn system_result(a: &AckAccepted) -> pb::SystemResult {
    pb::SystemResult {
        system_id: a.system_id.to_string(),
        outcome: a.outcome.to_pb() as i32,
        acknowledgment: Some(pb::SignedAcknowledgment {
            ack: a.signed.ack.clone(),
            signature: a.signed.signature.clone(),
            key_id: a.signed.key_id.clone(),
        }),
    }
}

/// Uniform in [0, 1), to spread retries.
fn jitter() -> f64 {
    random_bytes::<8>()
        .map(|b| (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64)
        .unwrap_or(0.5)
}

/// What operators must see in the log: failures, overdue requests, holds ending.
fn log_events(events: &[Event]) {
    for e in events {
        match e {
            Event::TaskFailed {
                system_id, reason, ..
            } => {
                tracing::error!(system = %system_id, %reason, "task failed; an operator can retry it")
            }
            Event::AckAccepted(a)
                if a.outcome == erasure_core::events::Outcome::FailedPermanent =>
            {
                tracing::error!(system = %a.system_id, detail = %a.detail, "task failed permanently; an operator can retry it")
            }
            Event::RequestOverdue { deadline, .. } => {
                tracing::warn!(%deadline, "request overdue")
            }
            Event::DeadlineApproaching {
                deadline,
                days_before,
                ..
            } => tracing::warn!(%deadline, days_before, "deadline approaching"),
            Event::TaskTimedOut {
                system_id, attempt, ..
            } => tracing::warn!(system = %system_id, attempt, "no answer; dispatching again"),
            Event::ErasureDeferred {
                system_id,
                rule_id,
                retained_until,
                ..
            } => {
                tracing::info!(system = %system_id, rule = %rule_id, %retained_until, "erasure deferred under a legal hold")
            }
            Event::HoldEnded {
                system_id,
                rule_ids,
                ..
            } => {
                tracing::info!(system = %system_id, rules = ?rule_ids, "legal hold ended; erasing")
            }
            Event::DeadlineExtended { deadline, .. } => {
                tracing::info!(%deadline, "deadline extended")
            }
            _ => {}
        }
    }
}

fn verified_to_domain(
    ack: &pb::Acknowledgment,
    signed: &pb::SignedAcknowledgment,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<AckAccepted, &'static str> {
    Ok(AckAccepted {
        task_id: ack.task_id.as_str().into(),
        system_id: ack.system_id.as_str().into(),
        attempt: ack.attempt,
        outcome: erasure_core::events::Outcome::from_pb(ack.outcome)
            .ok_or("acknowledgment has no valid outcome")?,
        items_affected: ack.items_affected,
        evidence_summary: ack.evidence_summary.clone(),
        detail: ack.detail.clone(),
        retained: ack
            .retained
            .iter()
            .map(Retained::from_pb)
            .collect::<Option<Vec<_>>>()
            .ok_or("acknowledgment has a retention date that is not YYYY-MM-DD")?,
        signed: SignedAck {
            ack: signed.ack.clone(),
            signature: signed.signature.clone(),
            key_id: signed.key_id.clone(),
        },
        at: now,
    })
}

pub fn identifiers_to_pb(ids: &Identifiers) -> pb::Identifiers {
    use erasure_core::IdentifierKind as K;
    let get = |k| ids.get(k).unwrap_or_default().to_owned();
    pb::Identifiers {
        email: get(K::Email),
        phone: get(K::Phone),
        customer_id: get(K::CustomerId),
    }
}
