//! PostgreSQL batch transactions and what they add up to: [`Batch`] opens one (with
//! `lock_timeout`), commits it together with its [`crate::progress`] counts, and keeps the
//! [`Tally`] of the run (`tally`). `rows`: reading rows to hash and changing rows by
//! `ctid`, the statements of one batch pipelined on the connection.

use crate::builder::{self, Dialect, Statement, Subject};
use crate::plan::Step;
use crate::postgres::{classify, refs, texts};
use crate::progress::{Counts, Progress};
use crate::result::{Failure, TableResult};
use erasure_connector_sdk::Job;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, Transaction};

mod rows;
mod tally;

pub use rows::{RowError, each_row, hashed_rows, old, update_rows};
pub use tally::Tally;

/// How a PostgreSQL connector cuts its work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Rows per batch transaction.
    pub batch_size: u64,
    /// `lock_timeout` of every batch transaction.
    pub lock_timeout: Duration,
    pub progress: Progress,
}

/// One table's batches.
#[derive(Debug)]
pub struct Batch<'a> {
    pub settings: &'a Settings,
    pub job: &'a Job,
    pub step: &'a Step,
    tally: &'a mut Tally,
    /// The step's position in the plan (and in the tally).
    index: usize,
    started: Instant,
}

impl<'a> Batch<'a> {
    pub fn new(
        settings: &'a Settings,
        job: &'a Job,
        step: &'a Step,
        tally: &'a mut Tally,
        index: usize,
    ) -> Self {
        let started = Instant::now();
        Self {
            settings,
            job,
            step,
            tally,
            index,
            started,
        }
    }

    /// Opens a batch transaction.
    pub async fn begin<'c>(&mut self, client: &'c mut Client) -> Result<Transaction<'c>, Failure> {
        self.started = Instant::now();
        let tx = client.transaction().await.map_err(|e| self.fail(&e))?;
        // 0 would mean "wait forever" to PostgreSQL; to SQLite's busy timeout, "don't wait".
        let ms = self.settings.lock_timeout.as_millis().max(1);
        let timeout = format!("SET LOCAL lock_timeout = {ms}");
        tx.batch_execute(&timeout)
            .await
            .map_err(|e| self.fail(&e))?;
        Ok(tx)
    }

    /// Adds the batch's counts to the progress table and commits; then to the tally.
    pub async fn commit(&mut self, tx: Transaction<'_>, counts: Counts) -> Result<(), Failure> {
        if counts != Counts::default() {
            let progress = &self.settings.progress;
            let added = progress.add(&tx, self.job, &self.step.table, counts).await;
            added.map_err(|e| self.fail(&e))?;
        }
        tx.commit().await.map_err(|e| self.fail(&e))?;
        self.tally.batch(self.index, counts, self.started.elapsed());
        Ok(())
    }

    /// The table's result so far.
    pub fn result(&mut self) -> &mut TableResult {
        self.tally.result(self.index)
    }

    /// How many rows the step selects now, outside any batch.
    pub async fn selected(&self, client: &Client) -> Result<u64, Failure> {
        let who = Subject::of(self.job);
        self.count(client, &builder::count(self.step, &who, Dialect::Postgres))
            .await
    }

    /// `SELECT COUNT(*)`, outside any batch.
    pub async fn count(&self, client: &Client, statement: &Statement) -> Result<u64, Failure> {
        let params = texts(statement);
        let row = client.query_one(&statement.sql, &refs(&params)).await;
        let n: i64 = row.and_then(|r| r.try_get(0)).map_err(|e| self.fail(&e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub fn context(&self) -> String {
        format!("table {}", self.step.table)
    }

    pub fn fail(&self, e: &tokio_postgres::Error) -> Failure {
        classify(e, &self.context())
    }
}
