//! Proof: Ed25519 signatures over exact bytes, with a context prefix per purpose.
//!
//! - [`keys`]: key pairs, public keys, key ids, the trust file.
//! - [`canonical`]: decoding signed messages, refusing any but their canonical encoding.
//! - [`ack`]: signing and verifying connector acknowledgments.
//! - [`resolution`]: the same for connector answers to identity resolution.
//! - [`sealed`]: HPKE sealing of identifiers to a recipient's X25519 key.
//! - [`certificate`]: building, signing, rendering and verifying completion certificates.
//! - [`supplement`]: the same for certificate supplements (held data erased after its hold).
//! - [`view`]: the readable parts both share (systems, retention exceptions, backups,
//!   recipients).
//! - `verification`: [`Verification`] and the checks both share; `attestation`: the check
//!   of a manual task an operator closed; `retention`: the check that retention exceptions
//!   and acknowledgments agree; `backups`: the same for copies in backups; `recipients`:
//!   that each recipient's notice says what its system's result says; `nested`: a
//!   processor's signed status and certificate nested in an acknowledgment (federation).
//!
//! [`verify_any`] verifies either kind of file, by its `format`.
//! Everything here is pure: callers read and write files.

pub mod ack;
mod attestation;
mod backups;
pub mod canonical;
pub mod certificate;
pub mod consistency;
pub mod keys;
pub mod merkle;
mod nested;
mod recipients;
pub mod resolution;
mod retention;
pub mod sealed;
pub mod supplement;
pub mod transparency;
mod verification;
pub mod view;

pub use keys::{KeyPair, PublicKey, TrustStore};
pub use verification::{Check, Verification};

use sha2::{Digest, Sha256};

/// Signature context of acknowledgments: the signed message is `ACK_CONTEXT || ack bytes`.
pub const ACK_CONTEXT: &[u8] = b"erasure.v1.acknowledgment\0";
/// Signature context of identity resolutions: `RESOLUTION_CONTEXT || resolution bytes`.
pub const RESOLUTION_CONTEXT: &[u8] = b"erasure.v1.resolution\0";
/// Signature context of certificates: the signed message is `CERTIFICATE_CONTEXT || bytes`.
pub const CERTIFICATE_CONTEXT: &[u8] = b"erasure.v1.certificate\0";
/// Signature context of certificate supplements: `SUPPLEMENT_CONTEXT || supplement bytes`.
pub const SUPPLEMENT_CONTEXT: &[u8] = b"erasure.v1.certificate-supplement\0";
/// Domain separator of the identifier commitment.
pub const COMMITMENT_CONTEXT: &[u8] = b"erasure.v1.identifier-commitment\0";
/// Signature context of transparency log tree heads: `TREE_HEAD_CONTEXT || tree head bytes`.
pub const TREE_HEAD_CONTEXT: &[u8] = b"erasure.v1.tree-head\0";

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256(COMMITMENT_CONTEXT || salt || canonical identifiers).
pub fn identifier_commitment(salt: &[u8], canonical_identifiers: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(COMMITMENT_CONTEXT);
    h.update(salt);
    h.update(canonical_identifiers);
    h.finalize().into()
}

/// Why something did not verify. Each names the part that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("malformed {0}")]
    Malformed(String),
    #[error("unknown key {key_id} for {signer}")]
    UnknownKey { signer: String, key_id: String },
    #[error("bad signature by {signer} (key {key_id})")]
    BadSignature { signer: String, key_id: String },
    #[error("key {key_id} of {signer} was not valid at {at} ({period})")]
    KeyNotValid {
        signer: String,
        key_id: String,
        at: String,
        period: String,
    },
    #[error("{0}")]
    Mismatch(String),
}

/// Verifies a certificate file or a supplement file, whichever its `format` says.
/// `certificate_json` is the certificate a supplement supplements (see
/// [`supplement::verify_supplement_file`]); given with a certificate, it fails
/// "supplements certificate" rather than being silently ignored.
pub fn verify_any(
    json: &str,
    trust: Option<&TrustStore>,
    certificate_json: Option<&str>,
) -> Verification {
    match file_format(json) {
        Ok(f) if f == certificate::FILE_FORMAT => {
            let mut v = certificate::verify_file(json, trust);
            if certificate_json.is_some() {
                v.record(
                    "supplements certificate",
                    Err("this is a certificate, not a supplement".into()),
                );
            }
            v
        }
        Ok(f) if f == supplement::SUPPLEMENT_FILE_FORMAT => {
            supplement::verify_supplement_file(json, trust, certificate_json)
        }
        Ok(other) => unverifiable(format!(
            "format {other:?} is neither {:?} nor {:?}",
            certificate::FILE_FORMAT,
            supplement::SUPPLEMENT_FILE_FORMAT
        )),
        Err(why) => unverifiable(why),
    }
}

fn file_format(json: &str) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    match value.get("format") {
        Some(serde_json::Value::String(f)) => Ok(f.clone()),
        _ => Err("no format field".into()),
    }
}

fn unverifiable(why: String) -> Verification {
    let mut v = Verification::default();
    v.record("file format", Err(why));
    v
}

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
