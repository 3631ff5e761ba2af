//! What a run did in each table, and why a run failed.

use crate::config::Action;
use crate::plan::Step;
use erasure_connector_sdk::Report;
use erasure_core::events::Retained;

/// What happened in one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableResult {
    pub table: String,
    /// Position in the configuration.
    pub position: usize,
    pub action: Action,
    pub deleted: u64,
    pub anonymised: u64,
    /// For delete tables: rows still selected right after the delete (within the
    /// transaction, before any table they join to is touched), not counting held rows.
    pub remaining: Option<u64>,
    /// The table's data category, if it has one.
    pub category: Option<String>,
    /// Rows kept under retention rules, per rule; empty when none is held.
    pub restricted: Vec<Retained>,
}

impl TableResult {
    /// Nothing done yet.
    pub fn new(step: &Step) -> Self {
        Self {
            table: step.table.clone(),
            position: step.position,
            action: step.action.clone(),
            deleted: 0,
            anonymised: 0,
            remaining: None,
            category: step.hold.as_ref().map(|h| h.category.clone()),
            restricted: Vec::new(),
        }
    }

    /// Rows restricted under any rule.
    pub fn restricted_rows(&self) -> u64 {
        self.restricted.iter().map(|r| r.items).sum()
    }
}

/// Why a run failed, and whether trying again can help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Retryable(String),
    Permanent(String),
}

impl Failure {
    /// The failure as a report, with nothing done.
    pub fn into_report(self) -> Report {
        match self {
            Self::Retryable(detail) => Report::failed_retryable(detail),
            Self::Permanent(detail) => Report::failed_permanent(detail),
        }
    }
}
