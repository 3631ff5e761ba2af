//! [`Outbox`] for SQLite. Rows are written by the append transaction ([`insert`]);
//! delivered rows are deleted (overwritten, with `secure_delete`), dead letters move to
//! `outbox_dead`. Unknown ids are a no-op everywhere, so a relay that retries after a
//! crash or races itself cannot fail on a row that is already gone.

use std::collections::HashSet;

use async_trait::async_trait;
use rusqlite::types::Type;
use rusqlite::{Connection, Row, params};

use super::{Context, SqliteStore, get_u32, get_u64, now_ms, to_i64};
use crate::{NewOutboxMessage, Outbox, OutboxMessage, StoreError};

#[async_trait]
impl Outbox for SqliteStore {
    async fn due(
        &self,
        now_ms: i64,
        limit: usize,
        exclude: &[i64],
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let exclude: HashSet<i64> = exclude.iter().copied().collect();
        self.read(move |conn| due(conn, now_ms, limit, &exclude))
            .await
    }

    async fn delivered(&self, id: i64) -> Result<(), StoreError> {
        let sql = "DELETE FROM outbox WHERE id = ?1";
        self.write(move |conn| {
            conn.prepare_cached(sql)
                .and_then(|mut stmt| stmt.execute([id]))
                .map(drop)
                .ctx("delete outbox row")
        })
        .await
    }

    async fn delivered_all(&self, ids: &[i64]) -> Result<(), StoreError> {
        let ids = ids.to_vec();
        self.write(move |conn| {
            let mut stmt = conn
                .prepare_cached("DELETE FROM outbox WHERE id = ?1")
                .ctx("prepare outbox delete")?;
            for id in ids {
                stmt.execute([id]).ctx("delete outbox row")?;
            }
            Ok(())
        })
        .await
    }

    async fn retry_later(&self, id: i64, available_at_ms: i64) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET available_at = ?2, attempts = attempts + 1 WHERE id = ?1";
        self.write(move |conn| {
            conn.prepare_cached(sql)
                .and_then(|mut stmt| stmt.execute([id, available_at_ms]))
                .map(drop)
                .ctx("reschedule outbox row")
        })
        .await
    }

    async fn dead_letter(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        let reason = reason.to_owned();
        self.write(move |conn| dead_letter(conn, id, &reason)).await
    }

    async fn pending(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            conn.prepare_cached("SELECT COUNT(*) FROM outbox")
                .and_then(|mut stmt| stmt.query_row([], |r| get_u64(r, 0)))
                .ctx("count outbox")
        })
        .await
    }

    async fn next_available_at(&self) -> Result<Option<i64>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached("SELECT MIN(available_at) FROM outbox")
                .and_then(|mut stmt| stmt.query_row([], |r| r.get(0)))
                .ctx("read next outbox time")
        })
        .await
    }
}

/// Writes the outbox rows of an append, inside its transaction.
pub(super) fn insert(
    tx: &Connection,
    messages: &[NewOutboxMessage],
    now: i64,
) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO outbox (topic, key, payload, headers, available_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .ctx("prepare outbox insert")?;
    for m in messages {
        let headers = serde_json::to_string(&m.headers)
            .map_err(|e| StoreError::Invalid(format!("outbox headers: {e}")))?;
        stmt.execute(params![
            m.topic,
            m.key,
            m.payload,
            headers,
            m.available_at_ms,
            now
        ])
        .ctx("insert outbox row")?;
    }
    Ok(())
}

/// Fetches `limit + exclude.len()` rows and drops the excluded ones in Rust: at most
/// `exclude.len()` are dropped, so `limit` remain if there are that many, and the SQL
/// stays static whatever the size of `exclude`.
fn due(
    conn: &Connection,
    now: i64,
    limit: usize,
    exclude: &HashSet<i64>,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let fetch = to_i64(limit.saturating_add(exclude.len()));
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, topic, key, payload, headers, available_at, attempts FROM outbox
             WHERE available_at <= ?1 ORDER BY available_at, id LIMIT ?2",
        )
        .ctx("prepare outbox query")?;
    let rows = stmt.query_map([now, fetch], message).ctx("read outbox")?;
    let mut out = Vec::new();
    for row in rows {
        if out.len() == limit {
            break;
        }
        let m = row.ctx("read outbox row")?;
        if !exclude.contains(&m.id) {
            out.push(m);
        }
    }
    Ok(out)
}

fn message(row: &Row<'_>) -> rusqlite::Result<OutboxMessage> {
    let headers: String = row.get(4)?;
    Ok(OutboxMessage {
        id: row.get(0)?,
        topic: row.get(1)?,
        key: row.get(2)?,
        payload: row.get(3)?,
        headers: serde_json::from_str(&headers).map_err(|_| {
            let why = "headers are not a JSON array of [name, value]";
            rusqlite::Error::FromSqlConversionFailure(4, Type::Text, why.into())
        })?,
        available_at_ms: row.get(5)?,
        attempts: get_u32(row, 6)?,
    })
}

/// Copies the row to `outbox_dead` and deletes it, in the writer's transaction.
fn dead_letter(tx: &Connection, id: i64, reason: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO outbox_dead (id, topic, key, payload, headers, attempts, reason, dead_at)
         SELECT id, topic, key, payload, headers, attempts, ?2, ?3 FROM outbox WHERE id = ?1",
        params![id, reason, now_ms()],
    )
    .ctx("insert dead letter")?;
    tx.execute("DELETE FROM outbox WHERE id = ?1", [id])
        .map(drop)
        .ctx("delete outbox row")
}
