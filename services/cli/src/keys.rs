//! `erasure keys rotate`: replaces a signing key and records the rotation, so that what
//! the old key signed still verifies (against the old key, within its validity period) and
//! nothing signed later with it does.
//!
//! The rotation record is a trust file of public keys with validity periods: for the
//! coordinator and the in-process connectors, `DATA_DIR/keys/rotations.json`, which
//! `serve` merges into the trust it uses and publishes (`trust.json`); for a connector that
//! runs elsewhere, the trusted-connector-keys file the coordinator reads. The old secret
//! is deleted: a retired key can sign nothing more.
//!
//! Run it with the server stopped (it refuses while `serve` holds the data directory) and
//! start the server again to sign with the new key.

use anyhow::{Context, Result, bail};
use chrono::{SecondsFormat, Utc};
use clap::Args;
use erasure_proof::keys::{KeyFile, TrustedKey};
use erasure_proof::{KeyPair, TrustStore};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file `serve` holds locked while it runs.
pub const LOCK_FILE: &str = "serve.lock";

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Rotate the coordinator's key (in the data directory).
    #[arg(long, conflicts_with_all = ["connector", "key_file"])]
    coordinator: bool,
    /// Rotate the key of this in-process connector (in the data directory).
    #[arg(long, value_name = "SYSTEM", conflicts_with = "key_file")]
    connector: Option<String>,
    /// Rotate the key file of a connector that runs elsewhere (with --system and --record).
    #[arg(long, requires_all = ["system", "record"])]
    key_file: Option<PathBuf>,
    /// The system whose connector signs with --key-file.
    #[arg(long)]
    system: Option<String>,
    /// The trusted connector keys file the coordinator reads ([keys] trusted_connectors).
    #[arg(long)]
    record: Option<PathBuf>,
    #[arg(long, env = "ERASURE_DATA_DIR", default_value = "erasure-data")]
    data_dir: PathBuf,
}

/// Who a key signs for.
enum Signer {
    Coordinator,
    Connector(String),
}

pub fn rotate(args: RotateArgs) -> Result<()> {
    let (key_path, record, signer) = match (&args.key_file, &args.connector, args.coordinator) {
        (Some(key), _, _) => (
            key.clone(),
            args.record.clone().unwrap_or_default(),
            Signer::Connector(args.system.clone().unwrap_or_default()),
        ),
        (None, Some(system), _) => (
            args.data_dir.join(format!("keys/connectors/{system}.json")),
            args.data_dir.join("keys/rotations.json"),
            Signer::Connector(system.clone()),
        ),
        (None, None, true) => (
            args.data_dir.join("keys/coordinator.json"),
            args.data_dir.join("keys/rotations.json"),
            Signer::Coordinator,
        ),
        (None, None, false) => {
            bail!("say which key: --coordinator, --connector SYSTEM or --key-file FILE")
        }
    };
    let _lock = if args.key_file.is_none() {
        Some(lock_data_dir(&args.data_dir)?)
    } else {
        None
    };
    let (old, new) = replace_key(&key_path)?;
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut trust = read_record(&record)?;
    let previous = |keys: &[TrustedKey]| {
        keys.iter()
            .find(|k| k.key_id == old.key_id())
            .and_then(|k| k.valid_from.clone())
    };
    let entry = |key: &KeyPair, from: Option<String>, until: Option<String>| TrustedKey {
        valid_from: from,
        valid_until: until,
        ..TrustedKey::from(&key.public())
    };
    match &signer {
        Signer::Coordinator => {
            let from = previous(&trust.coordinator);
            retire(&mut trust.coordinator, entry(&old, from, Some(now.clone())));
            trust.add_coordinator_entry(entry(&new, Some(now.clone()), None));
        }
        Signer::Connector(system) => {
            let keys = trust.connectors.entry(system.clone()).or_default();
            let from = previous(keys);
            retire(keys, entry(&old, from, Some(now.clone())));
            trust.add_connector_entry(system, entry(&new, Some(now.clone()), None));
        }
    }
    write_atomically(
        &record,
        serde_json::to_string_pretty(&trust)?.as_bytes(),
        false,
    )?;
    println!("retired {} (valid until {now})", old.key_id());
    println!(
        "new key {} (valid from {now}) in {}",
        new.key_id(),
        key_path.display()
    );
    println!("rotation recorded in {}", record.display());
    println!("restart the server (or the connector) to sign with the new key");
    Ok(())
}

/// Replaces an entry of the same key (closing its period) or adds it.
fn retire(keys: &mut Vec<TrustedKey>, retired: TrustedKey) {
    keys.retain(|k| k.key_id != retired.key_id);
    keys.push(retired);
}

/// Generates a new key in place of the one at `path`; returns (old, new).
fn replace_key(path: &Path) -> Result<(KeyPair, KeyPair)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    let file: KeyFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a key file", path.display()))?;
    let old = KeyPair::from_file(&file).with_context(|| format!("key file {}", path.display()))?;
    let new = KeyPair::generate()?;
    let json = serde_json::to_vec_pretty(&new.to_file())?;
    write_atomically(path, &json, true)?;
    Ok((old, new))
}

fn read_record(path: &Path) -> Result<TrustStore> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{} is not a trust file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TrustStore::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Writes a temporary file beside `path` (owner-only when `private`), then renames it over.
fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let temp = path.with_extension("rotating");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let write = || -> std::io::Result<()> {
        let mut f = options.open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

/// Holds the data directory's lock: refuses when a server is running on it.
pub fn lock_data_dir(dir: &Path) -> Result<File> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(LOCK_FILE);
    let file = File::create(&path).with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "a server is running on the data directory {}; stop it first",
            dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}
