//! Replaying an erasure after a backup was restored: the systems restored are dispatched
//! again, so that the person does not come back with the backup.

use super::decision::{Decision, Target, dispatch, not_shredded};
use super::policy::Policy;
use crate::events::{Event, Purpose};
use crate::ids::SystemId;
use crate::rejection::Rejection;
use crate::state::{RequestState, TaskStatus};
use chrono::{DateTime, Utc};

/// Dispatching the erasure again to those of `systems` whose task finished erasing at or
/// after `since` (a backup taken before then may have brought the person back). Tasks
/// still pending erase anyway, failed ones are an operator's to retry, manual ones an
/// operator's to redo; a backups system (asked last) erases nothing, so it is left out.
/// A replay already recorded decides nothing, so a replay that is resumed after a restart
/// dispatches nothing twice. A request whose identifiers were shredded is refused: no
/// work order can carry them any more.
pub fn replay(
    state: &RequestState,
    replay_id: &str,
    systems: &[SystemId],
    since: DateTime<Utc>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    if state.replays.iter().any(|r| r.replay_id == replay_id) {
        return Ok(Decision::default());
    }
    not_shredded(state)?;
    let targets: Vec<_> = state
        .tasks
        .values()
        .filter(|t| systems.contains(&t.system_id))
        .filter(|t| t.status == TaskStatus::Done && t.phase == Purpose::Erase)
        .filter(|t| !t.manual && !t.asked_last)
        .filter(|t| t.last_ack.as_ref().is_some_and(|a| a.at >= since))
        .collect();
    if targets.is_empty() {
        return Err(Rejection::NothingToReplay);
    }
    let mut decision = Decision::default();
    decision.events.push(Event::ErasureReplayed {
        replay_id: replay_id.to_owned(),
        system_ids: targets.iter().map(|t| t.system_id.clone()).collect(),
        since,
        at: now,
    });
    for task in targets {
        dispatch(
            &mut decision,
            Target::erase(task),
            task.attempt + 1,
            policy,
            now,
            now,
        );
    }
    Ok(decision)
}
