//! Which sets may hold the person, pure. A set may hold the person when it was taken at
//! or before the erasure moment (data erased afterwards may be in it), still exists on
//! the job's `as_of` date (its last day is that day or later), and holds one of the
//! covered systems (or `covers` is empty). The connector never opens a backup: every
//! person gets the same answer from the same catalog.

use chrono::{DateTime, NaiveDate, Utc};
use erasure_core::events::BackupCopy;

/// The sets that may hold the person, and why the others do not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    /// Ordered by when they were taken, then by id.
    pub copies: Vec<BackupCopy>,
    /// Sets in the catalog.
    pub in_catalog: usize,
    /// Taken after the erasure moment.
    pub taken_later: usize,
    /// Gone before `as_of`.
    pub expired: usize,
    /// Holding none of the covered systems.
    pub other_systems: usize,
}

impl Choice {
    /// The last day any of the copies may exist.
    pub fn until(&self) -> Option<NaiveDate> {
        self.copies.iter().map(|c| c.expires_on).max()
    }
}

/// Judges every set of the catalog for an erasure at `moment`, on `as_of`.
pub fn choose(
    sets: &[BackupCopy],
    covers: &[String],
    moment: DateTime<Utc>,
    as_of: NaiveDate,
) -> Choice {
    let mut choice = Choice {
        in_catalog: sets.len(),
        ..Choice::default()
    };
    for set in sets {
        if !covers.is_empty() && !set.systems.iter().any(|s| covers.contains(s)) {
            choice.other_systems += 1;
        } else if set.taken_at > moment {
            choice.taken_later += 1;
        } else if set.expires_on < as_of {
            choice.expired += 1;
        } else {
            choice.copies.push(set.clone());
        }
    }
    choice
        .copies
        .sort_by(|a, b| (a.taken_at, &a.set_id).cmp(&(b.taken_at, &b.set_id)));
    choice
}

#[cfg(test)]
mod tests;
