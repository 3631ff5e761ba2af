//! Receiving a new request.

use super::decision::{Decision, Target, dispatch};
use super::policy::Policy;
use crate::events::{Event, Purpose, RequestReceived};
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
    if !crate::jurisdiction::is_alpha2(j) {
        return Err(Rejection::InvalidJurisdiction);
    }
    inventory.check_controller(received.controller.as_deref())?;
    let tasks = inventory.plan(&received.request_id, &received.scope, j, &policy.rules)?;
    check_retention_known(j, &tasks, &policy.rules)?;
    let mut decision = Decision::default();
    decision.events.push(Event::RequestReceived(received));
    decision.events.push(Event::ErasurePlanned {
        tasks: tasks.clone(),
    });
    // With a system that resolves identifiers, only those are asked first; the others
    // erase once every resolution is in (with the identifiers found).
    let resolving = tasks.iter().any(|t| t.resolves);
    // Systems asked last wait for every other one (unless there is no other).
    let some_first = tasks.iter().any(|t| !t.asked_last);
    for PlannedTask {
        task_id,
        system_id,
        categories,
        resolves,
        manual,
        asked_last,
        ..
    } in tasks
    {
        if (resolving && !resolves) || (asked_last && some_first) {
            continue;
        }
        let purpose = if resolves {
            Purpose::Resolve
        } else {
            Purpose::Erase
        };
        let to = Target {
            task_id,
            system_id,
            categories,
            purpose,
            manual,
        };
        dispatch(&mut decision, to, 1, policy, now, now);
    }
    Ok(decision)
}

/// Every category a system in scope holds that a retention rule keeps in some
/// jurisdiction is covered in `jurisdiction` too: by a rule, or by the rules file's
/// statement that it has none. Otherwise a mistyped or unlisted jurisdiction would erase
/// what the right one's law keeps.
fn check_retention_known(
    jurisdiction: &str,
    tasks: &[PlannedTask],
    rules: &crate::retention::RuleBook,
) -> Result<(), Rejection> {
    let mut uncovered: Vec<String> = tasks
        .iter()
        .flat_map(|t| rules.uncovered(jurisdiction, &t.categories))
        .collect();
    uncovered.sort();
    uncovered.dedup();
    if uncovered.is_empty() {
        return Ok(());
    }
    Err(Rejection::NoRetentionRule {
        jurisdiction: jurisdiction.to_owned(),
        categories: uncovered.join(", "),
    })
}
