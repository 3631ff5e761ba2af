//! [`EventStore`] for PostgreSQL.
//!
//! # Positions follow commit order: appends take one lock
//!
//! `position` is a `bigserial`, and a sequence hands out values when rows are inserted,
//! not when they commit. With two writers, B may take position 11 and commit while A,
//! holding 10, is still open: a relay tailing `read_all(after = last seen)` reads 11,
//! moves past it, and never sees 10. So every append transaction starts with
//! `pg_advisory_xact_lock(APPEND_LOCK)`: appends run one at a time, each takes its
//! positions after the previous one committed, and the lock is released only after the
//! commit is visible. A reader that sees position n has therefore seen every position
//! below n that will ever exist (gaps from rolled-back appends are never filled).
//!
//! The cost: appends to different streams wait for each other, so write throughput is
//! that of one writer — one short transaction (a few round trips) at a time, for the
//! whole database. Reads take no lock and never wait. The lock key is a constant, so
//! stores in different schemas of one database also share it: correct, merely serial.
//! (The alternative, reading only below the oldest running transaction's id with
//! `pg_snapshot_xmin`, keeps writers parallel but makes every reader wait for the
//! slowest writer; one writer is simpler and enough for an orchestrator's event rate.)
//!
//! A client that stalls inside an append (a frozen process, a network partition) holds
//! the lock until the server notices: set `idle_in_transaction_session_timeout` (a few
//! seconds; appends never idle longer than a round trip) on the store's role, as
//! `scripts/start-postgres` does, so the server aborts it and frees the lock.
//!
//! # Optimistic concurrency
//!
//! Inside the locked transaction the stream's version is checked first; a stale batch
//! is a conflict before anything is written. `unique(stream_id, stream_version)` stays
//! the last line of defence against a writer that bypasses the lock: its SQLSTATE 23505
//! becomes the same [`StoreError::Conflict`], with the actual version read after the
//! rollback (the failed transaction can no longer be queried).

use async_trait::async_trait;
use deadpool_postgres::{Client, GenericClient, Transaction};

use super::error::{Context, is_unique_violation};
use super::{PostgresStore, get, get_u32, get_u64, outbox, query, query_one, to_i64};
use crate::{AppendBatch, EventStore, RecordedEvent, StoreError};

/// Advisory lock key that serialises appends. "ERASURE" + 0x02 in ASCII.
const APPEND_LOCK: i64 = 0x4552_4153_5552_4502;

/// Waits for [`APPEND_LOCK`], then reads the database clock: appends record
/// non-decreasing times in position order. (The function in FROM runs before the
/// select list is evaluated.)
const LOCK_APPENDS: &str = concat!(
    "SELECT ",
    super::now_ms_sql!(),
    " FROM pg_advisory_xact_lock($1)"
);

const CURRENT_VERSION: &str =
    "SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = $1";

const INSERT_EVENT: &str = "INSERT INTO events
    (stream_id, stream_version, type, version, payload, recorded_at)
    VALUES ($1, $2, $3, $4, $5, $6)";

const READ_STREAM_AFTER: &str =
    "SELECT position, stream_id, stream_version, type, version, payload,
    recorded_at FROM events WHERE stream_id = $1 AND stream_version > $2
    ORDER BY stream_version";

const READ_ALL: &str = "SELECT position, stream_id, stream_version, type, version, payload,
    recorded_at FROM events WHERE position > $1 ORDER BY position LIMIT $2";

#[async_trait]
impl EventStore for PostgresStore {
    async fn append(&self, batch: AppendBatch) -> Result<u64, StoreError> {
        let new_version = batch.version_after()?;
        append(&mut self.client().await?, &batch).await?;
        Ok(new_version)
    }

    async fn read_stream_after(
        &self,
        stream_id: &str,
        after: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let after = to_i64(after);
        select(
            &self.client().await?,
            READ_STREAM_AFTER,
            &[&stream_id, &after],
        )
        .await
    }

    async fn stream_version(&self, stream_id: &str) -> Result<u64, StoreError> {
        current_version(&self.client().await?, stream_id).await
    }

    async fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let (after, limit) = (to_i64(after), to_i64(limit));
        select(&self.client().await?, READ_ALL, &[&after, &limit]).await
    }
}

/// One transaction: take the append lock, check the version, insert events and outbox
/// rows, commit. Returning early drops the transaction, which rolls it back.
async fn append(client: &mut Client, batch: &AppendBatch) -> Result<(), StoreError> {
    let tx = client.transaction().await.ctx("begin append")?;
    let now = lock_appends(&tx).await?;
    let actual = current_version(&tx, &batch.stream_id).await?;
    if actual != batch.expected_version {
        return Err(batch.conflict(actual));
    }
    match insert_events(&tx, batch, now).await {
        Err(e) if is_unique_violation(&e) => {
            tx.rollback().await.ctx("roll back append")?;
            let actual = current_version(&*client, &batch.stream_id).await?;
            return Err(batch.conflict(actual));
        }
        inserted => inserted.ctx("insert event")?,
    }
    outbox::insert(&tx, &batch.outbox, now).await?;
    tx.commit().await.ctx("commit append")
}

/// Waits for the append lock; returns the database clock once it is held.
async fn lock_appends(tx: &Transaction<'_>) -> Result<i64, StoreError> {
    let row = query_one(tx, LOCK_APPENDS, &[&APPEND_LOCK])
        .await
        .ctx("take the append lock")?;
    get(&row, 0)
}

/// Inserts versions `expected + 1 ..`, one prepared statement per event (batches are a
/// handful of events).
async fn insert_events(
    tx: &Transaction<'_>,
    batch: &AppendBatch,
    now: i64,
) -> Result<(), tokio_postgres::Error> {
    let statement = tx.prepare_cached(INSERT_EVENT).await?;
    for (version, e) in (to_i64(batch.expected_version) + 1..).zip(&batch.events) {
        let payload_version = i64::from(e.version);
        let row: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
            &batch.stream_id,
            &version,
            &e.event_type,
            &payload_version,
            &e.payload,
            &now,
        ];
        tx.execute(&statement, &row).await?;
    }
    Ok(())
}

async fn current_version(c: &impl GenericClient, stream_id: &str) -> Result<u64, StoreError> {
    let row = query_one(c, CURRENT_VERSION, &[&stream_id])
        .await
        .ctx("read stream version")?;
    get_u64(&row, 0)
}

async fn select(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows = query(c, sql, params).await.ctx("read events")?;
    rows.iter().map(recorded).collect()
}

fn recorded(row: &tokio_postgres::Row) -> Result<RecordedEvent, StoreError> {
    Ok(RecordedEvent {
        position: get_u64(row, 0)?,
        stream_id: get(row, 1)?,
        stream_version: get_u64(row, 2)?,
        event_type: get(row, 3)?,
        version: get_u32(row, 4)?,
        payload: get(row, 5)?,
        recorded_at_ms: get(row, 6)?,
    })
}
