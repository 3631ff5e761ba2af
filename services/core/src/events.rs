//! The event vocabulary. Past tense; each is stored as the protobuf message of the same
//! name in `proto/erasure/v1/events.proto` (conversions live in the coordinator's codec).

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
}

impl Outcome {
    /// The task is done: the system holds nothing more to erase for this request.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Self::Erased | Self::Anonymised | Self::NothingFound | Self::Retained
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Erased => "erased",
            Self::Anonymised => "anonymised",
            Self::NothingFound => "nothing-found",
            Self::Retained => "retained",
            Self::FailedRetryable => "failed-retryable",
            Self::FailedPermanent => "failed-permanent",
        }
    }
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
    pub signed: SignedAck,
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
}

impl Event {
    /// The stored type name: the protobuf message name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::RequestReceived(_) => "RequestReceived",
            Self::ErasurePlanned { .. } => "ErasurePlanned",
            Self::TaskDispatched { .. } => "TaskDispatched",
            Self::AckAccepted(_) => "AckAccepted",
            Self::AckRejected(_) => "AckRejected",
            Self::TaskRetryScheduled { .. } => "TaskRetryScheduled",
            Self::RequestCompleted { .. } => "RequestCompleted",
            Self::RequestFailed { .. } => "RequestFailed",
            Self::CertificateIssued { .. } => "CertificateIssued",
        }
    }
}
