//! Identity resolution: every identifier the database files the person under. The identity
//! columns (`match`) of the rows the person's identifiers select are read, each value
//! normalised as its kind, and the new ones used to select again, until a round finds
//! nothing new (at most [`ROUNDS`]): an e-mail finds the customer number, the customer
//! number the device. Nothing is changed; tenant tables are read for the job's controller
//! only. Values that are not valid identifiers of their kind are skipped and counted.

use crate::builder::{Dialect, Statement, Subject, identities};
use crate::plan::Plan;
use crate::result::Failure;
use async_trait::async_trait;
use erasure_connector_sdk::{Job, Resolution};
use erasure_core::identifiers::normalise;
use erasure_core::{IdentifierKind, Identifiers};

/// Rounds of reading before the answer is final.
pub const ROUNDS: usize = 5;

/// Runs a read-only statement: every row, every column as text (`None` for NULL).
#[async_trait]
pub trait Reader: Send + Sync {
    async fn rows(&self, statement: Statement) -> Result<Vec<Vec<Option<String>>>, Failure>;
}

/// Every table and column the plan names, probed; one line per problem.
pub async fn check(plan: &Plan, reader: &dyn Reader) -> Vec<String> {
    let mut problems = Vec::new();
    for step in &plan.steps {
        if let Err(Failure::Retryable(detail) | Failure::Permanent(detail)) =
            reader.rows(crate::builder::probe(step)).await
        {
            problems.push(format!("connector: table {}: {detail}", step.table));
        }
    }
    problems
}

/// What the database knows of the job's person.
pub async fn resolve(plan: &Plan, job: &Job, d: Dialect, reader: &dyn Reader) -> Resolution {
    match rounds(plan, job, d, reader).await {
        Ok((found, 0)) => Resolution::found(found),
        Ok((found, skipped)) => Resolution {
            detail: format!("{skipped} stored values were not valid identifiers and were skipped"),
            ..Resolution::found(found)
        },
        Err(Failure::Retryable(detail)) => Resolution::failed_retryable(detail),
        Err(Failure::Permanent(detail)) => Resolution::failed_permanent(detail),
    }
}

/// Every identifier found, and how many stored values were skipped (in the last round,
/// which reads every row the final set selects).
async fn rounds(
    plan: &Plan,
    job: &Job,
    d: Dialect,
    reader: &dyn Reader,
) -> Result<(Identifiers, usize), Failure> {
    let mut known = job.identifiers.clone();
    let mut skipped = 0;
    for _ in 0..ROUNDS {
        let before = known.clone();
        skipped = 0;
        for step in &plan.steps {
            let who = Subject {
                identifiers: &before,
                controller: job.controller.as_deref(),
            };
            let Some((statement, kinds)) = identities(step, &who, d) else {
                continue;
            };
            for row in reader.rows(statement).await? {
                skipped += add(&mut known, &kinds, row)?;
            }
        }
        if known == before {
            break;
        }
    }
    Ok((known, skipped))
}

/// Adds a row's values, each as its column's kind; how many were not valid.
fn add(
    known: &mut Identifiers,
    kinds: &[IdentifierKind],
    row: Vec<Option<String>>,
) -> Result<usize, Failure> {
    let mut skipped = 0;
    for (kind, value) in kinds.iter().zip(row) {
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let Ok(value) = normalise(*kind, value.trim(), None) else {
            skipped += 1;
            continue;
        };
        let one = Identifiers::from_raw([(*kind, value.as_str())], None)
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        known
            .merge(&one)
            .map_err(|e| Failure::Permanent(format!("resolution found {e}")))?;
    }
    Ok(skipped)
}
