//! PostgreSQL: a table whose rows a retention rule of the job may hold, in pages of
//! `batch_size` rows, one transaction each. A page is read `FOR UPDATE` in `ctid` order
//! after the previous page's last `ctid`; [`decide`] sorts it; held rows get the
//! `restrict` marker, the others the table's action, each by `ctid`, in the same
//! transaction.
//!
//! An update gives a row a new `ctid`, which may lie ahead of the page cursor: the new ids
//! the run produced are remembered and skipped when met again, so no row is decided or
//! counted twice. Rows already marked are left as they are. What rules hold is counted
//! afresh by every delivery (held rows stay); deletions and anonymisations add up in the
//! progress table like any batch's. At most as many rows as the table selects when it
//! starts are decided, so rows put back by a trigger cannot keep the pages coming.

use crate::builder::{self, Dialect, Page, Subject};
use crate::config::Action;
use crate::hash::Hasher;
use crate::pg_batch::{Batch, RowError, each_row, old, update_rows};
use crate::plan::Hold;
use crate::progress::Counts;
use crate::restrict::{Candidate, Decision, decide, merge, released};
use crate::result::Failure;
use erasure_core::events::Retained;
use rusqlite::types::Value;
use std::collections::HashSet;
use tokio_postgres::{Client, Transaction};

const PG: Dialect = Dialect::Postgres;

/// The first page starts after this `ctid`.
const START: &str = "(0,0)";

/// What the pages of one table kept.
#[derive(Default)]
struct Kept {
    /// Rows changed by this run, by their new `ctid`.
    seen: HashSet<String>,
    /// Rows decided.
    decided: u64,
    /// Rows held.
    rows: u64,
    per_rule: Vec<Retained>,
}

/// Reads, decides and acts on the table's selected rows, a page per transaction.
pub async fn run_step(
    client: &mut Client,
    batch: &mut Batch<'_>,
    hold: &Hold,
    hasher: Option<&Hasher>,
) -> Result<(), Failure> {
    let (step, job) = (batch.step, batch.job);
    let mut page = Page {
        after: START.to_owned(),
        limit: batch.settings.batch_size,
    };
    let mut kept = Kept::default();
    // At most as many rows as are selected now are decided: rows a trigger puts back
    // (with a later ctid) cannot keep the pages coming.
    let budget = batch.selected(client).await?;
    while kept.decided < budget {
        match one_page(client, batch, hold, &page, &mut kept, hasher).await? {
            Some(last) => page.after = last,
            None => break,
        }
    }
    if step.action == Action::Delete {
        let selected = builder::count(step, &Subject::of(job), PG);
        let selected = batch.count(client, &selected).await?;
        batch.result().remaining = Some(selected.saturating_sub(kept.rows));
    }
    batch.result().restricted = kept.per_rule;
    Ok(())
}

/// One page in one transaction; the `ctid` to read the next page after, `None` when the
/// page was empty.
async fn one_page(
    client: &mut Client,
    batch: &mut Batch<'_>,
    hold: &Hold,
    page: &Page,
    kept: &mut Kept,
    hasher: Option<&Hasher>,
) -> Result<Option<String>, Failure> {
    let (step, job) = (batch.step, batch.job);
    let read = builder::hold_candidates(step, hold, &Subject::of(job), PG, Some(page));
    let tx = batch.begin(client).await?;
    let rows = candidates(&tx, &read, hold).await;
    let rows = rows.map_err(|e| batch.fail(&e))?;
    let Some(last) = rows.last().map(|r| r.rowid.clone()) else {
        batch.commit(tx, Counts::default()).await?;
        return Ok(None);
    };
    let rows: Vec<Candidate<String>> = rows
        .into_iter()
        .filter(|r| !kept.seen.contains(&r.rowid))
        .collect();
    let decision = decide(&step.table, hold, job, &rows)?;
    let counts = act(&tx, batch, hold, &rows, &decision, kept, hasher).await;
    batch.commit(tx, counts?).await?;
    kept.decided += len(&rows);
    kept.rows += len(&decision.held);
    kept.per_rule = merge(job, &kept.per_rule, &decision.restricted);
    Ok(Some(last))
}

/// Marks the held rows and gives the released ones the table's action; what that did.
async fn act(
    tx: &Transaction<'_>,
    batch: &Batch<'_>,
    hold: &Hold,
    rows: &[Candidate<String>],
    decision: &Decision<String>,
    kept: &mut Kept,
    hasher: Option<&Hasher>,
) -> Result<Counts, Failure> {
    let (table, context) = (&batch.step.table, batch.context());
    let fail = |e: RowError| e.classify(&context);
    let restrict = builder::restrict_row(table, hold, PG);
    let marked = each_row(tx, &restrict, &decision.held).await;
    kept.seen.extend(marked.map_err(|e| fail(e.into()))?);
    match &batch.step.action {
        Action::Delete => {
            let delete = builder::delete_row(table, PG);
            let gone = each_row(tx, &delete, &decision.released).await;
            let deleted = len(&gone.map_err(|e| fail(e.into()))?);
            Ok(Counts {
                deleted,
                anonymised: 0,
            })
        }
        Action::Anonymise(columns) => {
            let update = builder::anonymise_row(table, columns, PG);
            let released: Vec<_> = released(rows, &decision.released).collect();
            let released = released.iter().map(|(id, old)| (id.as_str(), *old));
            let changed = update_rows(tx, &update, columns, released, hasher).await;
            let changed = changed.map_err(fail)?;
            let anonymised = len(&changed);
            kept.seen.extend(changed);
            Ok(Counts {
                deleted: 0,
                anonymised,
            })
        }
    }
}

fn len<T>(items: &[T]) -> u64 {
    u64::try_from(items.len()).unwrap_or(u64::MAX)
}

/// A page as the hold decision reads it: `ctid`, reference date (as text), one flag per
/// condition, then the values to hash.
async fn candidates(
    tx: &Transaction<'_>,
    read: &builder::Statement,
    hold: &Hold,
) -> Result<Vec<Candidate<String>>, tokio_postgres::Error> {
    let params = crate::postgres::texts(read);
    let rows = tx.query(&read.sql, &crate::postgres::refs(&params)).await?;
    let flags = hold.conditions.len();
    rows.iter()
        .map(|row| {
            let reference: Option<String> = row.try_get(1)?;
            let flag = |i| row.try_get::<_, bool>(2 + i);
            let value = |i| row.try_get(i).map(old);
            Ok(Candidate {
                rowid: row.try_get(0)?,
                reference: reference.map_or(Value::Null, Value::Text),
                flags: (0..flags).map(flag).collect::<Result<_, _>>()?,
                values: (2 + flags..row.len())
                    .map(value)
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}
