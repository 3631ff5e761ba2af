//! The `sql` connector's configuration, as written in the inventory under
//! `[systems.connector]` with `kind = "sql"`:
//!
//! ```toml
//! database = "crm.sqlite"
//! [[tables]]
//! table = "customers"
//! match = [ { column = "email", identifier = "email" }, { column = "customer_number", identifier = "customer_id" } ]
//! action = "delete"
//! [[tables]]
//! table = "contracts"
//! join = { column = "customer_id", references = "customers.id" }
//! action = { anonymise = ["holder_name", "billing_address"] }
//! # Invoices are accounting vouchers: while a retention rule holds one, it is restricted
//! # (GDPR Art. 18: `restricted` set to 1) and kept; once no rule holds it, it is deleted.
//! [[tables]]
//! table = "invoices"
//! match = [ { column = "customer_number", identifier = "customer_id" } ]
//! action = "delete"
//! category = "accounting-voucher"
//! reference_date = "issued_on"
//! restrict = "restricted"
//! conditions = { "complaint-open" = "complaint_open" }
//! ```
//!
//! The same tables on PostgreSQL: `url` instead of `database`, and, optionally, how the
//! work is cut into transactions and when freed space is vacuumed:
//!
//! ```toml
//! url = "postgres://erasure@crm-db.internal:5432/crm"
//! password_file = "secrets/crm-db-password"   # e.g. a mounted Kubernetes Secret
//! pool_size = 4
//! batch_size = 10000
//! progress_schema = "erasure"
//! vacuum_every_secs = 3600
//! hash_key_file = "secrets/crm-hash-key"
//! [[tables]]
//! table = "contracts"
//! join = { column = "customer_id", references = "customers.id" }
//! action = { anonymise = ["billing_address", { column = "holder_name", hash = true }, { column = "status", value = "erased" }] }
//! ```
//!
//! Legal holds: the work order carries the retention rules that may hold this system's
//! data. A table with a `category` that one of them covers is read row by row: each row's
//! `reference_date` and `conditions` decide whether a rule still holds it on the order's
//! date. Held rows get `restrict` = 1 and keep everything; the others get the table's
//! `action`. Rows of tables joined to a held table are not held themselves: give such a
//! table its own `match` and `category` if it must be kept too.
//!
//! Transactions: on SQLite, one job is one transaction over every table (a failure leaves
//! the database as it was). On PostgreSQL, a person may own millions of rows, so each
//! table is worked through in batches of `batch_size` rows, one transaction per batch:
//! no lock is held for longer than one batch takes. A failure or a crash leaves the
//! batches already committed in place; the next delivery of the job carries on from
//! there, and the counts it reports include them (see [`crate::progress`]).
//!
//! Deserialising checks only the shape; [`crate::plan::Plan::new`] checks the meaning, and
//! [`crate::SqlConnector::new`] the database settings.

mod anonymise;

pub use anonymise::{Anonymised, Replacement};

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One database and the tables in it that hold personal data. Give exactly one of
/// `database` (SQLite) or `url` (PostgreSQL).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// SQLite: the database file. A relative path resolves against the base directory given
    /// to [`crate::SqlConnector::new`] (the inventory's directory). The file must exist: a
    /// missing database is reported as a failure, never replaced by a new empty one. The
    /// connector's connections set `PRAGMA secure_delete = ON`, so deleted rows are
    /// overwritten in the file rather than left in its free pages.
    #[serde(default)]
    pub database: PathBuf,
    /// PostgreSQL: `postgres://user@host:port/database` (or the `key=value` form), without
    /// a password (use `password_file`). Tables are found through the connection's
    /// `search_path`: append `?options=-c%20search_path%3Dcrm` for schema `crm`. TLS is
    /// not supported yet: reach the server over a trusted network or a local proxy.
    #[serde(default)]
    pub url: Option<String>,
    /// PostgreSQL, optional: a file holding the password (e.g. a mounted Kubernetes
    /// Secret), relative to the base directory. Read when the connector is built; a
    /// trailing newline is ignored. The password never appears in a message or log.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// PostgreSQL: connections in the connector's pool (at least 1). Default: 4.
    #[serde(default)]
    pub pool_size: Option<usize>,
    /// PostgreSQL: rows deleted or anonymised per transaction (at least 1). Locks on a
    /// batch's rows are held until it commits. Default: 10000.
    #[serde(default)]
    pub batch_size: Option<u64>,
    /// PostgreSQL: the schema of the connector's progress table, which it creates
    /// (`erasure_connector_progress`, see [`crate::progress`]): per request, system and
    /// table, what the committed batches did, so that a job interrupted half-way resumes
    /// and still reports the right counts. The connector's user needs `CREATE` on this
    /// schema (or the table created beforehand). Default: `public`.
    #[serde(default)]
    pub progress_schema: Option<String>,
    /// PostgreSQL, optional: deleted rows stay in the table's files as dead tuples until
    /// `VACUUM` reclaims them. With this set, the connector runs a plain `VACUUM` (not
    /// `FULL`: no exclusive lock) of the tables it changed, at most this often: after an
    /// erasure, as soon as the last vacuum is this long ago (see [`crate::vacuum`]).
    /// Without it, the server's autovacuum decides. The evidence says which applies.
    #[serde(default)]
    pub vacuum_every_secs: Option<u64>,
    /// Needed when a column is anonymised with `hash = true`: a file holding the HMAC key
    /// (at least 32 bytes; ends trimmed of whitespace), relative to the base directory.
    /// Keep it secret and keep it stable: the same value hashes to the same text only under
    /// the same key.
    #[serde(default)]
    pub hash_key_file: Option<PathBuf>,
    /// How long to wait for another writer's lock before reporting the database busy (a
    /// retryable failure): SQLite's busy timeout, PostgreSQL's `lock_timeout` in each
    /// transaction. Default: 5000.
    #[serde(default = "default_busy_timeout_ms")]
    pub busy_timeout_ms: u64,
    /// Every table holding the person's data. Order does not matter: rows reached through
    /// a join are always handled before the rows they join to.
    pub tables: Vec<Table>,
}

fn default_busy_timeout_ms() -> u64 {
    5000
}

/// One table: how to find the person's rows (exactly one of `match` or `join`) and what
/// to do with them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// The table's name: a plain SQL identifier (letters, digits, `_`).
    pub table: String,
    /// Identity columns: a row is the person's if any listed column equals the person's
    /// identifier of that kind. Kinds the request does not carry are skipped.
    #[serde(rename = "match", default)]
    pub matches: Option<Vec<MatchColumn>>,
    /// A row is the person's if its `column` holds a value of the `references` column of
    /// the person's rows in another configured table. Joins may chain.
    #[serde(default)]
    pub join: Option<Join>,
    /// Where the operator keeps data for several controllers in one table: the column
    /// holding the controller's id. Only rows of the request's controller are touched, and
    /// none when the request names no controller. `match` tables only; tables joined to
    /// one follow its rows.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Delete the rows, or anonymise some of their columns.
    pub action: Action,
    /// The data category the rows belong to (e.g. `accounting-voucher`), as retention rules
    /// name it. Without one, the rows are never held. A table with a category must use
    /// `match`: kept rows must stay findable by the person's identifiers after the rows
    /// they would join to are gone.
    #[serde(default)]
    pub category: Option<String>,
    /// With `category`, required: the column holding each row's date, which a rule's period
    /// runs from (`YYYY-MM-DD` text; a longer ISO date-time's first ten characters count).
    /// A held row with no readable date fails the erasure: guessing could erase too early.
    #[serde(default)]
    pub reference_date: Option<String>,
    /// With `category`, required: the column set to 1 on rows kept under a hold, the
    /// GDPR Art. 18 restriction marker the system's applications must honour.
    #[serde(default)]
    pub restrict: Option<String>,
    /// With `category`, optional: condition name (as rules name it, e.g. `complaint-open`)
    /// to the column flagging it. The condition holds for a row whose column is non-NULL
    /// and non-zero; rules with that condition then apply to it.
    #[serde(default)]
    pub conditions: BTreeMap<String, String>,
}

/// An identity column and the kind of identifier it holds.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchColumn {
    /// The column, in this table.
    pub column: String,
    /// `email`, `phone`, `customer_id`, `national_id`, `device_id`, `account_id` or
    /// `ip_address`. A row matches any value of that kind the request carries.
    pub identifier: String,
}

/// A foreign key to another configured table.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    /// The column of this table holding the reference.
    pub column: String,
    /// `table.column` it refers to; the table must be configured too.
    pub references: String,
}

/// What happens to the person's rows of a table.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// `action = "delete"`: delete the rows.
    Delete,
    /// `action = { anonymise = ["col", { column = "c2", value = "erased" }, { column =
    /// "c3", hash = true }] }`: replace these columns' values and keep the rows (e.g.
    /// contracts kept for accounting, without the holder's name). See [`Anonymised`].
    Anonymise(Vec<Anonymised>),
}
