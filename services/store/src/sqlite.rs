//! The embedded adapter: events, outbox and data keys in one SQLite database.
//!
//! - this file: [`SqliteStore`], its constructors, and how calls reach a connection;
//! - `schema`: pragmas and the versioned schema;
//! - `events`, `outbox`, `keys`: one trait implementation each.
//!
//! A `rusqlite::Connection` is `Send` but not `Sync`, and every call blocks, so each
//! connection sits behind a `std::sync::Mutex`. Writes go to one writer thread, which
//! commits the writes waiting at the same time in one transaction (`writer`); reads run
//! where they are called when the read connection is free (see [`SqliteStore::read`]),
//! in `tokio::task::spawn_blocking` otherwise. All writes go through a single writer connection; a
//! file database also has a read connection, so reads (WAL readers never wait for the
//! writer) do not queue behind appends. An in-memory database is private to its
//! connection, so it has the writer only.

mod events;
mod keys;
mod outbox;
mod schema;
mod writer;

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, Row};

use crate::StoreError;

/// Event store, outbox and key store over one SQLite database. Cloning shares it.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// Every write (through the writer thread), and reads of an in-memory database.
    writer: Arc<Mutex<Connection>>,
    /// The thread that group-commits the writes.
    jobs: writer::Writer,
    /// `query_only` connection for reads of a file database.
    reader: Option<Mutex<Connection>>,
    /// The path, or `:memory:`, for `Debug`.
    location: String,
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and the schema if missing.
    /// The parent directory must exist. Blocks; call it at start-up. Errors name the path.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_file(path).map_err(|e| match e {
            StoreError::Unavailable(m) => {
                StoreError::Unavailable(format!("cannot open event store {}: {m}", path.display()))
            }
            other => other,
        })
    }

    /// A private database that lives as long as the store (tests, demos).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory().ctx("cannot open in-memory event store")?;
        schema::configure(&conn, false)?;
        schema::migrate(&mut conn)?;
        Self::from_parts(conn, None, ":memory:".to_owned())
    }

    fn open_file(path: &Path) -> Result<Self, StoreError> {
        let mut writer =
            Connection::open(path).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        schema::configure(&writer, true)?;
        schema::migrate(&mut writer)?;
        let reader = Connection::open(path).ctx("open read connection")?;
        schema::configure_reader(&reader)?;
        let location = path.display().to_string();
        Self::from_parts(writer, Some(reader), location)
    }

    fn from_parts(
        writer: Connection,
        reader: Option<Connection>,
        location: String,
    ) -> Result<Self, StoreError> {
        let writer = Arc::new(Mutex::new(writer));
        let inner = Inner {
            jobs: writer::Writer::start(Arc::clone(&writer), &location)?,
            writer,
            reader: reader.map(Mutex::new),
            location,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Runs `f` inside a transaction of the writer thread, committed with the writes
    /// waiting at the same time (see `writer`); `Err` rolls back `f`'s changes only.
    async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.inner.jobs.grouped(f).await
    }

    /// Runs `f` on the writer connection outside any transaction (a WAL checkpoint).
    async fn write_alone<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.inner.jobs.alone(f).await
    }

    /// Runs `f` on the read connection (the writer for an in-memory database): right here
    /// when the connection is free, else off the async runtime.
    ///
    /// A read of a WAL database never waits for the writer, and the store's reads are
    /// indexed lookups and short pages of a hot file, tens of microseconds: less than
    /// handing them to a blocking thread and waking the task again costs. A read that
    /// would wait for another read goes to a blocking thread instead.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = self.inner.reader.as_ref().unwrap_or(&*self.inner.writer);
        match conn.try_lock() {
            Ok(guard) => return f(&guard),
            Err(TryLockError::Poisoned(p)) => return f(&p.into_inner()),
            Err(TryLockError::WouldBlock) => {}
        }
        let inner = Arc::clone(&self.inner);
        run_blocking(move || f(&lock(inner.reader.as_ref().unwrap_or(&*inner.writer)))).await
    }

    /// Whether the database is a file (WAL checkpoints apply).
    fn is_file(&self) -> bool {
        self.inner.reader.is_some()
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("location", &self.inner.location)
            .finish_non_exhaustive()
    }
}

/// A panic while a connection was locked leaves it usable: an open `Transaction` rolls
/// back when dropped during unwinding, so the poison flag carries no information.
fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A panic in `f` is a bug, so it resumes in the caller rather than becoming an error.
async fn run_blocking<T, F>(f: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(StoreError::Unavailable(format!(
            "store call cancelled: {e}"
        ))),
    }
}

/// Maps SQLite errors to [`StoreError::Unavailable`] with what was being done.
/// rusqlite's messages name tables, columns and types, never bound values, so no
/// payload or key bytes reach the message.
trait Context<T> {
    fn ctx(self, doing: &str) -> Result<T, StoreError>;
}

impl<T> Context<T> for rusqlite::Result<T> {
    fn ctx(self, doing: &str) -> Result<T, StoreError> {
        self.map_err(|e| StoreError::Unavailable(format!("{doing}: {e}")))
    }
}

/// Wall-clock milliseconds since the Unix epoch (0 if the clock is before it).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// SQLite integers are `i64`; counts, limits and positions are unsigned in the API.
fn to_i64(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

fn get_u64(row: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = row.get(idx)?;
    u64::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(idx, v))
}

fn get_u32(row: &Row<'_>, idx: usize) -> rusqlite::Result<u32> {
    let v: i64 = row.get(idx)?;
    u32::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(idx, v))
}
