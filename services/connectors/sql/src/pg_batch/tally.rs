//! What a PostgreSQL run did: per table, the request's counts (earlier deliveries'
//! committed batches included), and how the work was cut (this delivery's batches).

use crate::plan::Plan;
use crate::progress::Counts;
use crate::result::TableResult;
use std::collections::BTreeMap;
use std::time::Duration;

/// A run's results so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// In plan order.
    pub results: Vec<TableResult>,
    /// Batch transactions of this delivery that changed rows.
    pub batches: u64,
    /// The longest batch transaction, from `BEGIN` to `COMMIT`: the longest any row lock
    /// of the run was held.
    pub longest: Duration,
    /// The most rows one batch changed (and so kept locked at once).
    pub largest: u64,
    /// Whether an earlier delivery of the request had committed batches.
    pub resumed: bool,
}

impl Tally {
    /// Nothing done yet.
    pub fn new(plan: &Plan) -> Self {
        Self {
            results: plan.steps.iter().map(TableResult::new).collect(),
            batches: 0,
            longest: Duration::ZERO,
            largest: 0,
            resumed: false,
        }
    }

    /// What earlier deliveries committed.
    pub fn resume(&mut self, before: &BTreeMap<String, Counts>) {
        self.resumed = before.values().any(|c| *c != Counts::default());
        self.set(before);
    }

    /// The request's totals from the progress table, which win over what this delivery
    /// counted (another delivery may have run at the same time).
    pub fn totals(mut self, totals: &BTreeMap<String, Counts>) -> Self {
        self.set(totals);
        self
    }

    fn set(&mut self, counts: &BTreeMap<String, Counts>) {
        for result in &mut self.results {
            let counts = counts.get(&result.table).copied().unwrap_or_default();
            (result.deleted, result.anonymised) = (counts.deleted, counts.anonymised);
        }
    }

    pub(crate) fn batch(&mut self, index: usize, counts: Counts, took: Duration) {
        self.longest = self.longest.max(took);
        let rows = counts.deleted + counts.anonymised;
        if rows == 0 {
            return;
        }
        self.batches += 1;
        self.largest = self.largest.max(rows);
        if let Some(result) = self.results.get_mut(index) {
            result.deleted += counts.deleted;
            result.anonymised += counts.anonymised;
        }
    }

    pub(crate) fn result(&mut self, index: usize) -> &mut TableResult {
        let last = self.results.len().saturating_sub(1);
        &mut self.results[index.min(last)]
    }
}
