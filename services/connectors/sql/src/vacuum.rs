//! PostgreSQL: the old versions of deleted and updated rows stay in a table's files as
//! dead tuples until `VACUUM` removes them. With `vacuum_every_secs`, the connector runs a
//! plain `VACUUM` (not `FULL`: it takes no lock that blocks reads or writes) of the tables
//! its erasures changed, at most that often.
//!
//! Design (the simplest that always runs): nothing runs in the background while no
//! erasure happens. After an erasure that changed tables, they are added to the pending
//! set and, unless a vacuum is already waiting, one is spawned on the runtime the erasure
//! runs in, due when the last vacuum is `vacuum_every_secs` ago (at once the first time).
//! When due, it takes every pending table, including those added while it waited. So a
//! changed table is vacuumed at most `vacuum_every_secs` after the erasure, which the
//! evidence states. A vacuum that fails is logged (table and SQLSTATE) and left to
//! autovacuum; one lost to a shutdown too.

use crate::builder::quote;
use crate::pg_pool::Database;
use crate::postgres::classify;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// The vacuum schedule of one connector.
#[derive(Debug)]
pub struct Vacuum {
    /// `None`: the connector vacuums nothing; autovacuum decides.
    every: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Tables changed since the last vacuum started.
    pending: BTreeSet<String>,
    /// When the last vacuum started.
    last: Option<Instant>,
    /// When the waiting vacuum is due, if one waits.
    due: Option<Instant>,
}

impl Vacuum {
    pub fn new(every: Option<Duration>) -> Arc<Self> {
        Arc::new(Self {
            every,
            state: Mutex::default(),
        })
    }

    pub fn every(&self) -> Option<Duration> {
        self.every
    }

    /// After an erasure that changed `tables`: schedules their vacuum. Returns how soon it
    /// is due, `None` when the connector vacuums nothing or nothing changed. Must be
    /// called inside a tokio runtime.
    pub fn after(self: &Arc<Self>, db: &Database, tables: Vec<String>) -> Option<Duration> {
        let every = self.every?;
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.pending.extend(tables);
        if state.pending.is_empty() {
            return None;
        }
        if let Some(due) = state.due {
            return Some(due.saturating_duration_since(now));
        }
        let due = state.last.map_or(now, |last| (last + every).max(now));
        state.due = Some(due);
        tokio::spawn(Arc::clone(self).run(db.clone(), due));
        Some(due.saturating_duration_since(now))
    }

    async fn run(self: Arc<Self>, db: Database, due: Instant) {
        tokio::time::sleep_until(due).await;
        let tables = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            (state.due, state.last) = (None, Some(Instant::now()));
            std::mem::take(&mut state.pending)
        };
        for table in tables {
            vacuum(&db, &table).await;
        }
    }
}

async fn vacuum(db: &Database, table: &str) {
    let context = format!("VACUUM of table {table}");
    let client = match db.client().await {
        Ok(client) => client,
        Err(failure) => return tracing::warn!(?failure, "{context} skipped"),
    };
    let sql = format!("VACUUM {}", quote(table));
    match client.batch_execute(&sql).await {
        Ok(()) => tracing::debug!("{context} done"),
        Err(e) => tracing::warn!(failure = ?classify(&e, &context), "{context} failed"),
    }
}
