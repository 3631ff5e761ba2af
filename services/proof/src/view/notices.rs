//! Readable views of what is not a connector's signed answer: an operator's attestation of
//! a manual task, copies in backups ("in backups until D") and the recipients told of the
//! erasure (GDPR Art. 19).

use super::{outcome_name, rfc3339};
use erasure_proto::v1::{Attachment, BackupException, OperatorAttestation, RecipientNotice};
use serde::{Deserialize, Serialize};

/// What an operator attested for a manual task: their word, vouched for by the
/// coordinator's signature only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationView {
    pub operator: String,
    pub evidence: String,
    pub attested_at: String,
    /// The file the operator kept as evidence (never its content).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentView>,
}

/// A file given as evidence: name, hex SHA-256 of its bytes and size in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentView {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

/// A system's copies in backup sets that cannot be edited: "in backups until `until`".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupView {
    pub system_id: String,
    /// The last day a set that may hold the person exists (YYYY-MM-DD).
    pub until: String,
    /// The sets, in the order the system's acknowledgment names them.
    pub set_ids: Vec<String>,
    /// When the coordinator recorded that the sets aged out; absent while they exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aged_out_at: Option<String>,
}

/// A recipient of the data and how it was told of the erasure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientView {
    pub system_id: String,
    pub name: String,
    /// "processor" or "controller".
    pub role: String,
    /// "api", "opendsr", "manual" or "connector".
    pub via: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub told_at: Option<String>,
    /// Its answer: the outcome of its system's result.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    /// Its own reference for the request; absent when it gave none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
}

impl From<&OperatorAttestation> for AttestationView {
    fn from(a: &OperatorAttestation) -> Self {
        Self {
            operator: a.operator.clone(),
            evidence: a.evidence.clone(),
            attested_at: rfc3339(a.attested_at_ms),
            attachment: a.attachment.as_ref().map(AttachmentView::from),
        }
    }
}

impl From<&Attachment> for AttachmentView {
    fn from(a: &Attachment) -> Self {
        Self {
            name: a.name.clone(),
            sha256: hex::encode(&a.sha256),
            size: a.size,
        }
    }
}

impl From<&BackupException> for BackupView {
    fn from(b: &BackupException) -> Self {
        Self {
            system_id: b.system_id.clone(),
            until: b.until.clone(),
            set_ids: b.set_ids.clone(),
            aged_out_at: time(b.aged_out_at_ms),
        }
    }
}

impl From<&RecipientNotice> for RecipientView {
    fn from(r: &RecipientNotice) -> Self {
        Self {
            system_id: r.system_id.clone(),
            name: r.name.clone(),
            role: r.role.clone(),
            via: r.via.clone(),
            told_at: time(r.told_at_ms),
            outcome: outcome_name(r.outcome).to_owned(),
            answered_at: time(r.answered_at_ms),
            reference: r.reference.clone(),
        }
    }
}

/// A time that 0 means "not set".
fn time(ms: i64) -> Option<String> {
    (ms != 0).then(|| rfc3339(ms))
}

pub(crate) fn backup_views(backups: &[BackupException]) -> Vec<BackupView> {
    backups.iter().map(BackupView::from).collect()
}

pub(crate) fn recipient_views(recipients: &[RecipientNotice]) -> Vec<RecipientView> {
    recipients.iter().map(RecipientView::from).collect()
}
