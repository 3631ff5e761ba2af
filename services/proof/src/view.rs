//! Readable views shared by certificates and supplements: what a person reads, derived
//! from the signed bytes and never trusted on their own (verification re-derives them and
//! compares).

use crate::{ProofError, ack};
use chrono::{DateTime, Utc};
use erasure_proto::v1::{
    OperatorAttestation, Outcome, Retention, RetentionException, SignedAcknowledgment, SystemResult,
};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

mod notices;

pub use notices::{AttachmentView, AttestationView, BackupView, RecipientView};
pub(crate) use notices::{backup_views, recipient_views};

/// One system's answer: from its acknowledgment, or, for a manual task, from the
/// operator's attestation. An attested entry has `attestation` and none of the
/// acknowledgment's fields (they stay empty here and are left out of the JSON), so it can
/// never read as signed by a connector.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemView {
    pub system_id: String,
    pub outcome: String,
    #[serde(default)]
    pub items_affected: u64,
    #[serde(default)]
    pub evidence_summary: String,
    #[serde(default)]
    pub evidence_digest: String,
    #[serde(default)]
    pub acknowledged_at: String,
    #[serde(default)]
    pub connector_key_id: String,
    /// What the connector kept under a legal hold, in its own words (its acknowledgment).
    /// Files written before holds existed have no such field.
    #[serde(default)]
    pub retained: Vec<RetainedView>,
    /// What an operator attested, for a manual task (no connector signed it).
    #[serde(default)]
    pub attestation: Option<AttestationView>,
}

/// An acknowledged entry as it always was; an attested one as `system_id`, `outcome` and
/// `attestation`, with an acknowledgment's field only if it is not empty (never, when
/// derived from signed bytes: a file that adds one does not match).
impl Serialize for SystemView {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let attested = self.attestation.is_some();
        let mut s = serializer.serialize_struct("SystemView", 9)?;
        s.serialize_field("system_id", &self.system_id)?;
        s.serialize_field("outcome", &self.outcome)?;
        if !attested || self.items_affected != 0 {
            s.serialize_field("items_affected", &self.items_affected)?;
        }
        for (name, value) in [
            ("evidence_summary", &self.evidence_summary),
            ("evidence_digest", &self.evidence_digest),
            ("acknowledged_at", &self.acknowledged_at),
            ("connector_key_id", &self.connector_key_id),
        ] {
            if !attested || !value.is_empty() {
                s.serialize_field(name, value)?;
            }
        }
        if !attested || !self.retained.is_empty() {
            s.serialize_field("retained", &self.retained)?;
        }
        if let Some(attestation) = &self.attestation {
            s.serialize_field("attestation", attestation)?;
        }
        s.end()
    }
}

/// Items a connector kept under one retention rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetainedView {
    pub rule_id: String,
    pub category: String,
    pub items: u64,
    pub retained_until: String,
}

/// Data kept under a legal hold instead of being erased, as the coordinator declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionView {
    pub system_id: String,
    pub rule_id: String,
    pub category: String,
    pub items: u64,
    /// The last day of retention (YYYY-MM-DD).
    pub retained_until: String,
    pub title: String,
    /// "statute, section", e.g. "Kirjanpitolaki (Accounting Act) 1336/1997, ch. 2 § 10(1)".
    pub citation: String,
    /// The exception of GDPR Art. 17(3) relied on, spelled out for a reader.
    pub ground: String,
    pub source: String,
}

impl From<&RetentionException> for ExceptionView {
    fn from(e: &RetentionException) -> Self {
        Self {
            system_id: e.system_id.clone(),
            rule_id: e.rule_id.clone(),
            category: e.category.clone(),
            items: e.items,
            retained_until: e.retained_until.clone(),
            title: e.title.clone(),
            citation: citation(&e.statute, &e.section),
            ground: ground_name(&e.ground),
            source: e.source.clone(),
        }
    }
}

impl From<&Retention> for RetainedView {
    fn from(r: &Retention) -> Self {
        Self {
            rule_id: r.rule_id.clone(),
            category: r.category.clone(),
            items: r.items,
            retained_until: r.retained_until.clone(),
        }
    }
}

/// Outcome names as the API and certificates spell them.
pub fn outcome_name(outcome: i32) -> &'static str {
    match Outcome::try_from(outcome).unwrap_or(Outcome::Unspecified) {
        Outcome::Unspecified => "unspecified",
        Outcome::Erased => "erased",
        Outcome::Anonymised => "anonymised",
        Outcome::NothingFound => "nothing-found",
        Outcome::Retained => "retained",
        Outcome::FailedRetryable => "failed-retryable",
        Outcome::FailedPermanent => "failed-permanent",
        Outcome::Accepted => "accepted",
        Outcome::InBackups => "in-backups",
    }
}

/// A retention ground as a reader expects it: the article it rests on, then its name.
pub fn ground_name(ground: &str) -> String {
    match ground {
        "legal-obligation" => "GDPR Art. 17(3)(b) legal obligation".into(),
        "legal-claims" => "GDPR Art. 17(3)(e) legal claims".into(),
        other => format!("unknown ground {other:?}"),
    }
}

fn citation(statute: &str, section: &str) -> String {
    [statute, section]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| format!("invalid time {ms}"))
}

/// The systems' views, acknowledgments decoded but not verified.
pub(crate) fn system_views(systems: &[SystemResult]) -> Result<Vec<SystemView>, ProofError> {
    systems.iter().map(system_view).collect()
}

/// An attestation, when there is one, is what the entry reads as (an entry with both fails
/// its "attestation of" check); otherwise the acknowledgment.
fn system_view(s: &SystemResult) -> Result<SystemView, ProofError> {
    match (&s.attestation, &s.acknowledgment) {
        (Some(a), _) => Ok(attested_view(s, a)),
        (None, Some(signed)) => acknowledged_view(s, signed),
        (None, None) => Err(ProofError::Malformed(format!(
            "system {}: no acknowledgment",
            s.system_id
        ))),
    }
}

fn acknowledged_view(
    s: &SystemResult,
    signed: &SignedAcknowledgment,
) -> Result<SystemView, ProofError> {
    let a = ack::peek_ack(signed)?;
    Ok(SystemView {
        system_id: s.system_id.clone(),
        outcome: outcome_name(s.outcome).to_owned(),
        items_affected: a.items_affected,
        evidence_summary: a.evidence_summary,
        evidence_digest: hex::encode(&a.evidence_digest),
        acknowledged_at: rfc3339(a.completed_at_ms),
        connector_key_id: signed.key_id.clone(),
        retained: a.retained.iter().map(RetainedView::from).collect(),
        attestation: None,
    })
}

fn attested_view(s: &SystemResult, a: &OperatorAttestation) -> SystemView {
    SystemView {
        system_id: s.system_id.clone(),
        outcome: outcome_name(s.outcome).to_owned(),
        items_affected: 0,
        evidence_summary: String::new(),
        evidence_digest: String::new(),
        acknowledged_at: String::new(),
        connector_key_id: String::new(),
        retained: Vec::new(),
        attestation: Some(AttestationView::from(a)),
    }
}

pub(crate) fn exception_views(exceptions: &[RetentionException]) -> Vec<ExceptionView> {
    exceptions.iter().map(ExceptionView::from).collect()
}
