//! The conformance kit against an in-memory connector: checks the kit itself (a connector
//! that behaves passes every case) and gives the SDK an end-to-end test of its runner.

use async_trait::async_trait;
use erasure_connector_sdk::kit::KitSubject;
use erasure_connector_sdk::{Connector, Job, Report};
use erasure_core::{IdentifierKind, Identifiers};
use std::sync::{Arc, Mutex};

/// Items keyed by the identifier that finds them.
#[derive(Debug, Default)]
struct MemoryConnector {
    items: Mutex<Vec<(IdentifierKind, String)>>,
}

impl MemoryConnector {
    fn matching(&self, person: &Identifiers) -> impl Fn(&(IdentifierKind, String)) -> bool {
        let wanted: Vec<(IdentifierKind, String)> =
            person.iter().map(|(k, v)| (k, v.to_owned())).collect();
        move |item| wanted.contains(item)
    }
}

#[async_trait]
impl Connector for MemoryConnector {
    fn kind(&self) -> &'static str {
        "memory"
    }

    async fn erase(&self, job: &Job) -> Report {
        let matches = self.matching(&job.identifiers);
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        let before = items.len();
        items.retain(|item| !matches(item));
        let deleted = (before - items.len()) as u64;
        let evidence = format!("{{\"deleted\":{deleted}}}").into_bytes();
        Report::from_counts(
            deleted,
            0,
            format!("items: {deleted} deleted; 0 remain"),
            evidence,
        )
    }
}

struct Subject(Arc<MemoryConnector>);

#[async_trait]
impl KitSubject for Subject {
    fn connector(&self) -> Arc<dyn Connector> {
        self.0.clone()
    }

    async fn seed(&self, person: &Identifiers) {
        let mut items = self.0.items.lock().unwrap_or_else(|p| p.into_inner());
        items.extend(person.iter().map(|(k, v)| (k, v.to_owned())));
    }

    async fn remaining(&self, person: &Identifiers) -> u64 {
        let matches = self.0.matching(person);
        let items = self.0.items.lock().unwrap_or_else(|p| p.into_inner());
        items.iter().filter(|item| matches(item)).count() as u64
    }
}

async fn memory() -> Subject {
    Subject(Arc::default())
}

erasure_connector_sdk::connector_conformance!(memory_connector, memory);

/// A memory connector that tells a recipient rather than erasing itself: a task already
/// answered is answered again from what it said, without touching the items.
struct Remembering {
    memory: Arc<MemoryConnector>,
    answered: Mutex<std::collections::HashMap<String, Report>>,
}

#[async_trait]
impl Connector for Remembering {
    fn kind(&self) -> &'static str {
        "remembering"
    }

    async fn erase(&self, job: &Job) -> Report {
        let known = {
            let answered = self.answered.lock().unwrap_or_else(|p| p.into_inner());
            answered.get(&job.task_id).cloned()
        };
        if let Some(report) = known {
            return report;
        }
        let report = self.memory.erase(job).await.with_reference("job-1");
        let mut known = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        known.insert(job.task_id.clone(), report.clone());
        report
    }
}

struct RecipientSubject(Arc<Remembering>);

#[async_trait]
impl KitSubject for RecipientSubject {
    fn connector(&self) -> Arc<dyn Connector> {
        self.0.clone()
    }

    async fn seed(&self, person: &Identifiers) {
        Subject(self.0.memory.clone()).seed(person).await;
    }

    async fn remaining(&self, person: &Identifiers) -> u64 {
        Subject(self.0.memory.clone()).remaining(person).await
    }
}

async fn recipient() -> RecipientSubject {
    RecipientSubject(Arc::new(Remembering {
        memory: Arc::default(),
        answered: Mutex::default(),
    }))
}

erasure_connector_sdk::connector_conformance!(recipient_connector, recipient, recipient);
