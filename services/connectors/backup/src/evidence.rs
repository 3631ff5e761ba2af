//! From a [`Choice`] to the [`Report`]: `in backups` with the sets, or nothing found.
//!
//! Summary: `3 backup sets may hold the person until 2027-02-28`, or `no backup set may
//! hold the person (7 sets in the catalog: 2 expired before 2026-11-20, ...)`. The
//! evidence document (JSON, `erasure-evidence/backup/v1`) lists the sets found and counts
//! the others by reason. Neither holds personal data: the connector reads the person's
//! identifiers nowhere and writes them nowhere.

use crate::select::Choice;
use erasure_connector_sdk::{Job, Report};
use erasure_core::events::BackupCopy;
use serde_json::{Value, json};

/// The report of `choice` for `job`; `catalog` says where the sets were read.
pub fn report(job: &Job, choice: Choice, catalog: &str, covers: &[String]) -> Report {
    let evidence = document(job, &choice, catalog, covers);
    let evidence = serde_json::to_vec_pretty(&evidence).unwrap_or_default();
    let summary = summary(&choice, job);
    match choice.copies.is_empty() {
        true => Report::from_counts(0, 0, summary, evidence),
        false => Report::in_backups(choice.copies, summary, evidence),
    }
}

fn summary(choice: &Choice, job: &Job) -> String {
    let n = choice.copies.len();
    if let Some(until) = choice.until() {
        let sets = if n == 1 { "set" } else { "sets" };
        return format!("{n} backup {sets} may hold the person until {until}");
    }
    let mut why = Vec::new();
    for (count, reason) in [
        (choice.expired, format!("expired before {}", job.as_of)),
        (choice.taken_later, "taken after the erasure".to_owned()),
        (choice.other_systems, "of other systems".to_owned()),
    ] {
        if count > 0 {
            why.push(format!("{count} {reason}"));
        }
    }
    let in_catalog = match choice.in_catalog {
        1 => "1 set in the catalog".to_owned(),
        n => format!("{n} sets in the catalog"),
    };
    match why.is_empty() {
        true => format!("no backup set may hold the person ({in_catalog})"),
        false => format!(
            "no backup set may hold the person ({in_catalog}: {})",
            why.join(", ")
        ),
    }
}

fn document(job: &Job, choice: &Choice, catalog: &str, covers: &[String]) -> Value {
    let copies: Vec<Value> = choice.copies.iter().map(copy_entry).collect();
    json!({
        "format": "erasure-evidence/backup/v1",
        "request_id": job.request_id,
        "system_id": job.system_id.as_str(),
        "attempt": job.attempt,
        "as_of": job.as_of.to_string(),
        "catalog": catalog,
        "covers": covers,
        "sets_in_catalog": choice.in_catalog,
        "not_holding": {
            "taken_after_the_erasure": choice.taken_later,
            "expired_before_as_of": choice.expired,
            "of_other_systems": choice.other_systems,
        },
        "may_hold_the_person": copies,
        "until": choice.until().map(|d| d.to_string()),
    })
}

fn copy_entry(copy: &BackupCopy) -> Value {
    json!({
        "set_id": copy.set_id,
        "taken_at": copy.taken_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "expires_on": copy.expires_on.to_string(),
        "systems": copy.systems,
    })
}
