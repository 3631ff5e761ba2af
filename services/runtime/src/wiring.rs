//! The adapters a configuration picks, and the trust a server starts with: the event store,
//! the Kafka transport, the clock, the data directory, trusted connector keys and key
//! rotations.

use crate::config::{KafkaBusConfig, StoreConfig, StoreTlsConfig};
use anyhow::{Context, Result};
use erasure_bus::kafka::{KafkaConfig, KafkaSecurity, KafkaTransport, Scram};
use erasure_coordinator::{Clock, OffsetClock, Storage, SystemClock};
use erasure_proof::TrustStore;
use erasure_store::postgres::PostgresStore;
use erasure_store::sqlite::SqliteStore;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The event store a configuration names; SQLite files resolve against the data directory.
pub async fn open_store(config: &StoreConfig, data_dir: &Path) -> Result<Arc<dyn Storage>> {
    Ok(match config {
        StoreConfig::Sqlite { path } => {
            let file = path
                .clone()
                .unwrap_or_else(|| PathBuf::from("events.sqlite"));
            Arc::new(SqliteStore::open(&data_dir.join(file))?)
        }
        StoreConfig::Postgres {
            url,
            pool_size,
            tls,
        } => {
            let tls = StoreTlsConfig::tls(tls.as_ref());
            Arc::new(PostgresStore::connect_tls(url, pool_size.unwrap_or(8), &tls).await?)
        }
    })
}

/// The Kafka transport for a bus configuration; `default_group` when it names none.
pub fn kafka_transport(bus: &KafkaBusConfig, default_group: &str) -> Result<KafkaTransport> {
    let config = KafkaConfig {
        idempotent: bus.idempotent_producer.unwrap_or(true),
        brokers: bus.brokers.clone(),
        group_id: bus
            .group_id
            .clone()
            .unwrap_or_else(|| default_group.to_owned()),
        partitions: bus.partitions.unwrap_or(6),
        replication_factor: bus.replication_factor.unwrap_or(1),
        client_id: default_group.to_owned(),
        security: kafka_security(bus)?,
    };
    KafkaTransport::new(config)
        .map_err(|e| anyhow::anyhow!("cannot set up the Kafka transport: {e}"))
}

/// `[bus.tls]` and `[bus.sasl]` as the adapter takes them, the password read.
pub fn kafka_security(bus: &KafkaBusConfig) -> Result<KafkaSecurity> {
    if bus.sasl.is_some() && bus.tls.is_none() {
        anyhow::bail!(
            "bus.sasl needs [bus.tls]: SCRAM over plaintext would show the broker every message in clear"
        );
    }
    let sasl = bus
        .sasl
        .as_ref()
        .map(|s| -> Result<Scram> {
            let password = crate::secrets::read_secret(
                "bus.sasl password",
                s.password_file.as_deref(),
                s.password_env.as_deref(),
            )?;
            Ok(Scram {
                mechanism: s.mechanism,
                username: s.username.clone(),
                password,
            })
        })
        .transpose()?;
    Ok(KafkaSecurity {
        tls: bus.tls.is_some(),
        ca_file: bus.tls.as_ref().and_then(|t| t.ca_file.clone()),
        sasl,
    })
}

/// The wall clock, or (for exercising timers that run for years, never in production) the
/// wall clock moved by `ERASURE_CLOCK_OFFSET`, e.g. `3660d`, `-2h`.
pub fn clock() -> Result<Arc<dyn Clock>> {
    let Ok(offset) = std::env::var("ERASURE_CLOCK_OFFSET") else {
        return Ok(Arc::new(SystemClock));
    };
    let offset = parse_offset(offset.trim())
        .with_context(|| format!("ERASURE_CLOCK_OFFSET {offset:?}: use e.g. 3660d, 12h, -30m"))?;
    eprintln!(
        "erasure: WARNING: the clock is moved by {offset} (ERASURE_CLOCK_OFFSET): for tests only"
    );
    tracing::warn!(%offset, "clock offset in effect (ERASURE_CLOCK_OFFSET); for tests only");
    Ok(Arc::new(OffsetClock { offset }))
}

fn parse_offset(s: &str) -> Option<chrono::Duration> {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let (n, unit) = rest.split_at(rest.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    let d = match unit {
        "d" => chrono::Duration::try_days(n)?,
        "h" => chrono::Duration::try_hours(n)?,
        "m" => chrono::Duration::try_minutes(n)?,
        "s" => chrono::Duration::try_seconds(n)?,
        _ => return None,
    };
    Some(d * sign)
}

/// Creates the data directory and checks that it can be written to.
pub fn prepare_data_dir(dir: &Path) -> Result<PathBuf> {
    let fail = |e: std::io::Error| {
        anyhow::anyhow!("data directory {} is not writable: {e}", dir.display())
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    dir.canonicalize().map_err(fail)
}

/// Connector keys trusted from a file (relative to the data directory); empty when none.
pub fn load_trust(path: Option<&Path>, data_dir: &Path) -> Result<TrustStore> {
    let Some(path) = path.map(|p| data_dir.join(p)) else {
        return Ok(TrustStore::default());
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the trusted connector keys {}", path.display()))?;
    let mut trust: TrustStore = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a trust file", path.display()))?;
    trust.coordinator.clear(); // only connector keys are taken from it
    Ok(trust)
}

#[cfg(test)]
mod tests {
    use super::{kafka_security, kafka_transport, parse_offset};
    use crate::config::{KafkaBusConfig, parse_toml};
    use erasure_bus::kafka::ScramMechanism;

    fn bus(extra: &str) -> KafkaBusConfig {
        let text = format!("brokers = \"127.0.0.1:9092\"\n{extra}");
        parse_toml(&text, "bus.toml").expect("bus section")
    }

    #[test]
    fn tls_and_scram_come_from_the_bus_section_with_the_password_from_a_file() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("password");
        std::fs::write(&file, "s3cret\n").expect("write");
        let bus = bus(&format!(
            "[tls]\nca_file = \"/etc/erasure/kafka-ca.pem\"\n\
             [sasl]\nmechanism = \"SCRAM-SHA-256\"\nusername = \"erasure\"\npassword_file = {:?}\n",
            file.display().to_string()
        ));
        let security = kafka_security(&bus).expect("security");
        assert!(security.tls);
        assert_eq!(security.ca_file, Some("/etc/erasure/kafka-ca.pem".into()));
        let sasl = security.sasl.expect("sasl");
        assert_eq!(sasl.mechanism, ScramMechanism::Sha256);
        assert_eq!(
            (sasl.username.as_str(), sasl.password.as_str()),
            ("erasure", "s3cret")
        );
    }

    #[test]
    fn without_tls_or_sasl_the_bus_is_plaintext() {
        let security = kafka_security(&bus("")).expect("security");
        assert!(!security.tls && security.sasl.is_none() && security.ca_file.is_none());
    }

    #[test]
    fn a_missing_password_file_is_a_one_line_error() {
        let bus = bus(
            "[tls]\n[sasl]\nmechanism = \"SCRAM-SHA-512\"\nusername = \"u\"\npassword_file = \"/nonexistent/kafka-password\"\n",
        );
        let err = format!("{:#}", kafka_transport(&bus, "g").expect_err("no password"));
        assert!(
            err.starts_with("bus.sasl password: cannot read /nonexistent/kafka-password: "),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn scram_without_tls_and_unknown_mechanisms_are_refused() {
        let bus = bus(
            "[sasl]\nmechanism = \"SCRAM-SHA-512\"\nusername = \"u\"\npassword_env = \"PATH\"\n",
        );
        let err = kafka_security(&bus).expect_err("no tls").to_string();
        assert!(err.starts_with("bus.sasl needs [bus.tls]"), "{err}");
        let text = "brokers = \"b:9092\"\n[sasl]\nmechanism = \"PLAIN\"\nusername = \"u\"\n";
        let err = parse_toml::<KafkaBusConfig>(text, "bus.toml").expect_err("PLAIN");
        assert!(err.to_string().contains("bus.toml, line 3"), "{err}");
    }

    #[test]
    fn a_ca_file_that_does_not_exist_stops_the_transport_at_start() {
        let bus = bus("[tls]\nca_file = \"/nonexistent/ca.pem\"\n");
        let err = kafka_transport(&bus, "g")
            .expect_err("no CA file")
            .to_string();
        assert!(err.contains("cannot set up the Kafka transport"), "{err}");
        assert!(err.contains("ssl.ca.location"), "{err}");
    }

    #[test]
    fn clock_offsets_parse() {
        assert_eq!(parse_offset("3660d"), Some(chrono::Duration::days(3660)));
        assert_eq!(parse_offset("+2h"), Some(chrono::Duration::hours(2)));
        assert_eq!(parse_offset("-30m"), Some(chrono::Duration::minutes(-30)));
        for bad in ["", "d", "10", "10y", "ten d"] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }
}
