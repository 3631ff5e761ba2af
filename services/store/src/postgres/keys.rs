//! [`KeyStore`] for PostgreSQL: one row per request in `data_keys`.
//!
//! `put_key_if_absent` is `INSERT ... ON CONFLICT DO NOTHING RETURNING`, then, when
//! another key was there, a separate `SELECT`. It must be a separate statement: under
//! READ COMMITTED an insert that lost the race to a concurrent one waits for it to
//! commit, but its own statement's snapshot still predates that row; the next statement
//! sees it.
//!
//! Destroying is a `DELETE` followed by `VACUUM data_keys`. Unlike SQLite's
//! `secure_delete`, PostgreSQL cannot zero a row on delete: the dead row stays readable
//! in the table's pages (to anyone with file access) until VACUUM removes it; the vacuum
//! right after the delete makes that now rather than whenever autovacuum comes by. The
//! bytes may still linger in the freed part of a page until it is reused, and they stay in
//! the WAL (and any WAL archive or base backup) until those are recycled. What remains is
//! a wrapped key, unreadable without the master key; SECURITY.md says for how long.

use async_trait::async_trait;
use deadpool_postgres::Client;

use super::error::Context;
use super::{PostgresStore, execute, get, query};
use crate::{KeyStore, StoreError};

const INSERT: &str = concat!(
    "INSERT INTO data_keys (request_id, wrapped, created_at) VALUES ($1, $2, ",
    super::now_ms_sql!(),
    ") ON CONFLICT (request_id) DO NOTHING RETURNING wrapped"
);

const SELECT: &str = "SELECT wrapped FROM data_keys WHERE request_id = $1";

/// How often `put_key_if_absent` tries again when the key it lost to is destroyed
/// before it could read it.
const PUT_ATTEMPTS: usize = 3;

#[async_trait]
impl KeyStore for PostgresStore {
    async fn put_key_if_absent(
        &self,
        request_id: &str,
        wrapped: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let client = self.client().await?;
        for _ in 0..PUT_ATTEMPTS {
            if let Some(stored) = put_once(&client, request_id, wrapped).await? {
                return Ok(stored);
            }
        }
        Err(StoreError::Unavailable(format!(
            "data key of {request_id} was destroyed {PUT_ATTEMPTS} times while being stored"
        )))
    }

    async fn get_key(&self, request_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let client = self.client().await?;
        let rows = query(&client, SELECT, &[&request_id])
            .await
            .ctx("read data key")?;
        rows.first().map(|row| get(row, 0)).transpose()
    }

    async fn destroy_key(&self, request_id: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM data_keys WHERE request_id = $1";
        let client = self.client().await?;
        let deleted = execute(&client, sql, &[&request_id])
            .await
            .ctx("delete data key")?;
        if deleted > 0 {
            vacuum(&client).await;
        }
        Ok(deleted > 0)
    }
}

/// The key inserted, or the one already there; `None` if that one was destroyed between
/// the two statements.
async fn put_once(
    client: &Client,
    request_id: &str,
    wrapped: &[u8],
) -> Result<Option<Vec<u8>>, StoreError> {
    let inserted = query(client, INSERT, &[&request_id, &wrapped])
        .await
        .ctx("insert data key")?;
    if let Some(row) = inserted.first() {
        return get(row, 0).map(Some);
    }
    let existing = query(client, SELECT, &[&request_id])
        .await
        .ctx("read data key")?;
    existing.first().map(|row| get(row, 0)).transpose()
}

/// The key is already deleted and committed, so a failed vacuum is logged, not returned
/// (autovacuum does the same job later). VACUUM cannot run in a transaction: it is sent
/// on its own.
async fn vacuum(client: &Client) {
    if let Err(e) = client.batch_execute("VACUUM data_keys").await {
        tracing::warn!(error = %e, "VACUUM of the key table after key destruction failed");
    }
}
