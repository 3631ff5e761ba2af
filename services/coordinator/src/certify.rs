//! Certificates and supplements: built from a request's state, signed by the coordinator's
//! key, and added to the decision that completes the request (or erases what a hold kept),
//! so they are appended atomically with it, once.

use crate::error::CoordinatorError;
use chrono::{DateTime, Utc};
use erasure_core::decide::{self, Policy};
use erasure_core::retention::RuleBook;
use erasure_core::state::Hold;
use erasure_core::{Decision, Effect, RequestState};
use erasure_proof::merkle::Hash;
use erasure_proof::{KeyPair, TrustStore, certificate as proof_cert, supplement};
use erasure_proto::convert::{
    aged_out_exceptions, backup_exceptions, deadline_extension, kind_counts, ms, recipient_notices,
    retention_exception, system_result,
};
use erasure_proto::v1 as pb;
use prost::Message as _;

/// The coordinator's signing key and the connector keys it trusts.
pub struct Notary {
    signer: KeyPair,
    trust: TrustStore,
}

impl std::fmt::Debug for Notary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notary")
            .field("key_id", &self.signer.key_id())
            .finish_non_exhaustive()
    }
}

impl Notary {
    pub fn new(signer: KeyPair, trust: TrustStore) -> Self {
        Self { signer, trust }
    }

    /// The connector keys acknowledgments are verified against.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// The coordinator's X25519 public key: connectors seal what they found to it.
    pub fn encryption_key(&self) -> Vec<u8> {
        self.signer
            .public()
            .encryption_key()
            .map(|k| k.to_vec())
            .unwrap_or_default()
    }

    /// Opens a blob a connector sealed to the coordinator's encryption key.
    pub fn open(
        &self,
        binding: &erasure_proof::sealed::Binding,
        sealed: &erasure_proof::sealed::Sealed,
    ) -> Result<Vec<u8>, erasure_proof::ProofError> {
        self.signer.open(binding, sealed)
    }

    /// Public keys of the coordinator and every trusted connector.
    pub fn public_keys(&self) -> TrustStore {
        let mut t = self.trust.clone();
        t.add_coordinator(&self.signer.public());
        t
    }

    /// Signs a head of the transparency log, at `now`.
    pub fn sign_tree_head(
        &self,
        tree_size: u64,
        root: &Hash,
        now: DateTime<Utc>,
    ) -> pb::SignedTreeHead {
        erasure_proof::transparency::sign_tree_head(&self.signer, tree_size, root, ms(now))
    }

    /// When `decision` completes the request (or erases what a hold kept), signs its
    /// certificate (or supplement) and adds it to the decision's events.
    pub fn with_proofs(
        &self,
        policy: &Policy,
        state: &RequestState,
        mut decision: Decision,
        now: DateTime<Utc>,
    ) -> Result<Decision, CoordinatorError> {
        let certificate = decision.effects.contains(&Effect::IssueCertificate);
        let supplement = decision.effects.contains(&Effect::IssueSupplement);
        if !certificate && !supplement {
            return Ok(decision);
        }
        let next = state.after(&decision.events);
        let span =
            tracing::info_span!("certificate", request_id = %next.received.request_id, supplement);
        let _entered = span.enter();
        let issued = if certificate {
            let signed = proof_cert::sign_certificate(
                &self.signer,
                &self.certificate_of(&next, &policy.rules, now),
            );
            let bytes = signed.encode_to_vec();
            tracing::info!("request completed, certificate issued");
            decide::issue_certificate(&next, erasure_proof::sha256(&bytes).to_vec(), bytes, now)?
        } else {
            let signed = supplement::sign_supplement(
                &self.signer,
                &self.supplement_of(&next, &policy.rules, now)?,
            );
            let bytes = signed.encode_to_vec();
            tracing::info!("held data erased or backups aged out, certificate supplement issued");
            decide::issue_supplement(&next, erasure_proof::sha256(&bytes).to_vec(), bytes, now)?
        };
        decision.events.extend(issued.events);
        Ok(decision)
    }

    fn certificate_of(
        &self,
        state: &RequestState,
        rules: &RuleBook,
        now: DateTime<Utc>,
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
            controller: r.controller.clone().unwrap_or_default(),
            resolutions: state
                .resolutions
                .iter()
                .map(|(system, found)| pb::IdentityResolution {
                    system_id: system.to_string(),
                    found: kind_counts(found),
                })
                .collect(),
            systems: state.tasks.values().filter_map(system_result).collect(),
            coordinator_key_id: self.signer.key_id().to_owned(),
            issued_at_ms: ms(now),
            exceptions: exceptions(state.holds(), rules),
            extension: state
                .extension
                .as_ref()
                .map(|e| deadline_extension(e, r.deadline)),
            backups: backup_exceptions(state)
                .into_iter()
                .chain(aged_out_exceptions(&state.aged_out))
                .collect(),
            recipients: recipient_notices(state),
            recipients_requested: r.disclose_recipients,
        }
    }

    fn supplement_of(
        &self,
        state: &RequestState,
        rules: &RuleBook,
        now: DateTime<Utc>,
    ) -> Result<pb::CertificateSupplement, CoordinatorError> {
        let certificate = state.certificate.as_ref().ok_or_else(|| {
            CoordinatorError::Internal("a supplement needs the certificate".into())
        })?;
        Ok(pb::CertificateSupplement {
            format: supplement::SUPPLEMENT_FORMAT.into(),
            request_id: state.received.request_id.to_string(),
            certificate_hash: certificate.hash.clone(),
            sequence: state.supplements.len() as u32 + 1,
            systems: state
                .tasks
                .values()
                .filter(|t| t.after_hold)
                .filter_map(|t| t.last_ack.as_ref())
                .map(pb::SystemResult::from)
                .collect(),
            ended: exceptions(state.ended_holds(), rules),
            remaining: exceptions(state.holds(), rules),
            coordinator_key_id: self.signer.key_id().to_owned(),
            issued_at_ms: ms(now),
            aged_out: aged_out_exceptions(state.newly_aged_out()),
            backups_remaining: backup_exceptions(state),
        })
    }
}

/// Each hold as an exception with its rule's citation.
fn exceptions<'a>(
    holds: impl IntoIterator<Item = &'a Hold>,
    rules: &RuleBook,
) -> Vec<pb::RetentionException> {
    holds
        .into_iter()
        .map(|h| retention_exception(h, rules.get(&h.rule_id)))
        .collect()
}
