//! The system inventory and planning a request over it.

use crate::identifiers::{IdentifierKind, Identifiers, is_path_segment};
use crate::ids::{RequestId, SystemId, TaskId};
use crate::rejection::Rejection;
use crate::retention::RuleBook;
use std::collections::{BTreeMap, BTreeSet};

/// A system that holds personal data, as the inventory declares it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemSpec {
    pub id: SystemId,
    /// Data categories the system holds (e.g. `contact`, `support-ticket`).
    pub categories: Vec<String>,
    /// The system maps identifiers to others (a CRM: e-mail to customer numbers and
    /// devices): it is asked first, and every system then erases with the full set.
    pub resolves: bool,
    /// No connector: an operator does the work (a vendor who only takes e-mail, paper
    /// records) and closes the task with evidence.
    pub manual: bool,
    /// A third party the data was disclosed to (GDPR Art. 19): who, and how it is told.
    pub recipient: Option<Recipient>,
    /// What the system is, for people reading task lists.
    pub description: String,
    /// For a manual system: what the operator must do.
    pub instructions: String,
    /// Asked only once every other system's task is final (a backups system: a set
    /// taken while another system was still erasing may hold the person too).
    pub asked_last: bool,
    /// Identifier kinds the system files data under as one path segment (an object
    /// store's key templates): a value that cannot name one segment safely is refused at
    /// submit ([`Inventory::check_identifiers`]).
    pub path_segments: BTreeSet<IdentifierKind>,
}

impl SystemSpec {
    /// A system with a connector, holding `categories`.
    pub fn new(id: impl Into<String>, categories: &[&str]) -> Self {
        Self {
            id: SystemId::new(id),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            ..Self::default()
        }
    }
}

/// A recipient of the person's data (GDPR Art. 19): a processor or another controller,
/// which must be told of the erasure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// Its name as the person would recognise it, e.g. "Maksu Oy (card payments)".
    pub name: String,
    pub role: RecipientRole,
    /// How it is told.
    pub via: Notice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipientRole {
    /// Processes the data for the controller (Art. 28).
    Processor,
    /// Another controller the data was disclosed to.
    Controller,
}

impl RecipientRole {
    pub fn name(self) -> &'static str {
        match self {
            Self::Processor => "processor",
            Self::Controller => "controller",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "processor" => Some(Self::Processor),
            "controller" => Some(Self::Controller),
            _ => None,
        }
    }
}

/// How a recipient is told of an erasure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Through its HTTP API, as the configuration declares it.
    Api,
    /// Through its OpenDSR (formerly OpenGDPR) API.
    OpenDsr,
    /// By an operator (e-mail, letter), who closes the task with evidence.
    Manual,
    /// By a connector of another kind (its own system).
    Connector,
}

impl Notice {
    pub fn name(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::OpenDsr => "opendsr",
            Self::Manual => "manual",
            Self::Connector => "connector",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "api" => Some(Self::Api),
            "opendsr" => Some(Self::OpenDsr),
            "manual" => Some(Self::Manual),
            "connector" => Some(Self::Connector),
            _ => None,
        }
    }
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
    /// An operator does the work and closes the task with evidence.
    pub manual: bool,
    /// The recipient the system stands for, as the inventory declared it when planned.
    pub recipient: Option<Recipient>,
    /// Dispatched only once every other task is final.
    pub asked_last: bool,
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

    /// Every identifier a system in `scope` (every system when empty) uses as a path
    /// segment can be one; otherwise the first kind and system that cannot.
    pub fn check_identifiers(
        &self,
        scope: &[SystemId],
        identifiers: &Identifiers,
    ) -> Result<(), Rejection> {
        let in_scope = self
            .systems
            .values()
            .filter(|s| scope.is_empty() || scope.contains(&s.id));
        for system in in_scope {
            for kind in &system.path_segments {
                if !identifiers.values(*kind).all(is_path_segment) {
                    return Err(Rejection::UnsafeIdentifier {
                        kind: *kind,
                        system: system.id.clone(),
                    });
                }
            }
        }
        Ok(())
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
                manual: s.manual,
                recipient: s.recipient.clone(),
                asked_last: s.asked_last,
            })
            .collect();
        if tasks.is_empty() {
            return Err(Rejection::NothingToErase);
        }
        Ok(tasks)
    }
}
