//! What the OpenDSR endpoints keep beside the event store: per request taken from a
//! controller, its `subject_request_id`, its callback URLs and the last status every one
//! of them was told (`<data-dir>/opendsr.sqlite`). The request itself is an ordinary
//! erasure request; its id follows from the controller and the `subject_request_id`
//! (an idempotency key), so nothing here is needed to find it.

use anyhow::{Context, Result};
use rusqlite::{Connection, params};
use std::path::Path;
use std::sync::Mutex;

/// A request whose controller asked for status callbacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub request_id: String,
    pub controller: String,
    pub subject_request_id: String,
    pub callback_urls: Vec<String>,
    /// The last status every callback URL took ("" before the first).
    pub notified: String,
    /// Failed deliveries since the last success (for the pause before the next one).
    pub failures: u32,
    /// Not before this time (ms since the epoch) is the next delivery tried.
    pub next_at_ms: i64,
}

#[derive(Debug)]
pub struct Ledger {
    db: Mutex<Connection>,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS opendsr_requests (
    request_id TEXT PRIMARY KEY,
    controller TEXT NOT NULL,
    subject_request_id TEXT NOT NULL,
    callback_urls TEXT NOT NULL,
    notified TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0,
    next_at_ms INTEGER NOT NULL DEFAULT 0
)";

/// Statuses after which nothing changes any more.
pub const FINAL: [&str; 2] = ["completed", "cancelled"];

impl Ledger {
    pub fn open(path: &Path) -> Result<Self> {
        let db =
            Connection::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        db.execute_batch(SCHEMA)
            .with_context(|| format!("cannot prepare {}", path.display()))?;
        Ok(Self { db: Mutex::new(db) })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a request the first time it is posted; a repeated post changes nothing.
    pub fn record(&self, entry: &Entry) -> Result<()> {
        let urls = serde_json::to_string(&entry.callback_urls)?;
        self.db()
            .execute(
                "INSERT OR IGNORE INTO opendsr_requests
                 (request_id, controller, subject_request_id, callback_urls) VALUES (?1, ?2, ?3, ?4)",
                params![entry.request_id, entry.controller, entry.subject_request_id, urls],
            )
            .context("cannot record the OpenDSR request")?;
        Ok(())
    }

    /// The requests with callback URLs whose final status was not yet delivered.
    pub fn open_entries(&self) -> Result<Vec<Entry>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT request_id, controller, subject_request_id, callback_urls, notified, failures, next_at_ms
             FROM opendsr_requests WHERE notified NOT IN (?1, ?2) AND callback_urls != '[]'",
        )?;
        let rows = stmt.query_map(params![FINAL[0], FINAL[1]], |r| {
            let urls: String = r.get(3)?;
            Ok(Entry {
                request_id: r.get(0)?,
                controller: r.get(1)?,
                subject_request_id: r.get(2)?,
                callback_urls: serde_json::from_str(&urls).unwrap_or_default(),
                notified: r.get(4)?,
                failures: r.get(5)?,
                next_at_ms: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every callback URL took `status`.
    pub fn notified(&self, request_id: &str, status: &str) -> Result<()> {
        self.db().execute(
            "UPDATE opendsr_requests SET notified = ?2, failures = 0, next_at_ms = 0 WHERE request_id = ?1",
            params![request_id, status],
        )?;
        Ok(())
    }

    /// A delivery failed: the next one not before `next_at_ms`.
    pub fn failed(&self, request_id: &str, next_at_ms: i64) -> Result<()> {
        self.db().execute(
            "UPDATE opendsr_requests SET failures = failures + 1, next_at_ms = ?2 WHERE request_id = ?1",
            params![request_id, next_at_ms],
        )?;
        Ok(())
    }
}
