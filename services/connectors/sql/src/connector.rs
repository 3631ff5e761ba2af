//! [`SqlConnector`]: the configuration validated once, each job run on the blocking pool.

use crate::config::Config;
use crate::error::ConfigError;
use crate::evidence;
use crate::execute;
use crate::plan::Plan;
use crate::result::Failure;
use async_trait::async_trait;
use erasure_connector_sdk::{BuildError, Connector, Job, KindConfig, Report};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Erases a person from the configured tables of one SQLite database.
#[derive(Debug, Clone)]
pub struct SqlConnector {
    database: PathBuf,
    busy_timeout: Duration,
    plan: Arc<Plan>,
}

impl SqlConnector {
    /// Validates `config` (names, identifier kinds, joins, cycles); a relative `database`
    /// resolves against `base_dir`. The database is not opened here: it may be down now
    /// and up when work arrives, and each job reports its own failure.
    pub fn new(config: Config, base_dir: &Path) -> Result<Self, ConfigError> {
        if config.database.as_os_str().is_empty() {
            return Err(ConfigError::NoDatabase);
        }
        let plan = Plan::new(&config)?;
        Ok(Self {
            database: base_dir.join(&config.database),
            busy_timeout: Duration::from_millis(config.busy_timeout_ms),
            plan: Arc::new(plan),
        })
    }

    /// The database file, resolved.
    pub fn database(&self) -> &Path {
        &self.database
    }

    /// The tables in processing order.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }
}

#[async_trait]
impl Connector for SqlConnector {
    fn kind(&self) -> &'static str {
        "sql"
    }

    async fn erase(&self, job: &Job) -> Report {
        if let Some(rule) = job.holds.iter().find(|r| {
            !self
                .plan
                .steps
                .iter()
                .any(|s| s.hold.as_ref().is_some_and(|h| h.category == r.category))
        }) {
            // The law may force keeping these items, and no table says where they are: erasing
            // blindly could destroy what must be kept. A person must fix the configuration.
            return Report::failed_permanent(format!(
                "rule {} holds category {}, but no table of this connector declares that category; set `category`, `reference_date` and `restrict` on the tables that hold it",
                rule.id, rule.category
            ));
        }
        let (database, timeout) = (self.database.clone(), self.busy_timeout);
        let (plan, owned) = (Arc::clone(&self.plan), job.clone());
        let run = move || execute::run(&database, timeout, &plan, &owned);
        match tokio::task::spawn_blocking(run).await {
            Ok(Ok(results)) => evidence::report(job, &results),
            Ok(Err(Failure::Retryable(detail))) => Report::failed_retryable(detail),
            Ok(Err(Failure::Permanent(detail))) => Report::failed_permanent(detail),
            Err(_) => Report::failed_retryable("the erasure task was cancelled or panicked"),
        }
    }
}

/// The `sql` entry of the runtime's registry of kinds.
impl KindConfig for Config {
    fn build(&self, base: &Path) -> Result<Arc<dyn Connector>, BuildError> {
        Ok(Arc::new(SqlConnector::new(self.clone(), base)?))
    }

    fn paths(&self) -> Vec<(&'static str, PathBuf)> {
        vec![("database", self.database.clone())]
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
