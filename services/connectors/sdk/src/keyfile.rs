//! A connector's (or the coordinator's) signing key on disk: loaded if the file exists,
//! generated and written on first start otherwise.
//!
//! The file is the proof crate's [`KeyFile`] as JSON, readable by its owner only (mode
//! 0600 on Unix). A new key is written to a temporary file in the same directory and then
//! hard-linked into place: the link fails if another process published a key first, and
//! then this process loads that key instead of overwriting it, so two processes starting
//! at once never end up signing with different keys.

use erasure_proof::KeyPair;
use erasure_proof::keys::KeyFile;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a key file could not be read or written. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("key file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key file {}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
}

/// Loads the key at `path`, or generates one and writes it there (creating parent
/// directories) if the file does not exist.
pub fn load_or_generate(path: &Path) -> Result<KeyPair, KeyFileError> {
    match std::fs::read(path) {
        Ok(bytes) => parse(path, &bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => generate(path),
        Err(e) => Err(io_error(path, e)),
    }
}

fn parse(path: &Path, bytes: &[u8]) -> Result<KeyPair, KeyFileError> {
    warn_if_readable_by_others(path);
    let invalid = |reason: String| KeyFileError::Invalid {
        path: path.to_owned(),
        reason,
    };
    // serde_json's message names the bad field and position, never the secret's value.
    let file: KeyFile =
        serde_json::from_slice(bytes).map_err(|e| invalid(format!("not a key file: {e}")))?;
    KeyPair::from_file(&file).map_err(|e| invalid(e.to_string()))
}

fn generate(path: &Path) -> Result<KeyPair, KeyFileError> {
    let key = KeyPair::generate().map_err(|e| KeyFileError::Invalid {
        path: path.to_owned(),
        reason: format!("generating a key: {e}"),
    })?;
    let json = serde_json::to_vec_pretty(&key.to_file()).map_err(|e| KeyFileError::Invalid {
        path: path.to_owned(),
        reason: format!("encoding the key: {e}"),
    })?;
    if publish_private(path, &json).map_err(|e| io_error(path, e))? {
        tracing::info!(path = %path.display(), key_id = key.key_id(), "generated a key (Ed25519 signing, X25519 encryption)");
        Ok(key)
    } else {
        // Another process published its key first: use that one.
        std::fs::read(path)
            .map_err(|e| io_error(path, e))
            .and_then(|bytes| parse(path, &bytes))
    }
}

/// Writes `bytes` to a private temporary file beside `path`, then links it to `path`.
/// Returns `false` (and leaves `path` alone) when `path` appeared meanwhile.
fn publish_private(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let temp = temp_path(path);
    let linked =
        write_new_private(&temp, bytes).and_then(|()| match std::fs::hard_link(&temp, path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        });
    let removed = std::fs::remove_file(&temp);
    let linked = linked?;
    removed.map(|()| linked)
}

/// Unique per process and call, so concurrent writers never share a temporary file.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let temp = format!(
        ".{}.{}-{n}.tmp",
        name.unwrap_or_default(),
        std::process::id()
    );
    path.with_file_name(temp)
}

fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A key readable by others is still usable (Kubernetes mounts secrets 0644 unless told
/// otherwise), but worth a warning.
fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode());
        if mode.is_ok_and(|m| m & 0o077 != 0) {
            tracing::warn!(path = %path.display(), "key file is readable by other users; use mode 0600");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn io_error(path: &Path, source: std::io::Error) -> KeyFileError {
    KeyFileError::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_then_loads_the_same_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys/crm/connector.key.json");
        let first = load_or_generate(&path).expect("generate");
        let second = load_or_generate(&path).expect("load");
        assert_eq!(first.key_id(), second.key_id());
        assert_eq!(first.public(), second.public());
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("list")
            .collect();
        assert_eq!(leftovers.len(), 1, "temporary file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_generated_key_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("key.json");
        load_or_generate(&path).expect("generate");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_corrupt_file_is_an_error_naming_the_path_and_is_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("broken.json");
        std::fs::write(&path, b"{\"algorithm\": \"ed25519\"").expect("write");
        let err = load_or_generate(&path).expect_err("corrupt");
        assert!(matches!(err, KeyFileError::Invalid { .. }), "{err:?}");
        assert!(err.to_string().contains("broken.json"), "{err}");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"{\"algorithm\": \"ed25519\""
        );
    }

    #[test]
    fn a_file_whose_key_id_does_not_match_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("key.json");
        let mut file = KeyPair::from_seed([9; 32]).to_file();
        file.key_id = "ed25519:0000000000000000".into();
        std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");
        let err = load_or_generate(&path).expect_err("mismatch");
        assert!(err.to_string().contains("key.json"), "{err}");
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("key.json");
        let existing = KeyPair::from_seed([1; 32]);
        std::fs::write(
            &path,
            serde_json::to_vec(&existing.to_file()).expect("json"),
        )
        .expect("write");
        assert!(!publish_private(&path, b"other").expect("publish"));
        assert_eq!(
            load_or_generate(&path).expect("load").key_id(),
            existing.key_id()
        );
    }
}
