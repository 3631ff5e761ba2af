//! [`EventStore`] for SQLite.
//!
//! Positions are `INTEGER PRIMARY KEY AUTOINCREMENT`, assigned inside the append
//! transaction. SQLite has one writer at a time and an IMMEDIATE transaction takes the
//! write lock before reading, so appends are serialized and positions increase in commit
//! order: a reader never sees position n+1 without n, and tailing by position never
//! skips. (PostgreSQL does not give this for free: sequences are handed out before
//! commit. Its adapter serialises appends with an advisory lock; see `postgres::events`.)

use async_trait::async_trait;
use rusqlite::{Connection, Row, params};

use super::{Context, SqliteStore, get_u32, get_u64, now_ms, outbox, to_i64};
use crate::{AppendBatch, EventStore, RecordedEvent, StoreError};

const READ_STREAM_AFTER: &str =
    "SELECT position, stream_id, stream_version, type, version, payload,
    recorded_at FROM events WHERE stream_id = ?1 AND stream_version > ?2
    ORDER BY stream_version";

const READ_ALL: &str = "SELECT position, stream_id, stream_version, type, version, payload,
    recorded_at FROM events WHERE position > ?1 ORDER BY position LIMIT ?2";

#[async_trait]
impl EventStore for SqliteStore {
    async fn append(&self, batch: AppendBatch) -> Result<u64, StoreError> {
        let new_version = batch.version_after()?;
        self.write(move |conn| append(conn, &batch, new_version))
            .await
    }

    async fn read_stream_after(
        &self,
        stream_id: &str,
        after: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let (stream_id, after) = (stream_id.to_owned(), to_i64(after));
        self.read(move |conn| select(conn, READ_STREAM_AFTER, params![stream_id, after]))
            .await
    }

    async fn stream_version(&self, stream_id: &str) -> Result<u64, StoreError> {
        let stream_id = stream_id.to_owned();
        self.read(move |conn| current_version(conn, &stream_id))
            .await
    }

    async fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let (after, limit) = (to_i64(after), to_i64(limit));
        self.read(move |conn| select(conn, READ_ALL, params![after, limit]))
            .await
    }
}

/// Inside the writer's transaction (which holds the write lock, so nothing changes the
/// stream in between): check the version, insert events and outbox rows.
fn append(tx: &Connection, batch: &AppendBatch, new_version: u64) -> Result<u64, StoreError> {
    let actual = current_version(tx, &batch.stream_id)?;
    if actual != batch.expected_version {
        return Err(batch.conflict(actual));
    }
    let now = now_ms();
    insert_events(tx, batch, now)?;
    outbox::insert(tx, &batch.outbox, now)?;
    Ok(new_version)
}

/// Inserts versions `expected + 1 ..`. A UNIQUE violation on (stream, version) is a
/// conflict too: a second line of defence should the version check ever be bypassed.
fn insert_events(tx: &Connection, batch: &AppendBatch, now: i64) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO events (stream_id, stream_version, type, version, payload, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .ctx("prepare event insert")?;
    for (version, e) in (to_i64(batch.expected_version) + 1..).zip(&batch.events) {
        let row = params![
            batch.stream_id,
            version,
            e.event_type,
            e.version,
            e.payload,
            now
        ];
        if let Err(err) = stmt.execute(row) {
            if is_unique_violation(&err) {
                return Err(batch.conflict(current_version(tx, &batch.stream_id)?));
            }
            return Err(StoreError::Unavailable(format!("insert event: {err}")));
        }
    }
    Ok(())
}

fn is_unique_violation(err: &rusqlite::Error) -> bool {
    use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
    matches!(err, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == SQLITE_CONSTRAINT_PRIMARYKEY)
}

fn current_version(conn: &Connection, stream_id: &str) -> Result<u64, StoreError> {
    conn.prepare_cached("SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = ?1")
        .and_then(|mut stmt| stmt.query_row([stream_id], |r| get_u64(r, 0)))
        .ctx("read stream version")
}

fn select(
    conn: &Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<RecordedEvent>, StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut stmt| stmt.query_map(params, recorded)?.collect())
        .ctx("read events")
}

fn recorded(row: &Row<'_>) -> rusqlite::Result<RecordedEvent> {
    Ok(RecordedEvent {
        position: get_u64(row, 0)?,
        stream_id: row.get(1)?,
        stream_version: get_u64(row, 2)?,
        event_type: row.get(3)?,
        version: get_u32(row, 4)?,
        payload: row.get(5)?,
        recorded_at_ms: row.get(6)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewEvent;

    fn batch(expected_version: u64) -> AppendBatch {
        AppendBatch {
            stream_id: "s".to_owned(),
            expected_version,
            events: vec![NewEvent {
                event_type: "t".to_owned(),
                version: 1,
                payload: vec![1],
            }],
            outbox: vec![],
        }
    }

    /// The version check normally catches a stale append first; this drives the
    /// insert directly to show the UNIQUE constraint is mapped to the same conflict.
    #[test]
    fn unique_violation_is_a_conflict() {
        let mut conn = Connection::open_in_memory().expect("open");
        super::super::schema::migrate(&mut conn).expect("schema");
        append(&conn, &batch(0), 1).expect("first append");
        let tx = conn.transaction().expect("tx");
        match insert_events(&tx, &batch(0), 0) {
            Err(StoreError::Conflict {
                expected, actual, ..
            }) => assert_eq!((expected, actual), (0, 1)),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
}
