//! What a decision leads to besides its events: outbox messages for its dispatches, and
//! the log lines operators must see.

use chrono::{DateTime, Utc};
use erasure_bus::topics;
use erasure_core::{Effect, Event};
use erasure_proto::convert::ms;
use erasure_proto::v1 as pb;
use erasure_store::NewOutboxMessage;
use prost::Message as _;

/// A work order per dispatch, without identifiers: the relay opens them at delivery.
pub fn outbox_messages(
    request_id: &str,
    effects: &[Effect],
    now: DateTime<Utc>,
) -> Vec<NewOutboxMessage> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Dispatch {
                task_id,
                system_id,
                attempt,
                categories,
                not_before,
                purpose,
            } => {
                let order = pb::WorkOrder {
                    request_id: request_id.to_owned(),
                    task_id: task_id.to_string(),
                    system_id: system_id.to_string(),
                    attempt: *attempt,
                    categories: categories.clone(),
                    issued_at_ms: ms(now),
                    purpose: pb::Purpose::from(*purpose) as i32,
                    // Identifiers, deadline and holds are filled at delivery.
                    ..Default::default()
                };
                // The work order continues the trace of the decision that made it.
                let mut headers = Vec::new();
                erasure_telemetry::inject_current(&mut headers);
                Some(NewOutboxMessage {
                    topic: topics::work(system_id.as_str()),
                    key: request_id.to_owned(),
                    payload: order.encode_to_vec(),
                    headers,
                    available_at_ms: ms(*not_before),
                })
            }
            Effect::IssueCertificate | Effect::IssueSupplement => None,
        })
        .collect()
}

/// What operators must see in the log: failures, overdue requests, holds ending.
pub fn log_events(events: &[Event]) {
    crate::metrics::record_events(events);
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
