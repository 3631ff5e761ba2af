//! Waking: how a connector has its runner run a task again now.
//!
//! A connector whose system answers later (a third party's asynchronous API) reports
//! [`Report::accepted`](crate::Report::accepted); the coordinator then sends a new attempt at
//! the follow-up time. When the connector learns sooner that the answer is there (a signed
//! callback reached its listener), it calls [`Waker::wake`] with the task id, and the runner:
//!
//! 1. takes the last work order of that task that it answered "accepted" (kept in memory;
//!    a task that was not answered "accepted" since the runner started is not woken, and
//!    the coordinator's follow-up covers a restart);
//! 2. runs [`Connector::erase`](crate::Connector::erase) for that same order again, same
//!    attempt number;
//! 3. publishes the acknowledgment only if the report is final (and caches it as usual):
//!    a wake that still finds the task pending, or failing for now, publishes nothing and
//!    keeps the order for the next wake, so the coordinator's scheduled follow-up stands
//!    and no retry budget is spent on the connector's own initiative.
//!
//! The runner gives each connector its waker once, through
//! [`Connector::attach`](crate::Connector::attach), when the runner is built. Wakes are
//! queued and handled one at a time once the runner has started.

use tokio::sync::mpsc;

/// Why a connector could not attach to its runner (a listener that could not bind); names
/// the setting, never a value of a person.
pub type AttachError = Box<dyn std::error::Error + Send + Sync>;

/// A connector's handle on its runner: asks for a task to be run again now.
#[derive(Clone, Debug)]
pub struct Waker {
    tasks: mpsc::UnboundedSender<String>,
}

impl Waker {
    /// A waker and the queue of task ids it fills (the runner's end).
    pub(crate) fn channel() -> (Self, mpsc::UnboundedReceiver<String>) {
        let (tasks, queue) = mpsc::unbounded_channel();
        (Self { tasks }, queue)
    }

    /// Asks the runner to run `task_id` again now (see the module docs). Returns `false`
    /// when the runner is gone; `true` says the wake was queued, not that the task was
    /// pending.
    pub fn wake(&self, task_id: &str) -> bool {
        self.tasks.send(task_id.to_owned()).is_ok()
    }
}
