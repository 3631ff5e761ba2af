//! The distributed adapter (feature `postgres`): events, outbox and data keys in one
//! PostgreSQL database, in the first schema of the connection's `search_path`.
//!
//! - this file: [`PostgresStore`], connecting, and how calls get a connection;
//! - `target`: what messages say about the server (host, port, database, user), with
//!   the password scrubbed;
//! - `error`: driver and pool errors mapped to [`StoreError`];
//! - `schema`: the versioned schema, created on connect;
//! - `events`, `outbox`, `keys`: one trait implementation each; `events` explains how
//!   positions follow commit order (appends take a lock; reads never do);
//! - `testing` (feature `test-util`): a throwaway schema per test.
//!
//! Connections come from a `deadpool-postgres` pool. Statements are prepared once per
//! connection (`prepare_cached`), so a call is one round trip. `tls`: [`PostgresTls`],
//! plain TCP or TLS with the server's certificate verified (`sslmode=verify-full`).

mod error;
mod events;
mod keys;
mod outbox;
mod schema;
mod target;
#[cfg(feature = "test-util")]
pub mod testing;
mod tls;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Client, GenericClient, Manager, Pool, Runtime};
use tokio_postgres::config::SslMode;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{Config, NoTls, Row};

use self::error::Context;
use self::target::Target;
pub use self::tls::PostgresTls;
use crate::StoreError;

/// How long opening one connection may take, unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a call waits for a free connection when all `pool_size` are busy.
const POOL_WAIT: Duration = Duration::from_secs(30);

/// The database's clock in milliseconds since the Unix epoch, as SQL. Times the store
/// records come from the one server, not from each coordinator replica's clock.
macro_rules! now_ms_sql {
    () => {
        "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint"
    };
}
use now_ms_sql;

/// Event store, outbox and key store over one PostgreSQL database. Cloning shares the
/// connection pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// Names the server in messages; shared by clones.
    target: Arc<Target>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database[?param=value]`,
    /// or the `key=value` form) with at most `pool_size` connections, and creates the
    /// schema if missing. Errors name the host, port and database, never the password.
    pub async fn connect(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        Self::connect_tls(url, pool_size, &PostgresTls::Disabled).await
    }

    /// Like [`connect`](Self::connect), over TLS as `tls` says.
    pub async fn connect_tls(
        url: &str,
        pool_size: usize,
        tls: &PostgresTls,
    ) -> Result<Self, StoreError> {
        let (config, target) = target::parse(url)?;
        Self::open(config, target, pool_size, tls).await
    }

    /// Like [`connect`](Self::connect), from a configuration built in code (e.g. with
    /// `options("-c search_path=...")` to place the tables in another schema).
    pub async fn connect_with(config: Config, pool_size: usize) -> Result<Self, StoreError> {
        let target = Target::new(&config, &[]);
        Self::open(config, target, pool_size, &PostgresTls::Disabled).await
    }

    async fn open(
        mut config: Config,
        target: Target,
        pool_size: usize,
        tls: &PostgresTls,
    ) -> Result<Self, StoreError> {
        if pool_size == 0 {
            return Err(StoreError::Invalid(
                "pool size must be at least 1".to_owned(),
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let store = Self {
            pool: build_pool(config, pool_size, &target, tls)?,
            target: Arc::new(target),
        };
        schema::migrate(&mut store.client().await?).await?;
        Ok(store)
    }

    /// A connection from the pool; failing to get one is [`StoreError::Unavailable`],
    /// naming the server.
    async fn client(&self) -> Result<Client, StoreError> {
        self.pool.get().await.map_err(|e| self.target.pool_error(e))
    }
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("target", &self.target)
            .field("pool_size", &self.pool.status().max_size)
            .finish_non_exhaustive()
    }
}

/// Connections are opened lazily, up to `size`; a broken one is dropped when it comes
/// back to the pool (deadpool's default, `RecyclingMethod::Fast`).
/// With TLS, the server must speak it (`sslmode=require`), whatever the URL says.
fn build_pool(
    mut config: Config,
    size: usize,
    target: &Target,
    tls: &PostgresTls,
) -> Result<Pool, StoreError> {
    let manager = match tls {
        PostgresTls::Disabled => Manager::new(config, NoTls),
        PostgresTls::VerifyFull { ca_file } => {
            config.ssl_mode(SslMode::Require);
            Manager::new(config, tls::connector(ca_file.as_deref())?)
        }
    };
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(POOL_WAIT))
        .build()
        .map_err(|e| target.unavailable("cannot create a connection pool for", e))
}

/// Runs a statement prepared once per connection; returns the rows.
async fn query(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query(&statement, params).await
}

/// Like [`query`] for a statement returning no rows; returns the rows affected.
async fn execute(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.execute(&statement, params).await
}

/// Like [`query`] for a statement returning exactly one row.
async fn query_one(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Row, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query_one(&statement, params).await
}

/// PostgreSQL integers are signed; counts, limits and positions are unsigned in the API.
fn to_i64(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

fn get<'a, T: FromSql<'a>>(row: &'a Row, idx: usize) -> Result<T, StoreError> {
    row.try_get(idx).ctx("read a column")
}

/// A `bigint` column that must not be negative (positions, versions, counts).
fn get_u64(row: &Row, idx: usize) -> Result<u64, StoreError> {
    let v: i64 = get(row, idx)?;
    u64::try_from(v).map_err(|_| out_of_range(row, idx, v))
}

/// A `bigint` column holding a `u32` (payload versions, attempts).
fn get_u32(row: &Row, idx: usize) -> Result<u32, StoreError> {
    let v: i64 = get(row, idx)?;
    u32::try_from(v).map_err(|_| out_of_range(row, idx, v))
}

fn out_of_range(row: &Row, idx: usize, v: i64) -> StoreError {
    let name = row.columns().get(idx).map_or("?", |c| c.name());
    StoreError::Unavailable(format!("column {name} holds {v}, out of range"))
}
