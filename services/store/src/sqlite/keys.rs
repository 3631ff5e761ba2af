//! [`KeyStore`] for SQLite: one row per request in `data_keys`.
//!
//! Destroying a key must leave no copy in the files. `secure_delete` zeroes the row in
//! its page, but in WAL mode the page images that still hold the key (the frame that
//! inserted it, the main file until the next checkpoint) survive until a checkpoint
//! writes the zeroed page back and the WAL is reset. So a destroy is followed by a
//! `wal_checkpoint(TRUNCATE)`, once the delete has committed. It is best effort: if a reader holds an old snapshot the
//! checkpoint cannot finish, and SQLite's automatic checkpoints complete the job later.
//! (Copies outside SQLite's control — backups, filesystem snapshots, SSD remapping — are
//! out of reach of any store.)

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Context, SqliteStore, now_ms};
use crate::{KeyStore, StoreError};

#[async_trait]
impl KeyStore for SqliteStore {
    async fn put_key_if_absent(
        &self,
        request_id: &str,
        wrapped: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let (request_id, wrapped) = (request_id.to_owned(), wrapped.to_vec());
        self.write(move |conn| put_if_absent(conn, &request_id, &wrapped))
            .await
    }

    async fn get_key(&self, request_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let request_id = request_id.to_owned();
        self.read(move |conn| {
            conn.prepare_cached("SELECT wrapped FROM data_keys WHERE request_id = ?1")
                .and_then(|mut stmt| stmt.query_row([request_id], |r| r.get(0)).optional())
                .ctx("read data key")
        })
        .await
    }

    async fn destroy_key(&self, request_id: &str) -> Result<bool, StoreError> {
        let request_id = request_id.to_owned();
        let checkpoint = self.is_file();
        let deleted = self
            .write(move |conn| {
                conn.execute("DELETE FROM data_keys WHERE request_id = ?1", [request_id])
                    .ctx("delete data key")
            })
            .await?;
        if deleted > 0 && checkpoint {
            // After the delete committed; a checkpoint cannot run inside a transaction.
            self.write_alone(|conn| {
                truncate_wal(conn);
                Ok(())
            })
            .await?;
        }
        Ok(deleted > 0)
    }
}

/// INSERT OR IGNORE then SELECT, in the writer's transaction: the first key stored wins.
fn put_if_absent(tx: &Connection, request_id: &str, wrapped: &[u8]) -> Result<Vec<u8>, StoreError> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO data_keys (request_id, wrapped, created_at) VALUES (?1, ?2, ?3)",
    )
    .and_then(|mut stmt| stmt.execute(params![request_id, wrapped, now_ms()]))
    .ctx("insert data key")?;
    tx.prepare_cached("SELECT wrapped FROM data_keys WHERE request_id = ?1")
        .and_then(|mut stmt| stmt.query_row([request_id], |r| r.get(0)))
        .ctx("read data key")
}

/// The key is already deleted and committed, so failures here are logged, not returned.
fn truncate_wal(conn: &Connection) {
    match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(0) => {}
        Ok(_) => tracing::warn!("WAL checkpoint after key destruction was blocked by a reader"),
        Err(e) => tracing::warn!(error = %e, "WAL checkpoint after key destruction failed"),
    }
}
