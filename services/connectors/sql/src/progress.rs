//! PostgreSQL: the connector's progress table, `<progress_schema>.erasure_connector_progress`,
//! which the connector creates (`IF NOT EXISTS`) before its first job.
//!
//! Why: on PostgreSQL a job commits one batch at a time. If the job fails or the
//! connector dies half-way, the rows of the committed batches are gone; the next delivery
//! finds only the rest, and would report only the rest. So each batch adds what it did to
//! the row of (request, system, table) in the same transaction, and the report states the
//! sums: what this request erased, whichever delivery did it.
//!
//! Lifecycle: a finished run stamps its rows with its attempt (`finished_attempt`). A
//! redelivery of that attempt adds to them (and normally adds nothing); a run of another
//! attempt starts them afresh (e.g. the new attempt sent once a legal hold ends). An
//! unfinished run's rows are carried on by any attempt. Finished rows are removed after
//! [`KEEP_FINISHED_DAYS`] days. The table holds request and system ids, table names and
//! counts: no personal data.

use erasure_connector_sdk::Job;
use std::collections::BTreeMap;
use tokio_postgres::{Client, GenericClient, Transaction};

/// The table's name.
pub const TABLE: &str = "erasure_connector_progress";

/// How long finished rows are kept: long enough for any redelivery.
pub const KEEP_FINISHED_DAYS: u32 = 30;

/// What committed batches did in one table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub deleted: u64,
    pub anonymised: u64,
}

/// The progress table of one schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// `"schema".erasure_connector_progress`
    table: String,
}

impl Progress {
    /// `schema` must be a plain identifier (checked by the caller).
    pub fn new(schema: &str) -> Self {
        Self {
            table: format!("{}.{TABLE}", crate::builder::quote(schema)),
        }
    }

    /// Creates the table unless it exists. Serialised by an advisory lock, as
    /// `CREATE TABLE IF NOT EXISTS` is not safe against itself running concurrently.
    pub async fn create(&self, client: &mut Client) -> Result<(), tokio_postgres::Error> {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&TABLE])
            .await?;
        tx.batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {} (
                request_id text NOT NULL,
                system_id text NOT NULL,
                table_name text NOT NULL,
                deleted bigint NOT NULL DEFAULT 0,
                anonymised bigint NOT NULL DEFAULT 0,
                batches bigint NOT NULL DEFAULT 0,
                finished_attempt bigint,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (request_id, system_id, table_name))",
            self.table
        ))
        .await?;
        tx.commit().await
    }

    /// Before a run: drops rows of the job's request finished by another attempt, and
    /// old finished rows of any request; returns what earlier deliveries did, per table.
    pub async fn start(
        &self,
        client: &impl GenericClient,
        job: &Job,
    ) -> Result<BTreeMap<String, Counts>, tokio_postgres::Error> {
        let t = &self.table;
        let (request, system, attempt) = ids(job);
        let reset = format!(
            "DELETE FROM {t} WHERE request_id = $1 AND system_id = $2 AND finished_attempt <> $3"
        );
        client
            .execute(&reset, &[&request, &system, &attempt])
            .await?;
        let days = i32::try_from(KEEP_FINISHED_DAYS).unwrap_or(i32::MAX);
        let old = format!(
            "DELETE FROM {t} WHERE finished_attempt IS NOT NULL AND updated_at < now() - make_interval(days => $1)"
        );
        client.execute(&old, &[&days]).await?;
        let read = format!(
            "SELECT table_name, deleted, anonymised FROM {t} WHERE request_id = $1 AND system_id = $2"
        );
        counts(client.query(&read, &[&request, &system]).await?)
    }

    /// Adds one batch's counts, in the batch's transaction.
    pub async fn add(
        &self,
        tx: &Transaction<'_>,
        job: &Job,
        table: &str,
        counts: Counts,
    ) -> Result<(), tokio_postgres::Error> {
        let (request, system, _) = ids(job);
        let (deleted, anonymised) = (to_i64(counts.deleted), to_i64(counts.anonymised));
        let sql = format!(
            "INSERT INTO {t} AS p (request_id, system_id, table_name, deleted, anonymised, batches)
             VALUES ($1, $2, $3, $4, $5, 1)
             ON CONFLICT (request_id, system_id, table_name) DO UPDATE SET
               deleted = p.deleted + EXCLUDED.deleted, anonymised = p.anonymised + EXCLUDED.anonymised,
               batches = p.batches + 1, updated_at = now()",
            t = self.table
        );
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
            [&request, &system, &table, &deleted, &anonymised];
        tx.execute(&sql, &params).await.map(|_| ())
    }

    /// After a run: stamps the request's rows finished by this attempt; returns the sums.
    pub async fn finish(
        &self,
        client: &impl GenericClient,
        job: &Job,
    ) -> Result<BTreeMap<String, Counts>, tokio_postgres::Error> {
        let (request, system, attempt) = ids(job);
        let sql = format!(
            "UPDATE {} SET finished_attempt = $3, updated_at = now()
             WHERE request_id = $1 AND system_id = $2
             RETURNING table_name, deleted, anonymised",
            self.table
        );
        counts(client.query(&sql, &[&request, &system, &attempt]).await?)
    }
}

fn ids(job: &Job) -> (&str, &str, i64) {
    let attempt = i64::from(job.attempt);
    (&job.request_id, job.system_id.as_str(), attempt)
}

fn counts(
    rows: Vec<tokio_postgres::Row>,
) -> Result<BTreeMap<String, Counts>, tokio_postgres::Error> {
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    rows.iter()
        .map(|row| {
            let counts = Counts {
                deleted: count(row.try_get(1)?),
                anonymised: count(row.try_get(2)?),
            };
            Ok((row.try_get(0)?, counts))
        })
        .collect()
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
