//! The event vocabulary. Past tense; each is stored as the protobuf message of the same
//! name in `proto/erasure/v1/events.proto` (the conversions are in `erasure-proto`).

use crate::access::Actor;
use crate::identifiers::IdentifierKind;
use crate::ids::{RequestId, SystemId, TaskId};
use crate::inventory::PlannedTask;
use chrono::{DateTime, NaiveDate, Utc};

/// What a connector reports it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Erased,
    Anonymised,
    NothingFound,
    Retained,
    FailedRetryable,
    FailedPermanent,
    /// Not final: the system (a third party's asynchronous API) took the request and
    /// answers later; the coordinator asks again at the acknowledgment's follow-up time.
    Accepted,
    /// Nothing can be erased now: the person may still be in backup sets that cannot be
    /// edited. They age out on their own, by the last set's expiry date.
    InBackups,
}

impl Outcome {
    /// The task is done: the system holds nothing more to erase for this request (or, for
    /// backups, nothing that can be erased before the sets age out).
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Self::Erased | Self::Anonymised | Self::NothingFound | Self::Retained | Self::InBackups
        )
    }

    /// A final answer: neither a retryable failure nor an interim "accepted".
    pub fn is_final(self) -> bool {
        !matches!(self, Self::FailedRetryable | Self::Accepted)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Erased => "erased",
            Self::Anonymised => "anonymised",
            Self::NothingFound => "nothing-found",
            Self::Retained => "retained",
            Self::FailedRetryable => "failed-retryable",
            Self::FailedPermanent => "failed-permanent",
            Self::Accepted => "accepted",
            Self::InBackups => "in-backups",
        }
    }
}

/// What a dispatch asks of a connector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Erase (or restrict what a rule holds) the person's data.
    #[default]
    Erase,
    /// Find the other identifiers the system files the person under (identity
    /// resolution), before any system erases.
    Resolve,
}

/// Identifiers a system found for the person, when asked to resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub task_id: TaskId,
    pub system_id: SystemId,
    pub attempt: u32,
    /// How many values of each kind were new to the request (counts, never values).
    pub found: Vec<(IdentifierKind, u32)>,
    /// Every identifier of the request after this resolution, sealed like the submitted
    /// ones (empty when nothing new was found).
    pub sealed_identifiers: Vec<u8>,
    pub at: DateTime<Utc>,
}

/// An acknowledgment exactly as the connector signed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAck {
    pub ack: Vec<u8>,
    pub signature: Vec<u8>,
    pub key_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestReceived {
    pub request_id: RequestId,
    pub received_at: DateTime<Utc>,
    pub deadline: NaiveDate,
    pub jurisdiction: String,
    pub channel: String,
    pub verified_by: String,
    pub scope: Vec<SystemId>,
    /// Identifiers sealed under this request's data key (opaque here).
    pub sealed_identifiers: Vec<u8>,
    pub blind_index: Vec<Vec<u8>>,
    pub idempotency_key_hash: Vec<u8>,
    pub identifier_commitment: Vec<u8>,
    /// The controller the request is for, where the operator acts for several.
    pub controller: Option<String>,
    /// The person asked to be told who the data was disclosed to (GDPR Art. 19).
    pub disclose_recipients: bool,
    /// Who submitted it.
    pub submitted_by: Actor,
}

/// Items a connector kept under a retention rule instead of erasing them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retained {
    pub rule_id: String,
    pub category: String,
    pub items: u64,
    pub latest_reference_date: NaiveDate,
    pub retained_until: NaiveDate,
}

/// A backup set that may still hold the person: taken before the erasure, not yet expired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupCopy {
    pub set_id: String,
    pub taken_at: DateTime<Utc>,
    /// The last day the set may exist; it is deleted by the end of it.
    pub expires_on: NaiveDate,
    /// The systems whose data the set holds.
    pub systems: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckAccepted {
    pub task_id: TaskId,
    pub system_id: SystemId,
    pub attempt: u32,
    pub outcome: Outcome,
    pub items_affected: u64,
    pub evidence_summary: String,
    pub detail: String,
    /// With [`Outcome::Retained`]: what was kept, per rule.
    pub retained: Vec<Retained>,
    /// The recipient's own reference for the request, if it gave one.
    pub reference: String,
    /// With [`Outcome::Accepted`]: when the connector expects to know more.
    pub follow_up_at: Option<DateTime<Utc>>,
    /// With [`Outcome::InBackups`]: the sets that may still hold the person.
    pub backups: Vec<BackupCopy>,
    pub signed: SignedAck,
    pub at: DateTime<Utc>,
}

/// A file an operator gave as evidence: its name, digest and size, never its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub sha256: Vec<u8>,
    pub size: u64,
}

/// An operator closed a manual task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attestation {
    pub task_id: TaskId,
    pub system_id: SystemId,
    /// [`Outcome::Erased`] or [`Outcome::NothingFound`].
    pub outcome: Outcome,
    /// Who did it.
    pub operator: String,
    /// What was done, in the operator's words.
    pub evidence: String,
    pub attachment: Option<Attachment>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckRejected {
    pub system_id: SystemId,
    pub key_id: String,
    pub reason: String,
    pub message_digest: Vec<u8>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    RequestReceived(RequestReceived),
    ErasurePlanned {
        tasks: Vec<PlannedTask>,
    },
    TaskDispatched {
        task_id: TaskId,
        system_id: SystemId,
        attempt: u32,
        at: DateTime<Utc>,
        not_before: DateTime<Utc>,
        /// Timer: without an answer by then, the task times out.
        answer_by: DateTime<Utc>,
        purpose: Purpose,
    },
    /// A system answered a resolution with what it found (perhaps nothing).
    IdentifiersResolved(Resolved),
    /// A system could not resolve; `permanent` says whether asking again can help.
    ResolutionFailed {
        task_id: TaskId,
        system_id: SystemId,
        attempt: u32,
        permanent: bool,
        detail: String,
        at: DateTime<Utc>,
    },
    AckAccepted(AckAccepted),
    AckRejected(AckRejected),
    TaskRetryScheduled {
        task_id: TaskId,
        next_attempt: u32,
        not_before: DateTime<Utc>,
        reason: String,
    },
    RequestCompleted {
        at: DateTime<Utc>,
    },
    RequestFailed {
        failed_systems: Vec<SystemId>,
        at: DateTime<Utc>,
    },
    CertificateIssued {
        certificate_hash: Vec<u8>,
        signed_certificate: Vec<u8>,
        at: DateTime<Utc>,
    },
    /// Items kept under a legal hold. Timer: at `release_at` the hold ends.
    ErasureDeferred {
        system_id: SystemId,
        rule_id: String,
        category: String,
        items: u64,
        retained_until: NaiveDate,
        release_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    /// A system's holds ended; the `TaskDispatched` that follows erases what they kept.
    HoldEnded {
        system_id: SystemId,
        rule_ids: Vec<String>,
        at: DateTime<Utc>,
    },
    SupplementIssued {
        sequence: u32,
        supplement_hash: Vec<u8>,
        signed_supplement: Vec<u8>,
        at: DateTime<Utc>,
    },
    DeadlineExtended {
        months: u32,
        reason: String,
        deadline: NaiveDate,
        /// Who extended it.
        by: Actor,
        at: DateTime<Utc>,
    },
    DeadlineApproaching {
        deadline: NaiveDate,
        days_before: u32,
        at: DateTime<Utc>,
    },
    RequestOverdue {
        deadline: NaiveDate,
        at: DateTime<Utc>,
    },
    TaskTimedOut {
        task_id: TaskId,
        system_id: SystemId,
        attempt: u32,
        at: DateTime<Utc>,
    },
    TaskFailed {
        task_id: TaskId,
        system_id: SystemId,
        reason: String,
        at: DateTime<Utc>,
    },
    TaskRetryRequested {
        task_id: TaskId,
        system_id: SystemId,
        reason: String,
        /// Who asked for it.
        by: Actor,
        at: DateTime<Utc>,
    },
    /// The system accepted `attempt` and answers later. Timer: unless the final answer
    /// comes first, the next attempt is dispatched at `follow_up_at`, with a fresh budget.
    FollowUpScheduled {
        task_id: TaskId,
        system_id: SystemId,
        attempt: u32,
        follow_up_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    /// Every backup set that might still hold the person has expired.
    BackupsAgedOut {
        system_id: SystemId,
        set_ids: Vec<String>,
        expired_on: NaiveDate,
        at: DateTime<Utc>,
    },
    /// A task no connector does: it waits for an operator.
    ManualTaskOpened {
        task_id: TaskId,
        system_id: SystemId,
        at: DateTime<Utc>,
    },
    TaskAttested(Attestation),
    /// A supervisor refused the request (GDPR Art. 12(5): manifestly unfounded or
    /// excessive), with the reason owed to the person. Final: nothing more is dispatched
    /// and no certificate is issued.
    RequestRejected {
        reason: String,
        by: Actor,
        at: DateTime<Utc>,
    },
    /// The erasure is dispatched again to systems restored from a backup; the
    /// `TaskDispatched` events follow.
    ErasureReplayed {
        replay_id: String,
        system_ids: Vec<SystemId>,
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    /// The request's data key was destroyed: its sealed identifiers cannot be opened any
    /// more (crypto-shredding). The events and the certificate stay.
    IdentifiersShredded {
        at: DateTime<Utc>,
    },
}

impl Event {
    /// The stored type name: the protobuf message name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::RequestReceived(_) => "RequestReceived",
            Self::ErasurePlanned { .. } => "ErasurePlanned",
            Self::TaskDispatched { .. } => "TaskDispatched",
            Self::IdentifiersResolved(_) => "IdentifiersResolved",
            Self::ResolutionFailed { .. } => "ResolutionFailed",
            Self::AckAccepted(_) => "AckAccepted",
            Self::AckRejected(_) => "AckRejected",
            Self::TaskRetryScheduled { .. } => "TaskRetryScheduled",
            Self::RequestCompleted { .. } => "RequestCompleted",
            Self::RequestFailed { .. } => "RequestFailed",
            Self::CertificateIssued { .. } => "CertificateIssued",
            Self::ErasureDeferred { .. } => "ErasureDeferred",
            Self::HoldEnded { .. } => "HoldEnded",
            Self::SupplementIssued { .. } => "SupplementIssued",
            Self::DeadlineExtended { .. } => "DeadlineExtended",
            Self::DeadlineApproaching { .. } => "DeadlineApproaching",
            Self::RequestOverdue { .. } => "RequestOverdue",
            Self::TaskTimedOut { .. } => "TaskTimedOut",
            Self::TaskFailed { .. } => "TaskFailed",
            Self::TaskRetryRequested { .. } => "TaskRetryRequested",
            Self::FollowUpScheduled { .. } => "FollowUpScheduled",
            Self::BackupsAgedOut { .. } => "BackupsAgedOut",
            Self::ManualTaskOpened { .. } => "ManualTaskOpened",
            Self::TaskAttested(_) => "TaskAttested",
            Self::ErasureReplayed { .. } => "ErasureReplayed",
            Self::IdentifiersShredded { .. } => "IdentifiersShredded",
            Self::RequestRejected { .. } => "RequestRejected",
        }
    }
}
