//! Configuration errors: found when the connector is built, never at erasure time. They
//! name tables, columns and keys of the configuration, never personal data.

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Neither `database` nor `url`. The message names `database` only: most
    /// configurations are SQLite files.
    #[error("the sql connector needs a `database`")]
    NoDatabase,
    #[error("the sql connector takes a `database` (SQLite) or a `url` (PostgreSQL), not both")]
    DatabaseAndUrl,
    #[error("`{key}` applies to PostgreSQL only (a `url`), not to a SQLite `database`")]
    PostgresOnly { key: &'static str },
    #[error("`url` is not a PostgreSQL URL (postgres://user@host:port/database): {0}")]
    BadUrl(String),
    #[error(
        "`url` holds a password: put it in a file named by `password_file` instead, so that it stays out of the inventory and of logs"
    )]
    PasswordInUrl,
    #[error("{key} {path}: {why}")]
    File {
        key: &'static str,
        path: String,
        why: String,
    },
    #[error("`{key}` must be at least 1")]
    Zero { key: &'static str },
    #[error("cannot create the connection pool: {0}")]
    Pool(String),
    #[error(
        "table {0}: a column is anonymised with `hash = true`, but the connector has no `hash_key_file`"
    )]
    NoHashKey(String),
    #[error("table {table}: `anonymise` lists column {column} twice")]
    DuplicateAnonymised { table: String, column: String },
    #[error("the sql connector needs at least one table")]
    NoTables,
    #[error(
        "{what} {name:?} is not a plain SQL identifier: use letters, digits and '_', not starting with a digit, at most 63 characters"
    )]
    InvalidName { what: String, name: String },
    #[error("table {0} is configured twice")]
    DuplicateTable(String),
    #[error("table {0}: give exactly one of `match` or `join`")]
    Selection(String),
    #[error(
        "table {0}: `tenant` pins a `match` table; a joined table follows the rows it joins to"
    )]
    TenantOnJoin(String),
    #[error("table {0}: `match` lists no column")]
    EmptyMatch(String),
    #[error(
        "table {table}: unknown identifier kind {kind:?}: expected email, phone, customer_id, national_id, device_id, account_id or ip_address"
    )]
    UnknownIdentifier { table: String, kind: String },
    #[error("table {table}: join references {references:?}: expected \"table.column\"")]
    BadReference { table: String, references: String },
    #[error("table {table}: join references table {references}, which is not configured")]
    UnknownTable { table: String, references: String },
    #[error("tables join in a cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    #[error("table {0}: `anonymise` lists no column")]
    EmptyAnonymise(String),
    #[error("table {table}: category {category:?} must be lowercase letters, digits and '-'")]
    InvalidCategory { table: String, category: String },
    #[error(
        "table {0}: a table with a `category` must find its rows with `match`, not `join`: the rows it joins to may be erased while these are kept, and a later erasure could not find them"
    )]
    HeldJoin(String),
    #[error("table {table}: `category` needs `{key}` ({why})")]
    HoldNeeds {
        table: String,
        key: &'static str,
        why: &'static str,
    },
    #[error("table {table}: `{key}` applies only to a table with a `category`")]
    HoldWithoutCategory { table: String, key: &'static str },
    #[error("table {table}: condition {condition:?} must be lowercase letters, digits and '-'")]
    InvalidCondition { table: String, condition: String },
    #[error(
        "table {table}: the `restrict` column {column} is also used for `{other}`; the marker needs a column of its own"
    )]
    SharedRestrict {
        table: String,
        column: String,
        other: &'static str,
    },
    #[error(
        "table {table}: `anonymise` must not clear the `{key}` column {column}: every later erasure needs it to decide whether a rule still holds the row"
    )]
    AnonymisedHoldColumn {
        table: String,
        column: String,
        key: &'static str,
    },
}
