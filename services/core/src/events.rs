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

    /// The wire form (`erasure.v1.Outcome`).
    pub fn to_pb(self) -> erasure_proto::v1::Outcome {
        use erasure_proto::v1::Outcome as Pb;
        match self {
            Self::Erased => Pb::Erased,
            Self::Anonymised => Pb::Anonymised,
            Self::NothingFound => Pb::NothingFound,
            Self::Retained => Pb::Retained,
            Self::FailedRetryable => Pb::FailedRetryable,
            Self::FailedPermanent => Pb::FailedPermanent,
        }
    }

    /// `None` for `OUTCOME_UNSPECIFIED` or an unknown value.
    pub fn from_pb(o: i32) -> Option<Self> {
        use erasure_proto::v1::Outcome as Pb;
        Some(match Pb::try_from(o).ok()? {
            Pb::Unspecified => return None,
            Pb::Erased => Self::Erased,
            Pb::Anonymised => Self::Anonymised,
            Pb::NothingFound => Self::NothingFound,
            Pb::Retained => Self::Retained,
            Pb::FailedRetryable => Self::FailedRetryable,
            Pb::FailedPermanent => Self::FailedPermanent,
        })
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

/// Items a connector kept under a retention rule instead of erasing them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retained {
    pub rule_id: String,
    pub category: String,
    pub items: u64,
    pub latest_reference_date: NaiveDate,
    pub retained_until: NaiveDate,
}

impl Retained {
    pub fn to_pb(&self) -> erasure_proto::v1::Retention {
        erasure_proto::v1::Retention {
            rule_id: self.rule_id.clone(),
            category: self.category.clone(),
            items: self.items,
            latest_reference_date: self.latest_reference_date.to_string(),
            retained_until: self.retained_until.to_string(),
        }
    }

    /// `None` when a date is not `YYYY-MM-DD`.
    pub fn from_pb(r: &erasure_proto::v1::Retention) -> Option<Self> {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        Some(Self {
            rule_id: r.rule_id.clone(),
            category: r.category.clone(),
            items: r.items,
            latest_reference_date: date(&r.latest_reference_date)?,
            retained_until: date(&r.retained_until)?,
        })
    }
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
        /// Timer: without an answer by then, the task times out.
        answer_by: DateTime<Utc>,
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
            Self::ErasureDeferred { .. } => "ErasureDeferred",
            Self::HoldEnded { .. } => "HoldEnded",
            Self::SupplementIssued { .. } => "SupplementIssued",
            Self::DeadlineExtended { .. } => "DeadlineExtended",
            Self::DeadlineApproaching { .. } => "DeadlineApproaching",
            Self::RequestOverdue { .. } => "RequestOverdue",
            Self::TaskTimedOut { .. } => "TaskTimedOut",
            Self::TaskFailed { .. } => "TaskFailed",
            Self::TaskRetryRequested { .. } => "TaskRetryRequested",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn outcomes_round_trip_the_wire_and_unspecified_is_none() {
        for o in [
            Outcome::Erased,
            Outcome::Anonymised,
            Outcome::NothingFound,
            Outcome::Retained,
            Outcome::FailedRetryable,
            Outcome::FailedPermanent,
        ] {
            assert_eq!(Outcome::from_pb(o.to_pb() as i32), Some(o));
        }
        assert_eq!(Outcome::from_pb(0), None);
        assert_eq!(Outcome::from_pb(99), None);
    }
}
