//! What the evidence says about each database besides the counts ([`Notes`]): how it
//! keeps what was deleted, honestly, and how the work was cut into transactions.
//!
//! - SQLite: `secure_delete` overwrote the deleted content; in WAL mode, whether the
//!   checkpoint after the commit emptied the `-wal` file. The summary is unchanged.
//! - PostgreSQL: the old versions of deleted and anonymised rows stay in the tables'
//!   files as dead tuples until `VACUUM`, and whether the connector runs it (and within
//!   how long) or leaves it to autovacuum; both in the summary and in the document, with
//!   the batches (count, size, longest transaction).

use crate::evidence::Notes;
use crate::execute::Done;
use crate::pg_batch::{Settings, Tally};
use serde_json::json;
use std::time::Duration;

/// What PostgreSQL does with deleted rows, as the document states it.
pub const DEAD_TUPLES: &str = "deleted rows and the old versions of anonymised rows stay in the tables' files as dead tuples until VACUUM removes them; VACUUM makes their space reusable without rewriting the files, and WAL segments and backups keep older copies on their own schedules";

/// SQLite's notes.
pub fn sqlite(done: &Done) -> Notes {
    let mut notes = Notes::default();
    notes.fields.insert("database".into(), json!("sqlite"));
    let physical = json!({
        "secure_delete": true,
        "wal_checkpointed": done.wal_checkpointed,
        "note": "deleted content is overwritten in the database file (PRAGMA secure_delete); copies in backups or in the file system's free blocks are outside the connector's reach",
    });
    notes.fields.insert("physical_deletion".into(), physical);
    notes
}

/// PostgreSQL's notes. `every` is `vacuum_every_secs`; `due` how soon the scheduled
/// vacuum of the changed tables runs (`None`: none scheduled).
pub fn postgres(
    tally: &Tally,
    settings: &Settings,
    every: Option<Duration>,
    due: Option<Duration>,
) -> Notes {
    let vacuum = match (every, due) {
        (None, _) => "this connector runs no VACUUM (vacuum_every_secs unset): the server's autovacuum decides when".to_owned(),
        (Some(_), Some(due)) => format!("this connector runs VACUUM on the changed tables within {} s", ceil_secs(due)),
        (Some(every), None) => format!("this connector runs VACUUM on changed tables at most every {} s; nothing changed now", every.as_secs()),
    };
    let summary = format!("deleted rows stay as dead tuples until VACUUM: {vacuum}");
    let batches = json!({
        "size": settings.batch_size,
        "count": tally.batches,
        "largest": tally.largest,
        "longest_ms": u64::try_from(tally.longest.as_millis()).unwrap_or(u64::MAX),
        "resumed": tally.resumed,
    });
    let physical = json!({
        "dead_tuples": DEAD_TUPLES,
        "vacuum": vacuum,
        "vacuum_every_secs": every.map(|e| e.as_secs()),
        "vacuum_due_within_secs": due.map(ceil_secs),
    });
    let mut notes = Notes {
        summary: Some(summary),
        ..Notes::default()
    };
    notes.fields.insert("database".into(), json!("postgresql"));
    notes.fields.insert("batches".into(), batches);
    notes.fields.insert("physical_deletion".into(), physical);
    notes
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}
