//! [`Outbox`] for PostgreSQL. Rows are written by the append transaction ([`insert`]);
//! delivered rows are deleted, dead letters move to `outbox_dead`. Unknown ids are a
//! no-op everywhere, so a relay that retries after a crash or races itself cannot fail
//! on a row that is already gone.
//!
//! `due` selects by availability time, not by id, and delivered rows leave the table,
//! so a row committed late (with a lower id than one already delivered) is still found:
//! the outbox needs no commit-order care, unlike `read_all`.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use tokio_postgres::Row;

use super::error::Context;
use super::{PostgresStore, execute, get, get_u32, get_u64, query, query_one, to_i64};
use crate::{NewOutboxMessage, Outbox, OutboxMessage, StoreError};

const INSERT: &str = "INSERT INTO outbox (topic, key, payload, headers, available_at, created_at)
    VALUES ($1, $2, $3, $4, $5, $6)";

/// `exclude` is bound as one array, so the SQL stays static whatever its size.
const DUE: &str = "SELECT id, topic, key, payload, headers, available_at, attempts FROM outbox
    WHERE available_at <= $1 AND id <> ALL($3) ORDER BY available_at, id LIMIT $2";

const RETRY_LATER: &str =
    "UPDATE outbox SET available_at = $2, attempts = attempts + 1 WHERE id = $1";

/// Moves the row in one statement, so it is atomic without a transaction.
const DEAD_LETTER: &str = concat!(
    "WITH gone AS (DELETE FROM outbox WHERE id = $1
        RETURNING id, topic, key, payload, headers, attempts)
    INSERT INTO outbox_dead (id, topic, key, payload, headers, attempts, reason, dead_at)
    SELECT id, topic, key, payload, headers, attempts, $2, ",
    super::now_ms_sql!(),
    " FROM gone"
);

#[async_trait]
impl Outbox for PostgresStore {
    async fn due(
        &self,
        now_ms: i64,
        limit: usize,
        exclude: &[i64],
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let (limit, exclude) = (to_i64(limit), exclude.to_vec());
        let client = self.client().await?;
        let rows = query(&client, DUE, &[&now_ms, &limit, &exclude])
            .await
            .ctx("read outbox")?;
        rows.iter().map(message).collect()
    }

    async fn delivered(&self, id: i64) -> Result<(), StoreError> {
        let sql = "DELETE FROM outbox WHERE id = $1";
        let client = self.client().await?;
        execute(&client, sql, &[&id])
            .await
            .map(drop)
            .ctx("delete outbox row")
    }

    async fn delivered_all(&self, ids: &[i64]) -> Result<(), StoreError> {
        let sql = "DELETE FROM outbox WHERE id = ANY($1)";
        let client = self.client().await?;
        execute(&client, sql, &[&ids])
            .await
            .map(drop)
            .ctx("delete outbox rows")
    }

    async fn retry_later(&self, id: i64, available_at_ms: i64) -> Result<(), StoreError> {
        let client = self.client().await?;
        execute(&client, RETRY_LATER, &[&id, &available_at_ms])
            .await
            .map(drop)
            .ctx("reschedule outbox row")
    }

    async fn dead_letter(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        let client = self.client().await?;
        execute(&client, DEAD_LETTER, &[&id, &reason])
            .await
            .map(drop)
            .ctx("move outbox row to dead letters")
    }

    async fn pending(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let row = query_one(&client, "SELECT COUNT(*) FROM outbox", &[])
            .await
            .ctx("count outbox")?;
        get_u64(&row, 0)
    }

    async fn next_available_at(&self) -> Result<Option<i64>, StoreError> {
        let client = self.client().await?;
        let row = query_one(&client, "SELECT MIN(available_at) FROM outbox", &[])
            .await
            .ctx("read next outbox time")?;
        get(&row, 0)
    }
}

/// Writes the outbox rows of an append, inside its transaction.
pub(super) async fn insert(
    tx: &Transaction<'_>,
    messages: &[NewOutboxMessage],
    now: i64,
) -> Result<(), StoreError> {
    if messages.is_empty() {
        return Ok(());
    }
    let statement = tx
        .prepare_cached(INSERT)
        .await
        .ctx("prepare outbox insert")?;
    for m in messages {
        let headers = serde_json::to_string(&m.headers)
            .map_err(|e| StoreError::Invalid(format!("outbox headers: {e}")))?;
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
            &m.topic,
            &m.key,
            &m.payload,
            &headers,
            &m.available_at_ms,
            &now,
        ];
        tx.execute(&statement, &params)
            .await
            .ctx("insert outbox row")?;
    }
    Ok(())
}

fn message(row: &Row) -> Result<OutboxMessage, StoreError> {
    let headers: &str = get(row, 4)?;
    Ok(OutboxMessage {
        id: get(row, 0)?,
        topic: get(row, 1)?,
        key: get(row, 2)?,
        payload: get(row, 3)?,
        headers: serde_json::from_str(headers).map_err(|_| {
            StoreError::Unavailable("outbox headers are not a JSON array of [name, value]".into())
        })?,
        available_at_ms: get(row, 5)?,
        attempts: get_u32(row, 6)?,
    })
}
