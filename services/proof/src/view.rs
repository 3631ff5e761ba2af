//! Readable views shared by certificates and supplements: what a person reads, derived
//! from the signed bytes and never trusted on their own (verification re-derives them and
//! compares).

use crate::{ProofError, ack};
use chrono::{DateTime, Utc};
use erasure_proto::v1::{Outcome, Retention, RetentionException, SystemResult};
use serde::{Deserialize, Serialize};

/// One system's answer, from its acknowledgment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemView {
    pub system_id: String,
    pub outcome: String,
    pub items_affected: u64,
    pub evidence_summary: String,
    pub evidence_digest: String,
    pub acknowledged_at: String,
    pub connector_key_id: String,
    /// What the connector kept under a legal hold, in its own words (its acknowledgment).
    /// Files written before holds existed have no such field.
    #[serde(default)]
    pub retained: Vec<RetainedView>,
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

fn system_view(s: &SystemResult) -> Result<SystemView, ProofError> {
    let signed = s.acknowledgment.as_ref().ok_or_else(|| {
        ProofError::Malformed(format!("system {}: no acknowledgment", s.system_id))
    })?;
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
    })
}

pub(crate) fn exception_views(exceptions: &[RetentionException]) -> Vec<ExceptionView> {
    exceptions.iter().map(ExceptionView::from).collect()
}
