//! Runs a [`Plan`] against PostgreSQL in batches: each table's selected rows are worked
//! through `batch_size` at a time, ONE TRANSACTION PER BATCH, repeated until a batch comes
//! back short. No lock is held longer than a batch takes, however many rows the person has.
//! Tables are taken in plan order: joined tables before the tables they join to.
//!
//! First the table's selected rows are counted: none, no transaction; otherwise that many
//! rows at most are worked through (a trigger that puts rows back cannot loop forever).
//!
//! - delete: `DELETE FROM t WHERE ctid = ANY(ARRAY(SELECT ctid FROM t WHERE <selected> LIMIT n))`
//! - anonymise with NULL or fixed values: the same shape as an `UPDATE`, over rows with
//!   something left to anonymise (so the loop ends);
//! - anonymise by hash: read a batch `FOR UPDATE`, compute the hashes in Rust, update each
//!   row by `ctid` in the same transaction;
//! - a table rules may hold: [`crate::pg_restrict`].
//!
//! Each batch adds its counts to the [`crate::progress`] table in its own transaction, so
//! a run cut short by a failure or a crash is carried on by the next delivery, and the
//! counts reported are the request's totals. Every batch sets `lock_timeout` to
//! `busy_timeout_ms`: a lock not had in time is a retryable failure, not a wait forever.

use crate::builder::{self, Dialect, Statement, Subject};
use crate::config::{Action, Anonymised};
use crate::hash::{self, Hasher};
use crate::pg_batch::{Batch, Settings, Tally, hashed_rows, update_rows};
use crate::pg_restrict;
use crate::plan::Plan;
use crate::postgres::{classify, refs, texts};
use crate::progress::Counts;
use crate::result::Failure;
use crate::scope::held;
use erasure_connector_sdk::Job;
use tokio_postgres::Client;

const PG: Dialect = Dialect::Postgres;

/// Runs every step of `plan` for the job's person. On failure, also what the committed
/// batches did (this delivery's and earlier ones'), for the report.
pub async fn run(
    client: &mut Client,
    plan: &Plan,
    job: &Job,
    settings: &Settings,
    hasher: Option<&Hasher>,
) -> Result<Tally, (Failure, Tally)> {
    let mut tally = Tally::new(plan);
    let progress = &settings.progress;
    let fail = |e: tokio_postgres::Error| classify(&e, "reading the progress table");
    let start = progress.start(&*client, job).await.map_err(fail);
    match start {
        Ok(before) => tally.resume(&before),
        Err(failure) => return Err((failure, tally)),
    }
    for (index, step) in plan.steps.iter().enumerate() {
        let mut batch = Batch::new(settings, job, step, &mut tally, index);
        let done = match held(step, job) {
            Some(hold) => pg_restrict::run_step(client, &mut batch, hold, hasher).await,
            None => run_step(client, &mut batch, hasher).await,
        };
        if let Err(failure) = done {
            return Err((failure, tally));
        }
    }
    match progress.finish(&*client, job).await {
        Ok(totals) => Ok(tally.totals(&totals)),
        Err(e) => Err((classify(&e, "finishing the progress table"), tally)),
    }
}

async fn run_step(
    client: &mut Client,
    batch: &mut Batch<'_>,
    hasher: Option<&Hasher>,
) -> Result<(), Failure> {
    let (step, who) = (batch.step, Subject::of(batch.job));
    let limit = batch.settings.batch_size;
    match &step.action {
        Action::Delete => {
            let statement = builder::delete_batch(step, &who, PG, limit);
            in_batches(client, batch, &statement, Change::Delete).await?;
            let left = batch.count(client, &builder::count(step, &who, PG)).await?;
            batch.result().remaining = Some(left);
        }
        Action::Anonymise(columns) if hash::hashed(columns).is_empty() => {
            let statement = builder::anonymise_batch(step, columns, &who, PG, limit);
            in_batches(client, batch, &statement, Change::Anonymise).await?;
        }
        Action::Anonymise(columns) => hash_batches(client, batch, columns, hasher).await?,
    }
    Ok(())
}

/// What a statement does to the rows it changes.
#[derive(Clone, Copy)]
enum Change {
    Delete,
    Anonymise,
}

impl Change {
    fn counts(self, rows: u64) -> Counts {
        match self {
            Self::Delete => Counts {
                deleted: rows,
                anonymised: 0,
            },
            Self::Anonymise => Counts {
                deleted: 0,
                anonymised: rows,
            },
        }
    }
}

/// Runs `statement` in a transaction of its own until a batch comes back short (the
/// selection ran out) or the batches changed as many rows as were selected at the start:
/// a trigger putting rows back cannot keep the loop going, and what it put back is
/// reported as remaining.
async fn in_batches(
    client: &mut Client,
    batch: &mut Batch<'_>,
    statement: &Statement,
    change: Change,
) -> Result<(), Failure> {
    let budget = batch.selected(client).await?;
    let (params, limit) = (texts(statement), batch.settings.batch_size);
    let mut done = 0;
    while done < budget {
        let tx = batch.begin(client).await?;
        let changed = tx.execute(&statement.sql, &refs(&params)).await;
        let changed = changed.map_err(|e| batch.fail(&e))?;
        batch.commit(tx, change.counts(changed)).await?;
        if changed < limit {
            break;
        }
        done += changed;
    }
    Ok(())
}

/// Anonymising by hash: a batch of rows read `FOR UPDATE`, hashed in Rust, updated by
/// `ctid`, committed; until a batch reads fewer rows than it may (none has anything left
/// to anonymise) or as many were read as were selected at the start.
async fn hash_batches(
    client: &mut Client,
    batch: &mut Batch<'_>,
    columns: &[Anonymised],
    hasher: Option<&Hasher>,
) -> Result<(), Failure> {
    let (step, who) = (batch.step, Subject::of(batch.job));
    let (budget, limit) = (batch.selected(client).await?, batch.settings.batch_size);
    let read = builder::hash_candidates(step, columns, &who, PG, Some(limit));
    let update = builder::anonymise_row(&step.table, columns, PG);
    let mut done = 0;
    while done < budget {
        let tx = batch.begin(client).await?;
        let rows = hashed_rows(&tx, &read).await.map_err(|e| batch.fail(&e))?;
        let read_rows = u64::try_from(rows.len()).unwrap_or(u64::MAX);
        let rows = rows.iter().map(|(id, old)| (id.as_str(), old.as_slice()));
        let changed = update_rows(&tx, &update, columns, rows, hasher).await;
        let changed = changed.map_err(|e| e.classify(&batch.context()))?;
        let n = u64::try_from(changed.len()).unwrap_or(u64::MAX);
        batch.commit(tx, Change::Anonymise.counts(n)).await?;
        if read_rows < limit {
            break;
        }
        done += read_rows;
    }
    Ok(())
}
