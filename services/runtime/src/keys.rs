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
//! The X25519 encryption key is derived from the same seed, so it is replaced with the
//! signing key: work orders are sealed to the new one from the next start on, and orders
//! sealed to the old one that were not yet consumed are refused by the connector (a
//! permanent failure; `erasure retry` sends them again, sealed to the new key).
//!
//! Run it with the server stopped (it refuses while `serve` holds the data directory) and
//! start the server again to sign with the new key.

use anyhow::{Context, Result, bail};
use chrono::{SecondsFormat, Utc};
use erasure_proof::keys::{KeyFile, TrustedKey};
use erasure_proof::{KeyPair, TrustStore};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file `serve` holds locked while it runs.
pub const LOCK_FILE: &str = "serve.lock";

/// Rotations of the coordinator's and in-process connectors' keys, in the data directory.
pub const ROTATIONS_FILE: &str = "keys/rotations.json";

/// Which key to rotate.
#[derive(Debug, Clone)]
pub enum Rotation {
    /// The coordinator's key in the data directory.
    Coordinator { data_dir: PathBuf },
    /// An in-process connector's key in the data directory.
    Connector { data_dir: PathBuf, system: String },
    /// The key file of a connector that runs elsewhere, recorded in the trusted connector
    /// keys file the coordinator reads (`[keys] trusted_connectors`).
    KeyFile {
        key_file: PathBuf,
        system: String,
        record: PathBuf,
    },
}

/// What a rotation did.
#[derive(Debug, Clone)]
pub struct Rotated {
    pub old_key_id: String,
    pub new_key_id: String,
    /// When the old key's period ended and the new key's began (RFC 3339).
    pub at: String,
    pub key_file: PathBuf,
    pub record: PathBuf,
}

/// Who a key signs for.
enum Signer {
    Coordinator,
    Connector(String),
}

/// Replaces the key and records both keys with their periods. For keys in a data
/// directory, refuses while a server runs on it.
pub fn rotate(rotation: Rotation) -> Result<Rotated> {
    let (key_path, record, signer) = match &rotation {
        Rotation::KeyFile {
            key_file,
            system,
            record,
        } => (
            key_file.clone(),
            record.clone(),
            Signer::Connector(system.clone()),
        ),
        Rotation::Connector { data_dir, system } => (
            data_dir.join(format!("keys/connectors/{system}.json")),
            data_dir.join(ROTATIONS_FILE),
            Signer::Connector(system.clone()),
        ),
        Rotation::Coordinator { data_dir } => (
            data_dir.join("keys/coordinator.json"),
            data_dir.join(ROTATIONS_FILE),
            Signer::Coordinator,
        ),
    };
    let _lock = match &rotation {
        Rotation::Coordinator { data_dir } | Rotation::Connector { data_dir, .. } => {
            Some(lock_data_dir(data_dir)?)
        }
        Rotation::KeyFile { .. } => None,
    };
    let (old, new) = replace_key(&key_path)?;
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut trust = read_trust_file(&record)?;
    record_rotation(&mut trust, &signer, &old, &new, &now);
    write_atomically(
        &record,
        serde_json::to_string_pretty(&trust)?.as_bytes(),
        false,
    )?;
    Ok(Rotated {
        old_key_id: old.key_id().to_owned(),
        new_key_id: new.key_id().to_owned(),
        at: now,
        key_file: key_path,
        record,
    })
}

/// Closes the old key's period at `now` (keeping when it began) and opens the new key's.
fn record_rotation(
    trust: &mut TrustStore,
    signer: &Signer,
    old: &KeyPair,
    new: &KeyPair,
    now: &str,
) {
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
    match signer {
        Signer::Coordinator => {
            let from = previous(&trust.coordinator);
            retire(
                &mut trust.coordinator,
                entry(old, from, Some(now.to_owned())),
            );
            trust.add_coordinator_entry(entry(new, Some(now.to_owned()), None));
        }
        Signer::Connector(system) => {
            let keys = trust.connectors.entry(system.clone()).or_default();
            let from = previous(keys);
            retire(keys, entry(old, from, Some(now.to_owned())));
            trust.add_connector_entry(system, entry(new, Some(now.to_owned()), None));
        }
    }
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

/// A trust file; an empty trust when it does not exist.
pub fn read_trust_file(path: &Path) -> Result<TrustStore> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{} is not a trust file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TrustStore::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Keys rotated with `erasure keys rotate`: retired keys stay trusted for what they signed
/// while valid; the current ones are valid from their rotation.
pub fn merge_rotations(trust: &mut TrustStore, data_dir: &Path) -> Result<()> {
    let rotations = read_trust_file(&data_dir.join(ROTATIONS_FILE))?;
    for key in rotations.coordinator {
        trust.add_coordinator_entry(key);
    }
    for (system, keys) in rotations.connectors {
        for key in keys {
            trust.add_connector_entry(&system, key);
        }
    }
    Ok(())
}

/// Writes a secret file (owner-only), atomically.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically(path, bytes, true)
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
