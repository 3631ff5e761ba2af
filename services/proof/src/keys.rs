//! Keys: Ed25519 key pairs, public keys with ids, and the trust file that lists which
//! public keys may sign for the coordinator and for each connector.
//!
//! Each key pair also has an X25519 encryption key (HPKE, see [`crate::sealed`]), derived
//! from the signing seed: the key file's one secret holds both, a key file written before
//! encryption keys existed has one without being rewritten, and rotating the signing key
//! rotates the encryption key with it. The trust file publishes the encryption public key
//! beside the signing key (`encryption_key`), so the coordinator seals each work order to
//! the connector's current key.

use crate::ProofError;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `ed25519:` + the first 16 hex digits of SHA-256(public key bytes).
pub fn key_id_of(public: &VerifyingKey) -> String {
    format!(
        "ed25519:{}",
        &hex::encode(crate::sha256(public.as_bytes()))[..16]
    )
}

/// A signing key. The secret never appears in `Debug`.
pub struct KeyPair {
    signing: SigningKey,
    key_id: String,
    encryption: crate::sealed::PrivateKey,
    encryption_public: [u8; 32],
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The on-disk form of a key pair (JSON; the file must be readable by its owner only).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub algorithm: String,
    pub key_id: String,
    pub public_key: String,
    pub secret_key: String,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    pub fn generate() -> Result<Self, ProofError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| ProofError::Malformed(format!("randomness: {e}")))?;
        Ok(Self::from_seed(seed))
    }

    pub fn from_seed(seed: [u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(&seed);
        let key_id = key_id_of(&signing.verifying_key());
        let (encryption, encryption_public) = crate::sealed::derive(&seed);
        Self {
            signing,
            key_id,
            encryption,
            encryption_public,
        }
    }

    /// Opens a blob sealed to this key pair's encryption key under `binding`.
    pub fn open(
        &self,
        binding: &crate::sealed::Binding,
        sealed: &crate::sealed::Sealed,
    ) -> Result<Vec<u8>, ProofError> {
        crate::sealed::open(&self.encryption, binding, sealed)
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The signing key and the encryption key, public halves.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            encryption: Some(self.encryption_public),
            ..PublicKey::new(self.signing.verifying_key())
        }
    }

    /// Signs `context || message`.
    pub fn sign(&self, context: &[u8], message: &[u8]) -> Vec<u8> {
        let signed = [context, message].concat();
        self.signing.sign(&signed).to_bytes().to_vec()
    }

    pub fn to_file(&self) -> KeyFile {
        KeyFile {
            algorithm: "ed25519".into(),
            key_id: self.key_id.clone(),
            public_key: hex::encode(self.signing.verifying_key().as_bytes()),
            secret_key: hex::encode(self.signing.to_bytes()),
        }
    }

    pub fn from_file(file: &KeyFile) -> Result<Self, ProofError> {
        if file.algorithm != "ed25519" {
            return Err(ProofError::Malformed(format!(
                "key algorithm {:?}",
                file.algorithm
            )));
        }
        let seed: [u8; 32] = hex::decode(&file.secret_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ProofError::Malformed("secret key: 64 hex digits expected".into()))?;
        let pair = Self::from_seed(seed);
        if pair.key_id != file.key_id {
            return Err(ProofError::Mismatch(format!(
                "key file says key id {} but its key has id {}",
                file.key_id, pair.key_id
            )));
        }
        Ok(pair)
    }
}

/// A public key and its id, with the X25519 encryption key of the same pair when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
    key_id: String,
    encryption: Option<[u8; 32]>,
}

impl PublicKey {
    pub fn new(key: VerifyingKey) -> Self {
        Self {
            key_id: key_id_of(&key),
            key,
            encryption: None,
        }
    }

    /// The X25519 public key to seal to, if known.
    pub fn encryption_key(&self) -> Option<[u8; 32]> {
        self.encryption
    }

    pub fn from_hex(hex_key: &str) -> Result<Self, ProofError> {
        let bytes: [u8; 32] = hex::decode(hex_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ProofError::Malformed("public key: 64 hex digits expected".into()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self::new)
            .map_err(|_| ProofError::Malformed("public key: not a valid Ed25519 point".into()))
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.key.as_bytes())
    }

    /// Verifies a signature over `context || message` (strict: no malleable signatures,
    /// no small-order key or `R`; everything `verify` checks, `verify_strict` checks too).
    pub fn verify(&self, context: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = Signature::from_slice(signature) else {
            return false;
        };
        let signed = [context, message].concat();
        self.key.verify_strict(&signed, &sig).is_ok()
    }
}

/// A trusted public key as it appears in the trust file, with the period in which it may
/// sign. A rotated-out key stays in the file with `valid_until` set, so what it signed
/// while it was in use still verifies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedKey {
    pub key_id: String,
    pub public_key: String,
    /// RFC 3339; absent: since ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// RFC 3339, exclusive; absent: still in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// The X25519 public key (hex) of the same key pair, to seal personal data to;
    /// absent in trust files written before encryption keys existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<String>,
}

impl From<&PublicKey> for TrustedKey {
    fn from(k: &PublicKey) -> Self {
        Self {
            key_id: k.key_id().to_owned(),
            public_key: k.to_hex(),
            valid_from: None,
            valid_until: None,
            encryption_key: k.encryption_key().map(hex::encode),
        }
    }
}

impl TrustedKey {
    /// Whether the key may sign at `at_ms` (milliseconds since the Unix epoch).
    fn covers(&self, at_ms: i64) -> Result<bool, ProofError> {
        let bound = |b: &Option<String>| -> Result<Option<i64>, ProofError> {
            b.as_deref()
                .map(|t| {
                    chrono::DateTime::parse_from_rfc3339(t)
                        .map(|t| t.timestamp_millis())
                        .map_err(|_| {
                            ProofError::Malformed(format!("key {}: validity {t:?}", self.key_id))
                        })
                })
                .transpose()
        };
        let from = bound(&self.valid_from)?.unwrap_or(i64::MIN);
        let until = bound(&self.valid_until)?.unwrap_or(i64::MAX);
        Ok(from <= at_ms && at_ms < until)
    }

    fn period(&self) -> String {
        format!(
            "valid from {} until {}",
            self.valid_from.as_deref().unwrap_or("the start"),
            self.valid_until.as_deref().unwrap_or("now")
        )
    }
}

/// Which keys may sign for the coordinator and for each connector (by system id).
/// This is the `--trust` file of `erasure verify`: public keys only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustStore {
    pub coordinator: Vec<TrustedKey>,
    pub connectors: BTreeMap<String, Vec<TrustedKey>>,
    /// Hex SHA-256 fingerprints (of the DER) of the X.509 certificates this orchestrator
    /// signs its OpenDSR answers with, when it serves OpenDSR; absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opendsr_certificates: Vec<String>,
    /// Per system id: the trust file of the processor (another orchestrator) that system
    /// stands for, to check the proofs its acknowledgments nest; absent when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub processors: BTreeMap<String, TrustStore>,
}

impl TrustStore {
    /// The coordinator key with this id, if it was valid at `at_ms`.
    pub fn coordinator_key_at(&self, key_id: &str, at_ms: i64) -> Result<PublicKey, ProofError> {
        find(&self.coordinator, key_id, "the coordinator", at_ms)
    }

    /// The key with this id registered for `system`, if it was valid at `at_ms`.
    pub fn connector_key_at(
        &self,
        system: &str,
        key_id: &str,
        at_ms: i64,
    ) -> Result<PublicKey, ProofError> {
        let keys = self
            .connectors
            .get(system)
            .map(Vec::as_slice)
            .unwrap_or_default();
        find(keys, key_id, &format!("connector {system}"), at_ms)
    }

    /// The encryption key of `system`'s current signing key (the last entry still in use
    /// that publishes one), to seal its work orders to.
    pub fn connector_encryption_key(&self, system: &str) -> Option<[u8; 32]> {
        current_encryption_key(self.connectors.get(system)?)
    }

    /// The encryption key of the coordinator's current key.
    pub fn coordinator_encryption_key(&self) -> Option<[u8; 32]> {
        current_encryption_key(&self.coordinator)
    }

    pub fn add_connector(&mut self, system: &str, key: &PublicKey) {
        let keys = self.connectors.entry(system.to_owned()).or_default();
        add(keys, key.into());
    }

    pub fn add_coordinator(&mut self, key: &PublicKey) {
        add(&mut self.coordinator, key.into());
    }

    /// Adds a key with its validity (a rotated-out or a new key).
    pub fn add_connector_entry(&mut self, system: &str, key: TrustedKey) {
        add(self.connectors.entry(system.to_owned()).or_default(), key);
    }

    pub fn add_coordinator_entry(&mut self, key: TrustedKey) {
        add(&mut self.coordinator, key);
    }
}

fn current_encryption_key(keys: &[TrustedKey]) -> Option<[u8; 32]> {
    let current = keys
        .iter()
        .rev()
        .filter(|k| k.valid_until.is_none())
        .find_map(|k| k.encryption_key.as_deref())?;
    hex::decode(current).ok()?.try_into().ok()
}

/// Adds a key unless one with its id is there; an entry with a validity period replaces
/// one without (the rotation record is the more precise). An entry that lacks the
/// encryption key (written before there were any) takes it from the added one.
fn add(keys: &mut Vec<TrustedKey>, key: TrustedKey) {
    match keys.iter_mut().find(|k| k.key_id == key.key_id) {
        Some(k) if k.valid_from.is_none() && k.valid_until.is_none() => {
            let known = k.encryption_key.take();
            *k = key;
            k.encryption_key = k.encryption_key.take().or(known);
        }
        Some(k) => {
            if k.encryption_key.is_none() {
                k.encryption_key = key.encryption_key;
            }
        }
        None => keys.push(key),
    }
}

fn find(
    keys: &[TrustedKey],
    key_id: &str,
    signer: &str,
    at_ms: i64,
) -> Result<PublicKey, ProofError> {
    let unknown = || ProofError::UnknownKey {
        signer: signer.to_owned(),
        key_id: key_id.to_owned(),
    };
    let entry = keys
        .iter()
        .find(|k| k.key_id == key_id)
        .ok_or_else(unknown)?;
    let key = PublicKey::from_hex(&entry.public_key)?;
    // A trust entry whose id does not match its key is an attempt to alias keys.
    if key.key_id() != key_id {
        return Err(unknown());
    }
    if !entry.covers(at_ms)? {
        return Err(ProofError::KeyNotValid {
            signer: signer.to_owned(),
            key_id: key_id.to_owned(),
            at: crate::view::rfc3339(at_ms),
            period: entry.period(),
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_bound_to_context_and_bytes() {
        let pair = KeyPair::from_seed([7; 32]);
        let sig = pair.sign(b"ctx-a\0", b"hello");
        let public = pair.public();
        assert!(public.verify(b"ctx-a\0", b"hello", &sig));
        assert!(!public.verify(b"ctx-b\0", b"hello", &sig), "other context");
        assert!(!public.verify(b"ctx-a\0", b"hellO", &sig), "other bytes");
        let other = KeyPair::from_seed([8; 32]).public();
        assert!(!other.verify(b"ctx-a\0", b"hello", &sig), "other key");
        assert!(
            !public.verify(b"ctx-a\0", b"hello", &sig[..63]),
            "truncated"
        );
    }

    #[test]
    fn key_file_round_trips_and_detects_a_wrong_id() {
        let pair = KeyPair::generate().expect("key");
        let mut file = pair.to_file();
        let back = KeyPair::from_file(&file).expect("round trip");
        assert_eq!(back.key_id(), pair.key_id());
        file.key_id = "ed25519:0000000000000000".into();
        assert!(KeyPair::from_file(&file).is_err());
    }

    #[test]
    fn trust_store_finds_keys_per_signer() {
        let crm = KeyPair::from_seed([1; 32]);
        let mut trust = TrustStore::default();
        trust.add_connector("crm", &crm.public());
        assert!(trust.connector_key_at("crm", crm.key_id(), 0).is_ok());
        assert!(matches!(
            trust.connector_key_at("cameras", crm.key_id(), 0),
            Err(ProofError::UnknownKey { .. })
        ));
    }

    fn entry(pair: &KeyPair, from: Option<&str>, until: Option<&str>) -> TrustedKey {
        TrustedKey {
            valid_from: from.map(Into::into),
            valid_until: until.map(Into::into),
            ..TrustedKey::from(&pair.public())
        }
    }

    #[test]
    fn a_rotated_key_verifies_only_inside_its_period() {
        let (old, new) = (KeyPair::from_seed([1; 32]), KeyPair::from_seed([2; 32]));
        let mut trust = TrustStore::default();
        let rotated = "2026-06-01T00:00:00Z";
        trust.add_coordinator_entry(entry(&old, None, Some(rotated)));
        trust.add_coordinator_entry(entry(&new, Some(rotated), None));
        let before = 1_780_000_000_000; // 2026-05-28
        let after = 1_790_000_000_000; // 2026-09-21
        assert!(trust.coordinator_key_at(old.key_id(), before).is_ok());
        assert!(trust.coordinator_key_at(new.key_id(), after).is_ok());
        let late = trust.coordinator_key_at(old.key_id(), after);
        assert!(
            matches!(&late, Err(ProofError::KeyNotValid { .. })),
            "{late:?}"
        );
        let msg = late.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("until 2026-06-01T00:00:00Z"), "{msg}");
        assert!(matches!(
            trust.coordinator_key_at(new.key_id(), before),
            Err(ProofError::KeyNotValid { .. })
        ));
    }

    #[test]
    fn a_rotation_record_replaces_the_open_entry_of_the_same_key() {
        let key = KeyPair::from_seed([1; 32]);
        let mut trust = TrustStore::default();
        trust.add_coordinator(&key.public());
        trust.add_coordinator_entry(entry(&key, None, Some("2026-06-01T00:00:00Z")));
        trust.add_coordinator(&key.public());
        assert_eq!(trust.coordinator.len(), 1);
        assert!(trust.coordinator[0].valid_until.is_some());
    }

    #[test]
    fn the_current_encryption_key_is_the_rotated_in_one() {
        let (old, new) = (KeyPair::from_seed([1; 32]), KeyPair::from_seed([2; 32]));
        let mut trust = TrustStore::default();
        let rotated = "2026-06-01T00:00:00Z";
        trust.add_connector("crm", &old.public());
        trust.add_connector_entry("crm", entry(&old, None, Some(rotated)));
        trust.add_connector_entry("crm", entry(&new, Some(rotated), None));
        assert_eq!(
            trust.connector_encryption_key("crm"),
            new.public().encryption_key()
        );
        assert_eq!(trust.connector_encryption_key("ledger"), None);
    }

    #[test]
    fn registering_again_adds_the_encryption_key_to_an_old_entry() {
        let key = KeyPair::from_seed([1; 32]);
        let mut trust = TrustStore::default();
        let old_entry = TrustedKey {
            encryption_key: None,
            ..TrustedKey::from(&key.public())
        };
        trust.add_connector_entry("crm", old_entry);
        assert_eq!(trust.connector_encryption_key("crm"), None);
        trust.add_connector("crm", &key.public());
        assert_eq!(
            trust.connector_encryption_key("crm"),
            key.public().encryption_key()
        );
    }
}
