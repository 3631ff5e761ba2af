//! [`SqlConnector`]: the configuration validated once; each job checked against the plan
//! ([`crate::scope`]) and run on SQLite (on the blocking pool, one transaction) or on
//! PostgreSQL (async, in batches: [`crate::pg_backend`]).

use crate::builder::Dialect;
use crate::config::{Action, Config, Replacement};
use crate::error::ConfigError;
use crate::evidence;
use crate::execute;
use crate::hash::Hasher;
use crate::notes;
use crate::pg_backend::Postgres;
use crate::plan::Plan;
use crate::resolve;
use crate::result::Failure;
use crate::scope;
use crate::sqlite::SqliteReader;
use async_trait::async_trait;
use erasure_connector_sdk::{BuildError, Connector, Job, KindConfig, Report, Resolution};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Erases a person from the configured tables of one SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub struct SqlConnector {
    backend: Backend,
    plan: Arc<Plan>,
    hasher: Option<Arc<Hasher>>,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite {
        database: PathBuf,
        busy_timeout: Duration,
    },
    Postgres(Arc<Postgres>),
}

/// Settings that only PostgreSQL reads, and whether each is given.
fn postgres_only(config: &Config) -> [(&'static str, bool); 5] {
    [
        ("password_file", config.password_file.is_some()),
        ("pool_size", config.pool_size.is_some()),
        ("batch_size", config.batch_size.is_some()),
        ("progress_schema", config.progress_schema.is_some()),
        ("vacuum_every_secs", config.vacuum_every_secs.is_some()),
    ]
}

impl SqlConnector {
    /// Validates `config` (the database settings, names, identifier kinds, joins, cycles)
    /// and reads its key and password files; relative paths resolve against `base_dir`.
    /// The database is not reached here: it may be down now and up when work arrives,
    /// and each job reports its own failure.
    pub fn new(config: Config, base_dir: &Path) -> Result<Self, ConfigError> {
        let sqlite = !config.database.as_os_str().is_empty();
        let backend = match (sqlite, &config.url) {
            (false, None) => return Err(ConfigError::NoDatabase),
            (true, Some(_)) => return Err(ConfigError::DatabaseAndUrl),
            (true, None) => {
                if let Some((key, _)) = postgres_only(&config).into_iter().find(|(_, set)| *set) {
                    return Err(ConfigError::PostgresOnly { key });
                }
                Backend::Sqlite {
                    database: base_dir.join(&config.database),
                    busy_timeout: Duration::from_millis(config.busy_timeout_ms),
                }
            }
            (false, Some(url)) => {
                Backend::Postgres(Arc::new(Postgres::new(&config, url, base_dir)?))
            }
        };
        let plan = Plan::new(&config)?;
        let hasher = hasher(&config, &plan, base_dir)?;
        Ok(Self {
            backend,
            plan: Arc::new(plan),
            hasher: hasher.map(Arc::new),
        })
    }

    /// The SQLite database file, resolved; empty for a PostgreSQL connector.
    pub fn database(&self) -> &Path {
        match &self.backend {
            Backend::Sqlite { database, .. } => database,
            Backend::Postgres(_) => Path::new(""),
        }
    }

    /// The tables in processing order.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    async fn erase_sqlite(&self, job: &Job, database: &Path, timeout: Duration) -> Report {
        let (database, plan) = (database.to_owned(), Arc::clone(&self.plan));
        let (owned, hasher) = (job.clone(), self.hasher.clone());
        let run = move || execute::run(&database, timeout, &plan, &owned, hasher.as_deref());
        match tokio::task::spawn_blocking(run).await {
            Ok(Ok(done)) => evidence::report_with(job, &done.results, &notes::sqlite(&done)),
            Ok(Err(failure)) => failure.into_report(),
            Err(_) => Report::failed_retryable("the erasure task was cancelled or panicked"),
        }
    }
}

/// The hash key, read when a column is anonymised by hash; refused without a key file.
fn hasher(config: &Config, plan: &Plan, base: &Path) -> Result<Option<Hasher>, ConfigError> {
    let hashing = plan.steps.iter().find(|s| match &s.action {
        Action::Anonymise(columns) => columns.iter().any(|c| c.with == Replacement::Hash),
        Action::Delete => false,
    });
    match (&config.hash_key_file, hashing) {
        (Some(file), _) => Ok(Some(Hasher::load(&base.join(file))?)),
        (None, Some(step)) => Err(ConfigError::NoHashKey(step.table.clone())),
        (None, None) => Ok(None),
    }
}

#[async_trait]
impl Connector for SqlConnector {
    fn kind(&self) -> &'static str {
        "sql"
    }

    async fn check(&self) -> Vec<String> {
        match &self.backend {
            Backend::Sqlite {
                database,
                busy_timeout,
            } => {
                if !database.is_file() {
                    let shown = database.display();
                    return vec![format!("connector.database: {shown} does not exist")];
                }
                let reader = SqliteReader {
                    database: database.clone(),
                    busy_timeout: *busy_timeout,
                };
                resolve::check(&self.plan, &reader).await
            }
            Backend::Postgres(pg) => resolve::check(&self.plan, pg.as_ref()).await,
        }
    }

    async fn resolve(&self, job: &Job) -> Resolution {
        if let Err(Failure::Permanent(d) | Failure::Retryable(d)) = scope::check(&self.plan, job) {
            return Resolution::failed_permanent(d);
        }
        match &self.backend {
            Backend::Sqlite {
                database,
                busy_timeout,
            } => {
                let reader = SqliteReader {
                    database: database.clone(),
                    busy_timeout: *busy_timeout,
                };
                resolve::resolve(&self.plan, job, Dialect::Sqlite, &reader).await
            }
            Backend::Postgres(pg) => pg.resolve(&self.plan, job).await,
        }
    }

    async fn erase(&self, job: &Job) -> Report {
        if let Err(refused) = scope::check(&self.plan, job) {
            return refused.into_report();
        }
        match &self.backend {
            Backend::Sqlite {
                database,
                busy_timeout,
            } => self.erase_sqlite(job, database, *busy_timeout).await,
            Backend::Postgres(pg) => pg.erase(&self.plan, job, self.hasher.as_deref()).await,
        }
    }
}

/// The `sql` entry of the runtime's registry of kinds.
impl KindConfig for Config {
    fn build(&self, base: &Path) -> Result<Arc<dyn Connector>, BuildError> {
        Ok(Arc::new(SqlConnector::new(self.clone(), base)?))
    }

    fn paths(&self) -> Vec<(&'static str, PathBuf)> {
        let files = [
            (
                "database",
                Some(&self.database).filter(|d| !d.as_os_str().is_empty()),
            ),
            ("password_file", self.password_file.as_ref()),
            ("hash_key_file", self.hash_key_file.as_ref()),
        ];
        let given = files
            .into_iter()
            .filter_map(|(key, path)| Some((key, path?.clone())));
        given.collect()
    }

    fn resolves(&self) -> bool {
        true
    }

    fn held_categories(&self) -> Vec<(String, String)> {
        let tables = self.tables.iter().enumerate();
        tables
            .filter_map(|(i, t)| {
                let category = t.category.clone()?;
                Some((
                    category,
                    format!("tables[{i}].category (table {})", t.table),
                ))
            })
            .collect()
    }
}
