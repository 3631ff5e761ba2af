//! `erasure config check FILE [--connect]`: validates a coordinator configuration (an
//! inventory) or a standalone connector's file without starting anything, and with
//! `--connect` asks every connector whether its system holds what the configuration names.
//! Each problem is one line naming the system and the setting.

use crate::config::{Config, SystemConfig};
use crate::connector::ConnectorFile;
use crate::registry::ConnectorConfig;
use anyhow::{Context, Result};
use std::path::Path;

/// What was checked, and every problem found.
#[derive(Debug, Default)]
pub struct Checked {
    /// What the file configures, e.g. "coordinator configuration with 4 systems".
    pub what: String,
    pub problems: Vec<String>,
}

/// Checks `file`; relative paths of a coordinator configuration resolve against
/// `data_dir`, those of a connector's file against its directory. `Err` when the file
/// cannot be read or parsed at all (the error names the line and key).
pub async fn check(file: &Path, data_dir: &Path, connect: bool) -> Result<Checked> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let origin = file.display().to_string();
    let table: toml::Table = crate::config::parse_toml(&text, &origin)?;
    if table.contains_key("connector") && table.contains_key("system") {
        let connector = ConnectorFile::parse(&text, &origin)?;
        let base = file.parent().unwrap_or(Path::new("."));
        let mut checked = Checked {
            what: format!("connector of system {}", connector.system),
            problems: Vec::new(),
        };
        let system = &connector.system;
        checked.problems = connector_problems(system, &connector.connector, base, connect).await;
        return Ok(checked);
    }
    let config = Config::parse(&text, &origin)?;
    Ok(Checked {
        what: format!(
            "coordinator configuration with {} systems",
            config.systems.len()
        ),
        problems: config_problems(&config, data_dir, connect).await,
    })
}

async fn config_problems(config: &Config, data_dir: &Path, connect: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(e) = config.retention.load(data_dir) {
        problems.push(format!("[retention]: {e:#}"));
    }
    if let Err(e) = config.retries.policy() {
        problems.push(format!("{e:#}"));
    }
    if let Err(e) = config.log.options() {
        problems.push(format!("{e:#}"));
    }
    match crate::opendsr::checked(config) {
        Err(e) => problems.push(format!("{e:#}")),
        // Configured key files must load; generated ones are made by `serve`.
        Ok(Some((o, domain))) if o.certificate_file.is_some() || o.key_file.is_some() => {
            if let Err(e) = crate::opendsr::signing::Signer::load(o, data_dir, &domain) {
                problems.push(format!("{e:#}"));
            }
        }
        Ok(_) => {}
    }
    for system in &config.systems {
        problems.extend(category_problems(system));
        if let Some(connector) = &system.connector {
            problems.extend(connector_problems(&system.id, connector, data_dir, connect).await);
        }
    }
    problems
}

/// A category the connector can hold must be the system's too: planning attaches the
/// rules of the system's categories only.
fn category_problems(system: &SystemConfig) -> Vec<String> {
    let Some(connector) = &system.connector else {
        return Vec::new();
    };
    connector
        .held_categories()
        .into_iter()
        .filter(|(category, _)| !system.categories.contains(category))
        .map(|(category, setting)| {
            format!(
                "system {}: connector.{setting}: category {category} is not among the system's categories, so no retention rule would ever hold it (add it to categories)",
                system.id
            )
        })
        .collect()
}

async fn connector_problems(
    system: &str,
    connector: &ConnectorConfig,
    base: &Path,
    connect: bool,
) -> Vec<String> {
    let built = match connector.build(base) {
        Ok(built) => built,
        Err(e) => return vec![format!("system {system}: connector: {e:#}")],
    };
    if !connect {
        return Vec::new();
    }
    let found = built.check().await;
    found
        .into_iter()
        .map(|p| format!("system {system}: {p}"))
        .collect()
}
