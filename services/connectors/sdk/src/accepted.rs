//! The work orders a runner answered "accepted" last, by task: what a wake runs again
//! ([`crate::wake`]). In memory only: after a restart the coordinator's follow-up covers
//! every task.

use erasure_core::events::Outcome;
use erasure_proto::v1::WorkOrder;
use std::collections::HashMap;
use std::sync::Mutex;

/// A work order with the headers its acknowledgment carries (the trace context).
pub(crate) type Held = (WorkOrder, Vec<(String, String)>);

#[derive(Debug, Default)]
pub(crate) struct AcceptedOrders {
    by_task: Mutex<HashMap<String, Held>>,
}

impl AcceptedOrders {
    /// Records what `order` was answered with: an accepted order is kept (replacing an
    /// older attempt's), any other answer forgets the task up to that attempt.
    pub(crate) fn note(&self, order: &WorkOrder, headers: &[(String, String)], outcome: Outcome) {
        let mut by_task = self.lock();
        let newer = |held: &Held| held.0.attempt > order.attempt;
        if outcome == Outcome::Accepted {
            if !by_task.get(&order.task_id).is_some_and(newer) {
                let held = (order.clone(), headers.to_vec());
                by_task.insert(order.task_id.clone(), held);
            }
        } else if !by_task.get(&order.task_id).is_some_and(newer) {
            by_task.remove(&order.task_id);
        }
    }

    /// The task's accepted order, taken out (a wake puts it back if still not final).
    pub(crate) fn take(&self, task_id: &str) -> Option<Held> {
        self.lock().remove(task_id)
    }

    /// Puts back an order a wake took, unless a newer answer replaced it meanwhile.
    pub(crate) fn restore(&self, held: Held) {
        let mut by_task = self.lock();
        by_task.entry(held.0.task_id.clone()).or_insert(held);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        self.by_task.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(task: &str, attempt: u32) -> WorkOrder {
        WorkOrder {
            task_id: task.into(),
            attempt,
            ..WorkOrder::default()
        }
    }

    #[test]
    fn keeps_the_latest_accepted_attempt_until_a_final_answer() {
        let accepted = AcceptedOrders::default();
        accepted.note(&order("r/p", 2), &[], Outcome::Accepted);
        accepted.note(&order("r/p", 1), &[], Outcome::Accepted);
        accepted.note(&order("r/p", 1), &[], Outcome::Erased);
        let held = accepted.take("r/p").expect("kept");
        assert_eq!(held.0.attempt, 2, "an older attempt replaced a newer one");
        assert!(accepted.take("r/p").is_none(), "taken out");

        accepted.restore(held);
        accepted.note(&order("r/p", 3), &[], Outcome::Erased);
        assert!(
            accepted.take("r/p").is_none(),
            "a final answer forgets the task"
        );
        assert!(accepted.take("r/other").is_none());
    }
}
