//! Translation between the wire protocol (`WorkOrder`, `Acknowledgment`) and the SDK's
//! [`Job`] and [`Report`]. Pure.

use crate::connector::{Job, Report};
use erasure_core::events::Outcome;
use erasure_core::{Identifiers, SystemId};
use erasure_proto::v1::{self as proto, Acknowledgment, WorkOrder};

/// The detail of the acknowledgment for a work order whose identifiers are missing or invalid.
pub(crate) const NO_VALID_IDENTIFIER: &str = "work order carried no valid identifier";

/// The job a work order asks for, or `None` when it carries no valid identifier. The
/// identifier error itself is dropped: it says nothing a log may not, but nothing useful either.
pub(crate) fn job_from_order(order: &WorkOrder) -> Option<Job> {
    let ids = order.identifiers.as_ref()?;
    let identifiers =
        Identifiers::parse(Some(&ids.email), Some(&ids.phone), Some(&ids.customer_id)).ok()?;
    Some(Job {
        request_id: order.request_id.clone(),
        task_id: order.task_id.clone(),
        system_id: SystemId::new(order.system_id.as_str()),
        attempt: order.attempt,
        identifiers,
        categories: order.categories.clone(),
    })
}

/// The acknowledgment of `report` for `order`, ready to sign.
pub(crate) fn acknowledgment(
    order: &WorkOrder,
    report: &Report,
    completed_at_ms: i64,
) -> Acknowledgment {
    Acknowledgment {
        request_id: order.request_id.clone(),
        task_id: order.task_id.clone(),
        system_id: order.system_id.clone(),
        attempt: order.attempt,
        outcome: proto_outcome(report.outcome) as i32,
        items_affected: report.items_affected,
        evidence_digest: erasure_proof::sha256(&report.evidence).to_vec(),
        evidence_summary: report.evidence_summary.clone(),
        completed_at_ms,
        detail: report.detail.clone(),
    }
}

pub(crate) fn proto_outcome(outcome: Outcome) -> proto::Outcome {
    match outcome {
        Outcome::Erased => proto::Outcome::Erased,
        Outcome::Anonymised => proto::Outcome::Anonymised,
        Outcome::NothingFound => proto::Outcome::NothingFound,
        Outcome::Retained => proto::Outcome::Retained,
        Outcome::FailedRetryable => proto::Outcome::FailedRetryable,
        Outcome::FailedPermanent => proto::Outcome::FailedPermanent,
    }
}

/// Headers carried over from a work order to its acknowledgment: the W3C trace context,
/// so that the acknowledgment joins the trace of the dispatch.
pub(crate) fn trace_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("traceparent"))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use erasure_core::IdentifierKind;

    fn order(ids: Option<proto::Identifiers>) -> WorkOrder {
        WorkOrder {
            request_id: "r1".into(),
            task_id: "r1/crm".into(),
            system_id: "crm".into(),
            attempt: 2,
            identifiers: ids,
            categories: vec!["contact".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_job_carries_the_order_and_normalised_identifiers() {
        let ids = proto::Identifiers {
            email: " Alice@Example.com".into(),
            ..Default::default()
        };
        let job = job_from_order(&order(Some(ids))).expect("valid");
        assert_eq!(
            job.identifiers.get(IdentifierKind::Email),
            Some("alice@example.com")
        );
        assert_eq!(job.identifiers.get(IdentifierKind::Phone), None);
        assert_eq!((job.attempt, job.task_id.as_str()), (2, "r1/crm"));
        assert_eq!(job.system_id.as_str(), "crm");
        assert_eq!(job.categories, ["contact"]);
    }

    #[test]
    fn missing_or_invalid_identifiers_give_no_job() {
        assert_eq!(job_from_order(&order(None)), None);
        assert_eq!(
            job_from_order(&order(Some(proto::Identifiers::default()))),
            None
        );
        let bad = proto::Identifiers {
            phone: "040 123".into(),
            ..Default::default()
        };
        assert_eq!(job_from_order(&order(Some(bad))), None);
    }

    #[test]
    fn the_acknowledgment_digests_the_evidence() {
        let report = Report::from_counts(1, 0, "t: 1 deleted", b"{}".to_vec());
        let ack = acknowledgment(&order(None), &report, 42);
        assert_eq!(ack.evidence_digest, erasure_proof::sha256(b"{}").to_vec());
        assert_eq!(ack.outcome, proto::Outcome::Erased as i32);
        assert_eq!(
            (ack.attempt, ack.completed_at_ms, ack.items_affected),
            (2, 42, 1)
        );
        assert_eq!(ack.evidence_summary, "t: 1 deleted");
    }

    #[test]
    fn only_the_trace_context_is_carried_over() {
        let headers = vec![
            ("traceparent".to_owned(), "00-abc-def-01".to_owned()),
            ("x-other".to_owned(), "dropped".to_owned()),
        ];
        assert_eq!(trace_headers(&headers), headers[..1]);
    }
}
