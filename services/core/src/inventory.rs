//! The system inventory and planning a request over it.

use crate::ids::{RequestId, SystemId, TaskId};
use crate::rejection::Rejection;
use crate::retention::RuleBook;
use std::collections::{BTreeMap, BTreeSet};

/// A system that holds personal data, as the inventory declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemSpec {
    pub id: SystemId,
    /// Data categories the system holds (e.g. `contact`, `support-ticket`).
    pub categories: Vec<String>,
    /// The system maps identifiers to others (a CRM: e-mail to customer numbers and
    /// devices): it is asked first, and every system then erases with the full set.
    pub resolves: bool,
}

/// Every system the orchestrator erases from, and the controllers it acts for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    systems: BTreeMap<SystemId, SystemSpec>,
    /// Where the operator processes data for several controllers (GDPR Art. 28), their
    /// ids: each request names one. Empty: the operator acts for itself only.
    controllers: BTreeSet<String>,
}

/// One system's share of a request, decided at planning time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedTask {
    pub task_id: TaskId,
    pub system_id: SystemId,
    pub categories: Vec<String>,
    /// Ids of the retention rules that matched the system's categories.
    pub hold_rules: Vec<String>,
    /// The system resolves identifiers before anything is erased.
    pub resolves: bool,
}

impl Inventory {
    pub fn new(systems: impl IntoIterator<Item = SystemSpec>) -> Self {
        Self {
            systems: systems.into_iter().map(|s| (s.id.clone(), s)).collect(),
            controllers: BTreeSet::new(),
        }
    }

    /// The controllers the operator acts for.
    pub fn with_controllers(mut self, controllers: impl IntoIterator<Item = String>) -> Self {
        self.controllers = controllers.into_iter().collect();
        self
    }

    /// A request names a declared controller when there are any, and none otherwise.
    pub fn check_controller(&self, controller: Option<&str>) -> Result<(), Rejection> {
        let declared = || {
            self.controllers
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        };
        match controller {
            None if self.controllers.is_empty() => Ok(()),
            None => Err(Rejection::ControllerRequired(declared())),
            Some(_) if self.controllers.is_empty() => Err(Rejection::NoControllers),
            Some(c) if self.controllers.contains(c) => Ok(()),
            Some(c) => Err(Rejection::UnknownController(c.to_owned(), declared())),
        }
    }

    pub fn get(&self, id: &SystemId) -> Option<&SystemSpec> {
        self.systems.get(id)
    }

    pub fn systems(&self) -> impl Iterator<Item = &SystemSpec> {
        self.systems.values()
    }

    pub fn is_empty(&self) -> bool {
        self.systems.is_empty()
    }

    /// Checks that every system named in `scope` exists.
    pub fn check_scope(&self, scope: &[SystemId]) -> Result<(), Rejection> {
        match scope.iter().find(|s| !self.systems.contains_key(*s)) {
            Some(unknown) => Err(Rejection::UnknownSystem(unknown.clone())),
            None => Ok(()),
        }
    }

    /// One task per system in scope (every system when `scope` is empty).
    /// Every task carries the ids of the `rules` matching its categories in `jurisdiction`.
    pub fn plan(
        &self,
        request: &RequestId,
        scope: &[SystemId],
        jurisdiction: &str,
        rules: &RuleBook,
    ) -> Result<Vec<PlannedTask>, Rejection> {
        self.check_scope(scope)?;
        let tasks: Vec<PlannedTask> = self
            .systems
            .values()
            .filter(|s| scope.is_empty() || scope.contains(&s.id))
            .map(|s| PlannedTask {
                task_id: TaskId::for_system(request, &s.id),
                system_id: s.id.clone(),
                categories: s.categories.clone(),
                hold_rules: rules
                    .matching(jurisdiction, &s.categories)
                    .map(|r| r.id.clone())
                    .collect(),
                resolves: s.resolves,
            })
            .collect();
        if tasks.is_empty() {
            return Err(Rejection::NothingToErase);
        }
        Ok(tasks)
    }
}
