//! Configuration errors: found when the connector is built. They name settings, sets and
//! columns, never a value read from a catalog.

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "the backup connector needs a catalog: `sets` (written out) or `catalog` (a table of a database)"
    )]
    NoCatalog,
    #[error("the backup connector takes `sets` or `catalog`, not both")]
    SetsAndCatalog,
    #[error("`catalog` needs a `database` (SQLite) or a `url` (PostgreSQL)")]
    NoDatabase,
    #[error("`catalog` takes a `database` (SQLite) or a `url` (PostgreSQL), not both")]
    DatabaseAndUrl,
    #[error("`catalog.password_file` applies to PostgreSQL only (a `url`)")]
    PasswordWithoutUrl,
    #[error("`catalog.{key}` must name a table or column: not empty, no NUL character")]
    InvalidName { key: &'static str },
    #[error("`covers`: {0:?} is not a system id (lower-case letters, digits, '-' and '_')")]
    InvalidCover(String),
    #[error("`sets`: {}", .0.join("; "))]
    Sets(Vec<String>),
    /// The URL, the password file or the pool, as the sql kind words it.
    #[error("`catalog`: {0}")]
    Postgres(#[from] erasure_connector_sql::ConfigError),
}
