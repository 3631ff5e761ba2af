//! The `backup` connector's configuration, as written in the inventory under
//! `[systems.connector]` with `kind = "backup"`: which systems' backups count (`covers`)
//! and the backup catalog, given either as a list of sets in the configuration:
//!
//! ```toml
//! covers = ["crm", "support"]
//! [[sets]]                                # [[systems.connector.sets]] in the inventory
//! id = "crm-2026-11-30-full"
//! taken_at = "2026-11-30T02:00:00Z"
//! expires = "2027-02-28"                  # the last day the set may exist
//! systems = ["crm", "support"]
//! ```
//!
//! or as a table of a database, read afresh for every job (catalogs change as backups are
//! taken and age out), SQLite (`database`) or PostgreSQL (`url`):
//!
//! ```toml
//! [catalog]                               # [systems.connector.catalog] in the inventory
//! url = "postgres://backup_reader@ops-db:5432/ops"
//! password_file = "secrets/ops-db-password"
//! table = "backup sets"
//! columns = { id = "set id", taken_at = "started", expires = "delete after", systems = "hosts" }
//! ```
//!
//! Deserialising checks only the shape; [`crate::BackupConnector::new`] checks the meaning
//! (every set valid, every name usable) and reads the password file.

mod toml_time;

use serde::Deserialize;
use std::path::PathBuf;

/// Which systems' backups count, and the catalog. Give exactly one of `sets` or
/// `catalog`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// System ids (as in the inventory): a set counts when it holds one of them. Empty or
    /// absent: every set counts, whatever it holds.
    #[serde(default)]
    pub covers: Vec<String>,
    /// The catalog, written out in the configuration. Change it as sets are taken and age
    /// out (`sets = []` is a catalog with nothing in it).
    #[serde(default)]
    pub sets: Option<Vec<SetConfig>>,
    /// The catalog as a table of a database, read afresh for every job.
    #[serde(default)]
    pub catalog: Option<TableCatalog>,
}

/// One backup set of a catalog written out in the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetConfig {
    /// The set's name in the backup tool, e.g. `crm-2026-11-30-full`; unique in the
    /// catalog. It is shown in acknowledgments and certificates.
    pub id: String,
    /// When the set was taken: an RFC 3339 timestamp such as `2026-11-30T02:00:00Z` or
    /// `2026-11-30T03:00:00+01:00` (without an offset: UTC), quoted or as a TOML
    /// date-time. Data erased after this moment may be in the set.
    #[serde(deserialize_with = "toml_time::text")]
    pub taken_at: String,
    /// The last day the set may exist, `YYYY-MM-DD` (UTC); or the timestamp at which it
    /// is deleted, which counts as the UTC date of that timestamp. Quoted, or as a TOML
    /// date or date-time. Required: a set kept forever would hold an erased person
    /// forever, so the connector refuses it.
    #[serde(default, deserialize_with = "toml_time::some_text")]
    pub expires: Option<String>,
    /// The systems (inventory ids) whose data the set holds; at least one.
    pub systems: Vec<String>,
}

/// A catalog table. Give exactly one of `database` (SQLite) or `url` (PostgreSQL).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableCatalog {
    /// SQLite: the database file, relative to the configuration's directory; opened
    /// read-only, never created.
    #[serde(default)]
    pub database: PathBuf,
    /// PostgreSQL: `postgres://user@host:port/database`, without a password (use
    /// `password_file`); `ERASURE_DATABASE_URL` replaces it in a connector process. The
    /// table is found through the connection's `search_path`: append
    /// `?options=-c%20search_path%3Dops` for schema `ops`. The connector only reads.
    #[serde(default)]
    pub url: Option<String>,
    /// PostgreSQL, optional: a file holding the password (e.g. a mounted Kubernetes
    /// Secret), relative to the configuration's directory. Read when the connector is
    /// built; a trailing newline is ignored. The password never appears in a message.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// The table: any name, quoted in SQL (spaces, capitals and quotes are fine).
    pub table: String,
    /// The table's columns, where they are not named as the defaults.
    #[serde(default)]
    pub columns: Columns,
    /// How long to wait for a lock before reporting the catalog busy (a retryable
    /// failure): SQLite's busy timeout (a writer holding the file), PostgreSQL's
    /// `lock_timeout` (a migration holding the table; at least 1 ms). Default: 5000.
    #[serde(default = "default_busy_timeout_ms")]
    pub busy_timeout_ms: u64,
}

fn default_busy_timeout_ms() -> u64 {
    5000
}

/// The catalog table's columns. Any names, quoted in SQL. What each must hold:
///
/// - `id`: the set's name, text, unique.
/// - `taken_at`: when the set was taken: PostgreSQL `timestamptz` (or `timestamp`, read
///   as UTC), or text in RFC 3339 (`2026-11-30T02:00:00Z`; `2026-11-30 02:00:00`, as
///   SQLite's `datetime()` writes it, is UTC).
/// - `expires`: the last day the set may exist: a `date` or `YYYY-MM-DD` text, or a
///   timestamp as above (its UTC date counts). NULL or `infinity` (kept forever) is
///   refused.
/// - `systems`: the systems whose data the set holds: text of inventory ids separated by
///   commas, or a PostgreSQL `text[]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// Default: `set_id`.
    #[serde(default = "default_id")]
    pub id: String,
    /// Default: `taken_at`.
    #[serde(default = "default_taken_at")]
    pub taken_at: String,
    /// Default: `expires`.
    #[serde(default = "default_expires")]
    pub expires: String,
    /// Default: `systems`.
    #[serde(default = "default_systems")]
    pub systems: String,
}

impl Default for Columns {
    fn default() -> Self {
        Self {
            id: default_id(),
            taken_at: default_taken_at(),
            expires: default_expires(),
            systems: default_systems(),
        }
    }
}

fn default_id() -> String {
    "set_id".into()
}

fn default_taken_at() -> String {
    "taken_at".into()
}

fn default_expires() -> String {
    "expires".into()
}

fn default_systems() -> String {
    "systems".into()
}
