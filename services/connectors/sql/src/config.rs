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
//! Legal holds: the work order carries the retention rules that may hold this system's
//! data. A table with a `category` that one of them covers is read row by row: each row's
//! `reference_date` and `conditions` decide whether a rule still holds it on the order's
//! date. Held rows get `restrict` = 1 and keep everything; the others get the table's
//! `action`. Rows of tables joined to a held table are not held themselves: give such a
//! table its own `match` and `category` if it must be kept too.
//!
//! Deserialising checks only the shape; [`crate::plan::Plan::new`] checks the meaning.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One database and the tables in it that hold personal data.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The SQLite database file. A relative path resolves against the base directory given
    /// to [`crate::SqlConnector::new`] (the inventory's directory). The file must exist: a
    /// missing database is reported as a failure, never replaced by a new empty one.
    pub database: PathBuf,
    /// How long to wait for another writer's lock before reporting the database busy (a
    /// retryable failure). Default: 5000.
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
    /// Delete the rows, or set some of their columns to NULL.
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
    /// `action = { anonymise = ["col", ...] }`: set these columns to NULL and keep the
    /// rows (e.g. contracts kept for accounting, without the holder's name).
    Anonymise(Vec<String>),
}
