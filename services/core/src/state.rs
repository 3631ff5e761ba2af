//! A request's state: a fold of its events. `apply` never fails and never decides.

use crate::events::{AckAccepted, Event, RequestReceived};
use crate::ids::{SystemId, TaskId};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    InProgress,
    Completed,
    Failed,
}

impl RequestStatus {
    pub fn is_final(self) -> bool {
        !matches!(self, Self::InProgress)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskStatus {
    /// Dispatched (or waiting for a retry); no final answer yet.
    Pending,
    Done,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskState {
    pub task_id: TaskId,
    pub system_id: SystemId,
    pub categories: Vec<String>,
    /// The attempt an acknowledgment must answer to count.
    pub attempt: u32,
    pub status: TaskStatus,
    pub last_ack: Option<AckAccepted>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    pub hash: Vec<u8>,
    pub signed_certificate: Vec<u8>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestState {
    pub received: RequestReceived,
    pub tasks: BTreeMap<SystemId, TaskState>,
    pub status: RequestStatus,
    pub completed_at: Option<DateTime<Utc>>,
    pub certificate: Option<Certificate>,
    pub rejected_acks: u32,
}

impl RequestState {
    /// Folds a stream's events. `None` when the stream does not start with `RequestReceived`.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Self> {
        let mut events = events.into_iter();
        let mut state = match events.next()? {
            Event::RequestReceived(r) => Self::new(r.clone()),
            _ => return None,
        };
        for event in events {
            state.apply(event);
        }
        Some(state)
    }

    fn new(received: RequestReceived) -> Self {
        Self {
            received,
            tasks: BTreeMap::new(),
            status: RequestStatus::InProgress,
            completed_at: None,
            certificate: None,
            rejected_acks: 0,
        }
    }

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::RequestReceived(_) => {}
            Event::ErasurePlanned { tasks } => {
                for t in tasks {
                    self.tasks.insert(
                        t.system_id.clone(),
                        TaskState {
                            task_id: t.task_id.clone(),
                            system_id: t.system_id.clone(),
                            categories: t.categories.clone(),
                            attempt: 0,
                            status: TaskStatus::Pending,
                            last_ack: None,
                        },
                    );
                }
            }
            Event::TaskDispatched {
                system_id, attempt, ..
            } => {
                if let Some(task) = self.tasks.get_mut(system_id) {
                    task.attempt = *attempt;
                    task.status = TaskStatus::Pending;
                }
            }
            Event::AckAccepted(ack) => {
                if let Some(task) = self.tasks.get_mut(&ack.system_id) {
                    task.status = if ack.outcome.is_success() {
                        TaskStatus::Done
                    } else {
                        TaskStatus::Failed
                    };
                    task.last_ack = Some(ack.clone());
                }
            }
            Event::AckRejected(_) => self.rejected_acks += 1,
            // The TaskDispatched that follows moves the task back to pending.
            Event::TaskRetryScheduled { .. } => {}
            Event::RequestCompleted { at } => {
                self.status = RequestStatus::Completed;
                self.completed_at = Some(*at);
            }
            Event::RequestFailed { at, .. } => {
                self.status = RequestStatus::Failed;
                self.completed_at = Some(*at);
            }
            Event::CertificateIssued {
                certificate_hash,
                signed_certificate,
                at,
            } => {
                self.certificate = Some(Certificate {
                    hash: certificate_hash.clone(),
                    signed_certificate: signed_certificate.clone(),
                    at: *at,
                });
            }
        }
    }

    pub fn task_by_id(&self, task_id: &TaskId) -> Option<&TaskState> {
        self.tasks.values().find(|t| &t.task_id == task_id)
    }

    pub fn all_tasks_final(&self) -> bool {
        self.tasks.values().all(|t| t.status != TaskStatus::Pending)
    }
}
