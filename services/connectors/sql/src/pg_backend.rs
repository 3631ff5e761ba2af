//! The PostgreSQL side of [`crate::SqlConnector`]: its settings checked and its pool made
//! when the connector is built; per job, a connection from the pool, the progress table
//! made once, the run ([`crate::pg_execute`]), the vacuum scheduled and the report.

use crate::builder::{Dialect, Statement};
use crate::config::Config;
use crate::error::ConfigError;
use crate::evidence;
use crate::hash::Hasher;
use crate::notes;
use crate::pg_batch::{Settings, Tally};
use crate::pg_execute;
use crate::pg_pool::Database;
use crate::plan::{Plan, is_plain_identifier};
use crate::postgres::classify;
use crate::postgres::{refs, texts};
use crate::progress::Progress;
use crate::resolve::{self, Reader};
use crate::result::Failure;
use async_trait::async_trait;
use erasure_connector_sdk::{Job, Report, Resolution};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::vacuum::Vacuum;

pub const DEFAULT_POOL_SIZE: usize = 4;
pub const DEFAULT_BATCH_SIZE: u64 = 10_000;
pub const DEFAULT_PROGRESS_SCHEMA: &str = "public";

/// A PostgreSQL database and how the connector works in it.
#[derive(Debug)]
pub struct Postgres {
    db: Database,
    settings: Settings,
    vacuum: Arc<Vacuum>,
    /// Whether the progress table is known to exist.
    ready: AtomicBool,
}

impl Postgres {
    /// Checks the PostgreSQL settings of `config` (whose `url` is `url`), reads the
    /// password file and makes the pool. Connects to nothing.
    pub fn new(config: &Config, url: &str, base: &Path) -> Result<Self, ConfigError> {
        let pool_size = at_least_one("pool_size", config.pool_size.unwrap_or(DEFAULT_POOL_SIZE))?;
        let batch_size = config.batch_size.unwrap_or(DEFAULT_BATCH_SIZE);
        let batch_size = at_least_one("batch_size", batch_size)?;
        let schema = config
            .progress_schema
            .as_deref()
            .unwrap_or(DEFAULT_PROGRESS_SCHEMA);
        if !is_plain_identifier(schema) {
            return Err(ConfigError::InvalidName {
                what: "progress_schema".into(),
                name: schema.to_owned(),
            });
        }
        let password = match &config.password_file {
            Some(file) => Some(password(&base.join(file))?),
            None => None,
        };
        Ok(Self {
            db: Database::new(url, password.as_deref(), pool_size)?,
            settings: Settings {
                batch_size,
                lock_timeout: Duration::from_millis(config.busy_timeout_ms),
                progress: Progress::new(schema),
            },
            vacuum: Vacuum::new(config.vacuum_every_secs.map(Duration::from_secs)),
            ready: AtomicBool::new(false),
        })
    }

    /// Runs the job and reports: the request's counts, or the failure with what the
    /// committed batches did.
    pub async fn erase(&self, plan: &Plan, job: &Job, hasher: Option<&Hasher>) -> Report {
        let mut client = match self.db.client().await {
            Ok(client) => client,
            Err(failure) => return failure.into_report(),
        };
        if let Err(failure) = self.prepare(&mut client).await {
            return failure.into_report();
        }
        let run = pg_execute::run(&mut client, plan, job, &self.settings, hasher).await;
        let (failure, tally) = match run {
            Ok(tally) => (None, tally),
            Err((failure, tally)) => (Some(failure), tally),
        };
        let due = self.vacuum.after(&self.db, changed(&tally));
        let notes = notes::postgres(&tally, &self.settings, self.vacuum.every(), due);
        match failure {
            None => evidence::report_with(job, &tally.results, &notes),
            Some(failure) => evidence::partial(job, &tally.results, &notes, &failure),
        }
    }

    /// Identity resolution, read-only: no progress table, no vacuum.
    pub async fn resolve(&self, plan: &Plan, job: &Job) -> Resolution {
        resolve::resolve(plan, job, Dialect::Postgres, self).await
    }

    /// Creates the progress table before the first job.
    async fn prepare(&self, client: &mut tokio_postgres::Client) -> Result<(), Failure> {
        if self.ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let created = self.settings.progress.create(client).await;
        created.map_err(|e| classify(&e, "creating the progress table"))?;
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// The server, as messages name it.
    pub fn shown(&self) -> &str {
        self.db.shown()
    }
}

/// Tables whose rows the run deleted, anonymised or restricted: each has dead tuples.
fn changed(tally: &Tally) -> Vec<String> {
    let touched = tally
        .results
        .iter()
        .filter(|r| r.deleted + r.anonymised + r.restricted_rows() > 0);
    touched.map(|r| r.table.clone()).collect()
}

fn at_least_one<N: PartialEq + Default>(key: &'static str, n: N) -> Result<N, ConfigError> {
    match n == N::default() {
        true => Err(ConfigError::Zero { key }),
        false => Ok(n),
    }
}

/// The password file's content, without a trailing newline (the backup kind's catalog
/// reads its password the same way).
pub fn password(path: &Path) -> Result<Vec<u8>, ConfigError> {
    let mut bytes = std::fs::read(path).map_err(|e| ConfigError::File {
        key: "password_file",
        path: path.display().to_string(),
        why: e.to_string(),
    })?;
    for end in [b'\n', b'\r'] {
        if bytes.last() == Some(&end) {
            bytes.pop();
        }
    }
    Ok(bytes)
}

#[async_trait]
impl Reader for Postgres {
    async fn rows(&self, statement: Statement) -> Result<Vec<Vec<Option<String>>>, Failure> {
        let client = self.db.client().await?;
        let values = texts(&statement);
        let rows = client
            .query(&statement.sql, &refs(&values))
            .await
            .map_err(|e| classify(&e, "reading the database"))?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| row.try_get::<_, Option<String>>(i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| classify(&e, "reading the database"))
            })
            .collect()
    }
}
