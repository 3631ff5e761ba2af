//! Translation between the wire protocol (`WorkOrder`, `Acknowledgment`) and the SDK's
//! [`Job`] and [`Report`]. Pure.

use crate::connector::{Job, Report, Resolution, ResolutionOutcome};
use chrono::{DateTime, NaiveDate};
use erasure_core::retention::{FinancialYearEnd, Rule, RuleBook};
use erasure_core::{Identifiers, SystemId};
use erasure_proof::KeyPair;
use erasure_proof::sealed::{Binding, RESOLUTION_CONTEXT, Sealed, WORK_ORDER_CONTEXT, seal};
use erasure_proto::v1::{self as proto, Acknowledgment, Outcome, Retention, WorkOrder};
use prost::Message as _;

/// Why a work order cannot become a job. The runner answers it with a permanent failure
/// whose detail is this message: it names fields and rule ids, never a value of the person.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    /// The identifier error itself is dropped: it says nothing a log may not, but nothing
    /// useful either.
    #[error("work order carried no valid identifier")]
    NoValidIdentifier,
    /// Ignoring a bad rule or date could erase what the law says to keep.
    #[error("work order carried an invalid retention rule or date: {0}")]
    InvalidRetention(String),
    #[error("work order carried a malformed controller id")]
    InvalidController,
    /// Sealed to another connector's key (or a rotated-out one), or moved from another
    /// order: the identifiers stay unread.
    #[error(
        "work order's identifiers do not open with this connector's encryption key (sealed to \
         another key, or bound to another request, system or attempt)"
    )]
    Unopenable,
    /// The coordinator must say whom to seal found identifiers to: they are never sent in
    /// plaintext.
    #[error("resolution order carried no valid reply key: found identifiers are sent sealed only")]
    NoReplyKey,
}

/// The job of an order whose identifiers are sealed to this connector's key: opened
/// here, in memory. An order from an older coordinator, with plaintext identifiers and
/// nothing sealed, is read as it is.
pub(crate) fn job_from_sealed_order(order: &WorkOrder, key: &KeyPair) -> Result<Job, Refusal> {
    if order.sealed_identifiers.is_empty() {
        return job_from_order(order);
    }
    let sealed = Sealed {
        encapsulated_key: order.encapsulated_key.clone(),
        ciphertext: order.sealed_identifiers.clone(),
    };
    let bytes = key
        .open(&binding(order, WORK_ORDER_CONTEXT), &sealed)
        .map_err(|_| Refusal::Unopenable)?;
    let identifiers =
        proto::Identifiers::decode(bytes.as_slice()).map_err(|_| Refusal::Unopenable)?;
    job_from_order(&WorkOrder {
        identifiers: Some(identifiers),
        ..order.clone()
    })
}

/// What a sealed blob of `order` is bound to, under `context`.
fn binding<'a>(order: &'a WorkOrder, context: &'a [u8]) -> Binding<'a> {
    Binding {
        context,
        request_id: &order.request_id,
        system_id: &order.system_id,
        attempt: order.attempt,
    }
}

/// The job a work order asks for, checked as strictly as the coordinator's own files.
pub(crate) fn job_from_order(order: &WorkOrder) -> Result<Job, Refusal> {
    let ids = order
        .identifiers
        .as_ref()
        .ok_or(Refusal::NoValidIdentifier)?;
    let identifiers = Identifiers::try_from(ids).map_err(|_| Refusal::NoValidIdentifier)?;
    let holds = holds(order)?;
    Ok(Job {
        request_id: order.request_id.clone(),
        task_id: order.task_id.clone(),
        system_id: SystemId::new(order.system_id.as_str()),
        attempt: order.attempt,
        identifiers,
        categories: order.categories.clone(),
        as_of: as_of(order, !holds.is_empty())?,
        financial_year_end: financial_year_end(order, !holds.is_empty())?,
        holds,
        controller: controller(order)?,
    })
}

fn invalid(why: impl Into<String>) -> Refusal {
    Refusal::InvalidRetention(why.into())
}

/// The order's controller, if it names one: lower-case letters, digits, '-' or '_'.
fn controller(order: &WorkOrder) -> Result<Option<String>, Refusal> {
    match order.controller.as_str() {
        "" => Ok(None),
        c if SystemId::is_valid(c) => Ok(Some(c.to_owned())),
        _ => Err(Refusal::InvalidController),
    }
}

/// Every rule valid, no id twice.
fn holds(order: &WorkOrder) -> Result<Vec<Rule>, Refusal> {
    let rules = order.holds.iter().map(Rule::try_from);
    let rules = rules
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(e.0))?;
    let book = RuleBook::new(rules).map_err(|e| invalid(e.0))?;
    Ok(book.rules().to_vec())
}

/// `as_of` must be a date `YYYY-MM-DD`. Only an order with no holds may leave it empty
/// (nothing is judged on it then): the day the order was issued stands in.
fn as_of(order: &WorkOrder, held: bool) -> Result<NaiveDate, Refusal> {
    if order.as_of.is_empty() && !held {
        let issued = DateTime::from_timestamp_millis(order.issued_at_ms);
        return Ok(issued.unwrap_or_default().date_naive());
    }
    let date = (order.as_of.len() == 10)
        .then(|| NaiveDate::parse_from_str(&order.as_of, "%Y-%m-%d").ok())
        .flatten();
    date.ok_or_else(|| invalid("as_of must be a date YYYY-MM-DD"))
}

/// `financial_year_end` must be `MM-DD`. Only an order with no holds may leave it empty:
/// the calendar year stands in.
fn financial_year_end(order: &WorkOrder, held: bool) -> Result<FinancialYearEnd, Refusal> {
    if order.financial_year_end.is_empty() && !held {
        return Ok(FinancialYearEnd::default());
    }
    FinancialYearEnd::parse(&order.financial_year_end)
        .ok_or_else(|| invalid("financial_year_end must be MM-DD"))
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
        outcome: Outcome::from(report.outcome) as i32,
        items_affected: report.items_affected,
        evidence_digest: erasure_proof::sha256(&report.evidence).to_vec(),
        evidence_summary: report.evidence_summary.clone(),
        completed_at_ms,
        detail: report.detail.clone(),
        retained: report.retained.iter().map(Retention::from).collect(),
        reference: report.reference.clone(),
        follow_up_at_ms: report.follow_up_at.map_or(0, |t| t.timestamp_millis()),
        backups: report.backups.iter().map(proto::BackupCopy::from).collect(),
        processor_proof: report
            .processor_proof
            .as_ref()
            .map(|p| proto::ProcessorProof {
                status_body: p.status_body.clone(),
                status_signature: p.status_signature.clone(),
                signing_certificate: p.signing_certificate.clone(),
                certificate_file: p.certificate_file.clone(),
            }),
    }
}

/// The answer to a resolution order, ready to sign. What was found is sealed to the
/// order's reply key; without a valid one the answer is a permanent failure instead.
pub(crate) fn resolution(
    order: &WorkOrder,
    answer: &Resolution,
    completed_at_ms: i64,
) -> proto::Resolution {
    let outcome = match answer.outcome {
        ResolutionOutcome::Found => proto::ResolutionOutcome::Found,
        ResolutionOutcome::NothingFound => proto::ResolutionOutcome::NothingFound,
        ResolutionOutcome::FailedRetryable => proto::ResolutionOutcome::FailedRetryable,
        ResolutionOutcome::FailedPermanent => proto::ResolutionOutcome::FailedPermanent,
    };
    let mut message = proto::Resolution {
        request_id: order.request_id.clone(),
        task_id: order.task_id.clone(),
        system_id: order.system_id.clone(),
        attempt: order.attempt,
        outcome: outcome as i32,
        completed_at_ms,
        detail: answer.detail.clone(),
        ..Default::default()
    };
    if outcome == proto::ResolutionOutcome::Found {
        let found = proto::Identifiers::from(&answer.found).encode_to_vec();
        match seal_found(order, &found) {
            Ok(sealed) => {
                message.sealed_found = sealed.ciphertext;
                message.found_encapsulated_key = sealed.encapsulated_key;
            }
            Err(refusal) => {
                message.outcome = proto::ResolutionOutcome::FailedPermanent as i32;
                message.detail = refusal.to_string();
            }
        }
    }
    message
}

fn seal_found(order: &WorkOrder, found: &[u8]) -> Result<Sealed, Refusal> {
    let reply_key: [u8; 32] = order
        .reply_key
        .as_slice()
        .try_into()
        .map_err(|_| Refusal::NoReplyKey)?;
    seal(&reply_key, &binding(order, RESOLUTION_CONTEXT), found).map_err(|_| Refusal::NoReplyKey)
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
mod tests;
