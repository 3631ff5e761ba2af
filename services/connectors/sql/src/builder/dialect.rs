//! What SQLite and PostgreSQL spell differently; everything else in the builder is shared.
//!
//! | | SQLite | PostgreSQL |
//! |---|---|---|
//! | parameter | `?1` | `$1` |
//! | row id | `rowid` (an integer) | `ctid` (read as text, e.g. `(0,1)`) |
//! | rows by id | `rowid IN (SELECT ...)` | `ctid = ANY(ARRAY(SELECT ...))` (a TID scan) |
//! | reading a value | as stored | cast to `text` |
//! | locking what is read | the job's write transaction | `FOR UPDATE` |
//!
//! A `ctid` is stable while the row is locked; an `UPDATE` gives the row a new one, which
//! PostgreSQL's row statements return (`RETURNING ctid::text`).

/// The SQL dialect of a database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The `n`th (1-based) parameter.
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Self::Sqlite => format!("?{n}"),
            Self::Postgres => format!("${n}"),
        }
    }

    /// The row id column, in conditions.
    pub fn row_id(self) -> &'static str {
        match self {
            Self::Sqlite => "rowid",
            Self::Postgres => "ctid",
        }
    }

    /// The row id as read: an integer on SQLite, text on PostgreSQL.
    pub fn row_id_read(self) -> &'static str {
        match self {
            Self::Sqlite => "rowid",
            Self::Postgres => "ctid::text",
        }
    }

    /// The rows whose id `subquery` selects.
    pub fn rows_in(self, subquery: &str) -> String {
        match self {
            Self::Sqlite => format!("rowid IN ({subquery})"),
            Self::Postgres => format!("ctid = ANY(ARRAY({subquery}))"),
        }
    }

    /// A quoted column as read into Rust (dates, values to hash).
    pub fn read(self, column: &str) -> String {
        match self {
            Self::Sqlite => column.to_owned(),
            Self::Postgres => format!("{column}::text"),
        }
    }

    /// A quoted column as text, whatever its type (identity columns may be integers).
    pub fn text(self, column: &str) -> String {
        match self {
            Self::Sqlite => format!("CAST({column} AS TEXT)"),
            Self::Postgres => format!("{column}::text"),
        }
    }

    /// 1 (or true) when a quoted flag column is non-NULL and non-zero, else 0 (or false).
    /// On PostgreSQL the column may be an integer or a boolean.
    pub fn flag(self, column: &str) -> String {
        match self {
            Self::Sqlite => format!("COALESCE({column} <> 0, 0)"),
            Self::Postgres => format!("COALESCE({column}::text NOT IN ('0', 'false'), false)"),
        }
    }

    /// The restriction marker's value: `1`; PostgreSQL's untyped `'1'` fits an integer
    /// or a boolean column.
    pub fn marker(self) -> &'static str {
        match self {
            Self::Sqlite => "1",
            Self::Postgres => "'1'",
        }
    }

    /// Whether a quoted column holds 64 lowercase hex digits (a keyed hash).
    pub fn looks_hashed(self, column: &str) -> String {
        match self {
            Self::Sqlite => format!("(length({column}) = 64 AND {column} NOT GLOB '*[^0-9a-f]*')"),
            Self::Postgres => format!("({column}::text ~ '^[0-9a-f]{{64}}$')"),
        }
    }

    /// Appended to a `SELECT` whose rows are then changed: locks them until commit.
    pub fn lock_rows(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE",
        }
    }

    /// Appended to a row statement: the row's new id after an update.
    pub fn returning_row_id(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " RETURNING ctid::text",
        }
    }
}

/// A double-quoted SQL identifier, with embedded quotes doubled.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
