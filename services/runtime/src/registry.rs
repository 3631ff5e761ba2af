//! The registry of connector kinds: every kind this build knows, by the `kind` of its
//! `[connector]` section. A kind is a crate whose configuration section implements
//! [`KindConfig`], plus one variant and one arm of [`ConnectorConfig::entry`] here.

use anyhow::Result;
use erasure_connector_sdk::{Connector, KindConfig};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A connector's configuration section, typed by its kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ConnectorConfig {
    Backup(erasure_connector_backup::Config),
    Sql(erasure_connector_sql::Config),
    ObjectStore(erasure_connector_object_store::Config),
    /// Boxed: its section (a protocol, authentication, callbacks) is far larger than the others.
    Processor(Box<erasure_connector_processor::Config>),
}

impl ConnectorConfig {
    /// Applies the environment of a standalone connector process, as `ERASURE_KAFKA_BROKERS`
    /// does for its bus: `ERASURE_DATABASE_URL` replaces an `sql` connector's PostgreSQL
    /// `url` (and a `backup` connector's PostgreSQL catalog `url`), `ERASURE_S3_ENDPOINT`
    /// an `object-store` connector's `[s3] endpoint`. The same file then serves every
    /// deployment (loopback, compose, a cluster).
    pub fn with_env(mut self) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match &mut self {
            Self::Backup(c) => {
                let catalog = c.catalog.as_mut().filter(|t| t.url.is_some());
                if let (Some(catalog), Some(url)) = (catalog, var("ERASURE_DATABASE_URL")) {
                    catalog.url = Some(url);
                }
            }
            Self::Sql(c) if c.url.is_some() => {
                if let Some(url) = var("ERASURE_DATABASE_URL") {
                    c.url = Some(url);
                }
            }
            Self::ObjectStore(c) => {
                if let (Some(s3), Some(endpoint)) = (c.s3.as_mut(), var("ERASURE_S3_ENDPOINT")) {
                    s3.endpoint = Some(endpoint);
                }
            }
            Self::Sql(_) | Self::Processor(_) => {}
        }
        self
    }

    /// The kind's name (the `kind` key) and its configuration.
    fn entry(&self) -> (&'static str, &dyn KindConfig) {
        match self {
            Self::Backup(c) => ("backup", c),
            Self::Sql(c) => ("sql", c),
            Self::ObjectStore(c) => ("object-store", c),
            Self::Processor(c) => ("processor", c.as_ref()),
        }
    }

    pub fn kind(&self) -> &'static str {
        self.entry().0
    }

    /// How a recipient behind this connector is told of an erasure: a `processor`
    /// connector through its API (`api`), or OpenDSR with that profile; any other kind
    /// erases in its own system.
    pub fn notice(&self) -> erasure_core::inventory::Notice {
        use erasure_core::inventory::Notice;
        match self {
            Self::Processor(c) if c.opendsr.is_some() => Notice::OpenDsr,
            Self::Processor(_) => Notice::Api,
            Self::Backup(_) | Self::Sql(_) | Self::ObjectStore(_) => Notice::Connector,
        }
    }

    /// The connector, with relative paths resolved against `base`.
    pub fn build(&self, base: &Path) -> Result<Arc<dyn Connector>> {
        self.entry()
            .1
            .build(base)
            .map_err(|e| anyhow::anyhow!("{} connector: {e}", self.kind()))
    }

    /// The categories the connector can hold, with the setting declaring each.
    pub fn held_categories(&self) -> Vec<(String, String)> {
        self.entry().1.held_categories()
    }

    /// The identifier kinds the connector uses as one path segment.
    pub fn path_segments(&self) -> Vec<erasure_core::IdentifierKind> {
        self.entry().1.path_segments()
    }

    /// Whether the connector can resolve identifiers.
    pub fn resolves(&self) -> bool {
        self.entry().1.resolves()
    }

    /// The files and directories the connector uses, as configured.
    pub fn paths(&self) -> Vec<(&'static str, PathBuf)> {
        self.entry().1.paths()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind's name is the `kind` key its section is read by.
    #[test]
    fn kinds_are_named_as_they_are_written() {
        for (text, kind) in [
            ("kind = \"backup\"\nsets = []", "backup"),
            (
                "kind = \"sql\"\ndatabase = \"x.sqlite\"\ntables = []",
                "sql",
            ),
            (
                "kind = \"object-store\"\nroot = \"x\"\nkeys = []",
                "object-store",
            ),
            (
                "kind = \"processor\"\nstate = \"x.sqlite\"\n[opendsr]\nbase_url = \"https://p.example/v1\"",
                "processor",
            ),
        ] {
            let c: ConnectorConfig = toml::from_str(text).expect(kind);
            assert_eq!(c.kind(), kind);
        }
        let err = toml::from_str::<ConnectorConfig>("kind = \"ftp\"").expect_err("unknown");
        assert!(err.to_string().contains("unknown variant `ftp`"), "{err}");
    }
}
