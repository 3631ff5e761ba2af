//! The idempotency cache: the final acknowledgment signed for each (request, system), so
//! that a duplicate work order is answered with the very same signed bytes instead of a
//! second erasure (which would report "nothing found" and lose the first evidence).
//!
//! SQLite, in a file or in memory. rusqlite is blocking, so writes run on the blocking
//! pool (and lookups when a write holds the connection); one connection behind a mutex is
//! plenty for one connector's throughput.
//! A file is in WAL mode with `synchronous=FULL`: an entry is on disk before its
//! acknowledgment is published, even across a power loss (the evidence must not be lost),
//! at one fsync per entry instead of the rollback journal's several.

use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS acknowledgments (
    request_id TEXT NOT NULL,
    system_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    signed_ack BLOB NOT NULL,
    evidence BLOB NOT NULL,
    PRIMARY KEY (request_id, system_id)
)";

/// A newer attempt replaces an older one; an older one never replaces a newer one.
const UPSERT: &str =
    "INSERT INTO acknowledgments (request_id, system_id, attempt, signed_ack, evidence)
    VALUES (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT (request_id, system_id) DO UPDATE
    SET attempt = excluded.attempt, signed_ack = excluded.signed_ack, evidence = excluded.evidence
    WHERE excluded.attempt >= acknowledgments.attempt";

/// A cache failure, without personal data (the keys are request and system ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheError(pub(crate) String);

/// A final acknowledgment as cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) request_id: String,
    pub(crate) system_id: String,
    pub(crate) attempt: u32,
    /// The encoded `SignedAcknowledgment`, exactly as published.
    pub(crate) signed_ack: Vec<u8>,
    pub(crate) evidence: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(crate) struct AckCache {
    conn: Arc<Mutex<Connection>>,
}

impl AckCache {
    /// Opens (creating it and its directory if needed) the cache at `path`, or an
    /// in-memory one.
    pub(crate) async fn open(path: Option<PathBuf>) -> Result<Self, CacheError> {
        let conn = tokio::task::spawn_blocking(move || open_connection(path.as_deref()))
            .await
            .map_err(|e| CacheError(format!("cache task failed: {e}")))??;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// The cached acknowledgment of (request, system), if any.
    pub(crate) async fn get(
        &self,
        request_id: &str,
        system_id: &str,
    ) -> Result<Option<Entry>, CacheError> {
        let (request_id, system_id) = (request_id.to_owned(), system_id.to_owned());
        let read = move |conn: &Connection| {
            let mut stmt = conn.prepare_cached(
                "SELECT attempt, signed_ack, evidence FROM acknowledgments
                 WHERE request_id = ?1 AND system_id = ?2",
            )?;
            stmt.query_row(params![request_id, system_id], |row| {
                Ok(Entry {
                    request_id: request_id.clone(),
                    system_id: system_id.clone(),
                    attempt: row.get(0)?,
                    signed_ack: row.get(1)?,
                    evidence: row.get(2)?,
                })
            })
            .optional()
        };
        // A lookup by primary key in a WAL file takes microseconds: done right here when
        // the connection is free, on the blocking pool when a write (with its fsync)
        // holds it.
        match self.here(&read) {
            Some(found) => found,
            None => self.blocking(read).await,
        }
    }

    /// Runs `f` on this thread if the connection is free; `None` if it is not.
    fn here<T>(
        &self,
        f: &impl Fn(&Connection) -> rusqlite::Result<T>,
    ) -> Option<Result<T, CacheError>> {
        let conn = match self.conn.try_lock() {
            Ok(conn) => conn,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        Some(f(&conn).map_err(failed))
    }

    /// Remembers `entry` unless a newer attempt is cached already.
    pub(crate) async fn put(&self, entry: Entry) -> Result<(), CacheError> {
        self.blocking(move |conn| {
            conn.prepare_cached(UPSERT)?
                .execute(params![
                    entry.request_id,
                    entry.system_id,
                    entry.attempt,
                    entry.signed_ack,
                    entry.evidence
                ])
                .map(drop)
        })
        .await
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, CacheError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&conn).map_err(failed)
        })
        .await
        .map_err(|e| CacheError(format!("cache task failed: {e}")))?
    }
}

fn failed(e: rusqlite::Error) -> CacheError {
    CacheError(format!("acknowledgment cache: {e}"))
}

fn open_connection(path: Option<&Path>) -> Result<Connection, CacheError> {
    let failed = |e: &dyn std::fmt::Display| CacheError(e.to_string());
    let conn = match path {
        None => Connection::open_in_memory().map_err(|e| failed(&e))?,
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
            }
            let conn = Connection::open(path).map_err(|e| failed(&e))?;
            let mode: String = conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
                .map_err(|e| failed(&e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(CacheError(format!("journal_mode is {mode}, not wal")));
            }
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(|e| failed(&e))?;
            conn
        }
    };
    // Several runners (one per system) may share one file.
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| failed(&e))?;
    conn.execute_batch(SCHEMA).map_err(|e| failed(&e))?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(attempt: u32, byte: u8) -> Entry {
        Entry {
            request_id: "r1".into(),
            system_id: "crm".into(),
            attempt,
            signed_ack: vec![byte],
            evidence: b"{}".to_vec(),
        }
    }

    #[tokio::test]
    async fn a_file_is_in_wal_mode_with_full_sync_and_keeps_its_entries() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("cache/acks.sqlite");
        let cache = AckCache::open(Some(path.clone())).await.expect("open");
        cache.put(entry(1, 7)).await.expect("put");
        drop(cache);
        let conn = Connection::open(&path).expect("reopen");
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
        let again = AckCache::open(Some(path)).await.expect("open again");
        assert_eq!(again.get("r1", "crm").await, Ok(Some(entry(1, 7))));
        let sync: i64 = again
            .blocking(|c| c.pragma_query_value(None, "synchronous", |r| r.get(0)))
            .await
            .expect("synchronous");
        assert_eq!(sync, 2, "FULL");
    }

    #[tokio::test]
    async fn a_newer_attempt_replaces_an_older_one_but_not_the_reverse() {
        let cache = AckCache::open(None).await.expect("open");
        assert_eq!(cache.get("r1", "crm").await, Ok(None));
        cache.put(entry(2, 2)).await.expect("put");
        cache.put(entry(1, 1)).await.expect("put older");
        assert_eq!(cache.get("r1", "crm").await, Ok(Some(entry(2, 2))));
        cache.put(entry(3, 3)).await.expect("put newer");
        assert_eq!(cache.get("r1", "crm").await, Ok(Some(entry(3, 3))));
        assert_eq!(cache.get("r1", "cameras").await, Ok(None));
    }

    #[tokio::test]
    async fn a_file_cache_survives_a_restart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state/acks.sqlite");
        let cache = AckCache::open(Some(path.clone())).await.expect("open");
        cache.put(entry(1, 7)).await.expect("put");
        drop(cache);
        let reopened = AckCache::open(Some(path)).await.expect("reopen");
        assert_eq!(reopened.get("r1", "crm").await, Ok(Some(entry(1, 7))));
    }
}
