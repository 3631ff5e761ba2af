//! Rows of a batch by `ctid`: read (with the values to hash), then changed one statement
//! per row, pipelined on the connection within the batch's transaction.

use crate::builder::Statement;
use crate::config::Anonymised;
use crate::hash::{Hasher, Old, set_values};
use crate::postgres::{Text, classify, refs, texts};
use crate::result::Failure;
use erasure_core::Sensitive;
use futures::future::try_join_all;
use tokio_postgres::Transaction;
use tokio_postgres::types::ToSql;

/// Rows read to anonymise by hash, or to decide under a hold: `ctid` and the values to hash.
pub async fn hashed_rows(
    tx: &Transaction<'_>,
    read: &Statement,
) -> Result<Vec<(String, Vec<Old>)>, tokio_postgres::Error> {
    let params = texts(read);
    let rows = tx.query(&read.sql, &refs(&params)).await?;
    rows.iter()
        .map(|row| {
            let values = (1..row.len()).map(|i| row.try_get(i).map(old));
            Ok((row.try_get(0)?, values.collect::<Result<_, _>>()?))
        })
        .collect()
}

/// A value read as text, as hashing takes it.
pub fn old(text: Option<String>) -> Old {
    text.map(|t| Sensitive::new(t.into_bytes()))
}

/// Anonymises rows by `ctid` with `sql` ([`crate::builder::anonymise_row`]), each with its
/// values computed from its old ones; the new `ctid`s of the rows changed.
pub async fn update_rows<'r>(
    tx: &Transaction<'_>,
    sql: &str,
    columns: &[Anonymised],
    rows: impl IntoIterator<Item = (&'r str, &'r [Old])>,
    hasher: Option<&Hasher>,
) -> Result<Vec<String>, RowError> {
    let values = rows
        .into_iter()
        .map(|(id, old)| Ok((id, set_values(columns, old, hasher)?)))
        .collect::<Result<Vec<_>, &'static str>>()
        .map_err(RowError::Hash)?;
    let params: Vec<Vec<Text<'_>>> = values
        .iter()
        .map(|(id, set)| {
            let set = set
                .iter()
                .map(|v| Text(v.as_ref().map(|v| v.expose().as_str())));
            std::iter::once(Text(Some(id))).chain(set).collect()
        })
        .collect();
    Ok(each_returning(tx, sql, &params).await?)
}

/// Runs a row statement returning the row's new `ctid` once per row id; those ids.
pub async fn each_row(
    tx: &Transaction<'_>,
    sql: &str,
    ids: &[String],
) -> Result<Vec<String>, tokio_postgres::Error> {
    let params: Vec<Vec<Text<'_>>> = ids.iter().map(|id| vec![Text(Some(id))]).collect();
    each_returning(tx, sql, &params).await
}

/// Runs `sql` once per parameter list, pipelined; the ids all of them returned.
async fn each_returning(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[Vec<Text<'_>>],
) -> Result<Vec<String>, tokio_postgres::Error> {
    let statement = tx.prepare(sql).await?;
    let params: Vec<Vec<&(dyn ToSql + Sync)>> = params.iter().map(|p| refs(p)).collect();
    let runs = params.iter().map(|p| tx.query(&statement, p));
    let returned = try_join_all(runs).await?;
    returned
        .iter()
        .flatten()
        .map(|row| row.try_get(0))
        .collect()
}

/// Why rows could not be changed.
#[derive(Debug)]
pub enum RowError {
    Postgres(tokio_postgres::Error),
    Hash(&'static str),
}

impl From<tokio_postgres::Error> for RowError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Postgres(e)
    }
}

impl RowError {
    pub fn classify(&self, context: &str) -> Failure {
        match self {
            Self::Postgres(e) => classify(e, context),
            Self::Hash(why) => Failure::Permanent(format!("{context}: {why}")),
        }
    }
}
