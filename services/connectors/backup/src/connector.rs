//! [`BackupConnector`]: reads the catalog, judges its sets for the job, reports. It never
//! opens a backup and never reads the job's identifiers.

use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::ConfigError;
use crate::evidence;
use crate::select::choose;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use erasure_connector_sdk::{BuildError, Clock, Connector, Job, KindConfig, Report};
use erasure_core::SystemId;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Answers which backup sets may still hold a person, and until when.
#[derive(Clone)]
pub struct BackupConnector {
    catalog: Catalog,
    covers: Vec<String>,
    /// The erasure moment: a set taken later cannot hold data erased before it.
    clock: Clock,
}

impl std::fmt::Debug for BackupConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupConnector")
            .field("catalog", &self.catalog.shown())
            .field("covers", &self.covers)
            .finish_non_exhaustive()
    }
}

impl BackupConnector {
    /// Checks `config` (every set written out, the names of a catalog table) and reads its
    /// password file; relative paths resolve against `base_dir`. A catalog database is not
    /// reached here: it may be down now and up when work arrives.
    pub fn new(config: Config, base_dir: &Path) -> Result<Self, ConfigError> {
        if let Some(bad) = config.covers.iter().find(|s| !SystemId::is_valid(s)) {
            return Err(ConfigError::InvalidCover(bad.clone()));
        }
        Ok(Self {
            catalog: Catalog::new(&config, base_dir)?,
            covers: config.covers,
            clock: Arc::new(|| Utc::now().timestamp_millis()),
        })
    }

    /// Replaces the system clock, which says when the erasure happens (for tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Now, by the clock; a clock out of range counts every set as taken before.
    fn moment(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis((self.clock)()).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

#[async_trait]
impl Connector for BackupConnector {
    fn kind(&self) -> &'static str {
        "backup"
    }

    /// Nothing is erased, and the job's identifiers, holds and controller play no part:
    /// every person erased now may be in the same sets.
    async fn erase(&self, job: &Job) -> Report {
        let sets = match self.catalog.sets().await {
            Ok(sets) => sets,
            Err(failure) => return failure.into_report(),
        };
        let choice = choose(&sets, &self.covers, self.moment(), job.as_of);
        evidence::report(job, choice, self.catalog.shown(), &self.covers)
    }

    async fn check(&self) -> Vec<String> {
        self.catalog.check().await
    }
}

/// The `backup` entry of the runtime's registry of kinds.
impl KindConfig for Config {
    fn build(&self, base: &Path) -> Result<Arc<dyn Connector>, BuildError> {
        Ok(Arc::new(BackupConnector::new(self.clone(), base)?))
    }

    fn paths(&self) -> Vec<(&'static str, PathBuf)> {
        let Some(table) = &self.catalog else {
            return Vec::new();
        };
        let files = [
            (
                "catalog.database",
                Some(&table.database).filter(|d| !d.as_os_str().is_empty()),
            ),
            ("catalog.password_file", table.password_file.as_ref()),
        ];
        let given = files.into_iter();
        given
            .filter_map(|(key, path)| Some((key, path?.clone())))
            .collect()
    }
}
