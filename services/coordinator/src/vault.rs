//! Personal data at rest: identifiers are sealed under a per-request data key
//! (XChaCha20-Poly1305), the data key is wrapped by a key derived from the master key and
//! stored apart from the events. Destroying a request's data key makes its identifiers
//! unreadable everywhere they were stored, without rewriting history.
//!
//! Blind indexes (HMAC-SHA256 under an index key derived from the master key) find repeat
//! requests and idempotency keys without storing what they index.

use crate::error::CoordinatorError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use erasure_core::Identifiers;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

const NONCE_LEN: usize = 24;

/// The master key and the keys derived from it. Its `Debug` shows nothing secret.
pub struct Vault {
    wrapping: XChaCha20Poly1305,
    index_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(**REDACTED**)")
    }
}

/// A request's data key, unwrapped. Lives in memory only while in use.
pub struct DataKey(XChaCha20Poly1305);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(**REDACTED**)")
    }
}

fn internal(what: &str) -> CoordinatorError {
    CoordinatorError::Internal(what.to_owned())
}

fn derive(master: &[u8; 32], label: &str) -> [u8; 32] {
    hmac_sha256(master, label.as_bytes())
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

pub fn random_bytes<const N: usize>() -> Result<[u8; N], CoordinatorError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| internal("no randomness available"))?;
    Ok(b)
}

/// Uniform in [0, 1), to spread retries.
pub fn jitter() -> f64 {
    random_bytes::<8>()
        .map(|b| (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64)
        .unwrap_or(0.5)
}

impl Vault {
    pub fn from_master(master: &[u8; 32]) -> Self {
        Self {
            wrapping: XChaCha20Poly1305::new(&derive(master, "erasure.v1.key-wrapping").into()),
            index_key: derive(master, "erasure.v1.blind-index"),
        }
    }

    /// Loads the master key from `path` (64 hex digits), or creates it (mode 0600).
    pub fn load_or_create(path: &Path) -> Result<Self, CoordinatorError> {
        match std::fs::read_to_string(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let master: [u8; 32] = random_bytes()?;
                write_secret(path, &hex::encode(master))?;
                Ok(Self::from_master(&master))
            }
            _ => Self::load(path),
        }
    }

    /// Loads the master key from `path` (64 hex digits), which must exist: a key given by
    /// the deployment (a mounted Secret) is never created here.
    pub fn load(path: &Path) -> Result<Self, CoordinatorError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CoordinatorError::Internal(format!("cannot read master key {}: {e}", path.display()))
        })?;
        Self::from_hex(&text, &format!("master key {}", path.display()))
    }

    /// The master key from its text, 64 hex digits (surrounding white space ignored).
    /// `origin` names where it came from in the error, which never shows the text.
    pub fn from_hex(text: &str, origin: &str) -> Result<Self, CoordinatorError> {
        let master: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                CoordinatorError::Internal(format!(
                    "{origin} is not 64 hex digits (make one with `openssl rand -hex 32`)"
                ))
            })?;
        Ok(Self::from_master(&master))
    }

    /// A fresh data key for `request_id`, wrapped for storage.
    pub fn new_wrapped_key(&self, request_id: &str) -> Result<Vec<u8>, CoordinatorError> {
        let dek: [u8; 32] = random_bytes()?;
        seal_with(&self.wrapping, &dek, request_id.as_bytes())
    }

    pub fn unwrap_key(
        &self,
        wrapped: &[u8],
        request_id: &str,
    ) -> Result<DataKey, CoordinatorError> {
        let dek = open_with(&self.wrapping, wrapped, request_id.as_bytes())?;
        let key: [u8; 32] = dek
            .try_into()
            .map_err(|_| internal("data key has the wrong length"))?;
        Ok(DataKey(XChaCha20Poly1305::new(&key.into())))
    }

    /// HMAC of one identifier, by kind: equal identifiers give equal indexes.
    pub fn blind_indexes(&self, ids: &Identifiers) -> Vec<Vec<u8>> {
        ids.iter()
            .map(|(kind, value)| {
                hmac_sha256(
                    &self.index_key,
                    format!("{}:{value}", kind.name()).as_bytes(),
                )
                .to_vec()
            })
            .collect()
    }

    pub fn idempotency_hash(&self, key: &str) -> Vec<u8> {
        hmac_sha256(&self.index_key, format!("idempotency:{key}").as_bytes()).to_vec()
    }

    /// The request id an idempotency key always maps to (a UUIDv8 of its keyed hash),
    /// so a retried submit lands on the same stream.
    pub fn request_id_for(&self, idempotency_key: &str) -> String {
        let h = hmac_sha256(
            &self.index_key,
            format!("request-id:{idempotency_key}").as_bytes(),
        );
        let mut b = [0u8; 16];
        b.copy_from_slice(&h[..16]);
        uuid::Uuid::new_v8(b).to_string()
    }
}

impl DataKey {
    pub fn seal(&self, plaintext: &[u8], request_id: &str) -> Result<Vec<u8>, CoordinatorError> {
        seal_with(&self.0, plaintext, request_id.as_bytes())
    }

    pub fn open(&self, sealed: &[u8], request_id: &str) -> Result<Vec<u8>, CoordinatorError> {
        open_with(&self.0, sealed, request_id.as_bytes())
    }
}

fn seal_with(
    cipher: &XChaCha20Poly1305,
    msg: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CoordinatorError> {
    let nonce: [u8; NONCE_LEN] = random_bytes()?;
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg, aad })
        .map_err(|_| internal("sealing failed"))?;
    Ok([nonce.as_slice(), &ct].concat())
}

fn open_with(
    cipher: &XChaCha20Poly1305,
    sealed: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CoordinatorError> {
    if sealed.len() < NONCE_LEN {
        return Err(internal("sealed data too short"));
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .map_err(|_| internal("sealed data does not open with this key"))
}

/// Writes a secret file readable by its owner only, atomically.
pub fn write_secret(path: &Path, contents: &str) -> Result<(), CoordinatorError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let fail = |e: std::io::Error| {
        CoordinatorError::Internal(format!("cannot write {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(fail)?;
    f.write_all(contents.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_identifiers_open_only_with_their_key_and_request() {
        let vault = Vault::from_master(&[5; 32]);
        let wrapped = vault.new_wrapped_key("r1").expect("key");
        let dek = vault.unwrap_key(&wrapped, "r1").expect("unwrap");
        let sealed = dek.seal(b"alice@example.com", "r1").expect("seal");
        assert!(
            !sealed.windows(5).any(|w| w == b"alice"),
            "plaintext visible"
        );
        assert_eq!(dek.open(&sealed, "r1").expect("open"), b"alice@example.com");
        assert!(dek.open(&sealed, "r2").is_err(), "bound to the request");
        assert!(vault.unwrap_key(&wrapped, "r2").is_err());
        let other = Vault::from_master(&[6; 32]);
        assert!(other.unwrap_key(&wrapped, "r1").is_err());
    }

    #[test]
    fn blind_indexes_match_equal_identifiers_only() {
        let vault = Vault::from_master(&[5; 32]);
        let a = Identifiers::parse(Some("A@x.fi"), None, None).expect("ids");
        let b = Identifiers::parse(Some("a@x.fi"), None, None).expect("ids");
        let c = Identifiers::parse(Some("c@x.fi"), None, None).expect("ids");
        assert_eq!(vault.blind_indexes(&a), vault.blind_indexes(&b));
        assert_ne!(vault.blind_indexes(&a), vault.blind_indexes(&c));
        assert_eq!(vault.request_id_for("k1"), vault.request_id_for("k1"));
        assert_ne!(vault.request_id_for("k1"), vault.request_id_for("k2"));
    }
}
