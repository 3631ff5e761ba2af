//! Receiving a new request.

use super::decision::{Decision, Target, dispatch};
use super::policy::Policy;
use crate::events::{Event, RequestReceived};
use crate::inventory::{Inventory, PlannedTask};
use crate::rejection::Rejection;
use crate::state::RequestState;
use chrono::{DateTime, Utc};

/// Receiving a new request: record it, plan one task per system in scope (with the
/// retention rules matching its categories), dispatch them.
pub fn receive(
    existing: Option<&RequestState>,
    received: RequestReceived,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    if existing.is_some() {
        return Err(Rejection::AlreadyExists);
    }
    let j = &received.jurisdiction;
    if j.len() != 2 || !j.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Rejection::InvalidJurisdiction);
    }
    inventory.check_controller(received.controller.as_deref())?;
    let tasks = inventory.plan(&received.request_id, &received.scope, j, &policy.rules)?;
    let mut decision = Decision::default();
    decision.events.push(Event::RequestReceived(received));
    decision.events.push(Event::ErasurePlanned {
        tasks: tasks.clone(),
    });
    for PlannedTask {
        task_id,
        system_id,
        categories,
        ..
    } in tasks
    {
        let to = Target {
            task_id,
            system_id,
            categories,
        };
        dispatch(&mut decision, to, 1, policy, now, now);
    }
    Ok(decision)
}
