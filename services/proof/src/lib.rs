//! Proof: Ed25519 signatures over exact bytes, with a context prefix per purpose.
//!
//! - [`keys`]: key pairs, public keys, key ids, the trust file.
//! - [`ack`]: signing and verifying connector acknowledgments.
//! - [`certificate`]: building, signing, rendering and verifying completion certificates.
//!
//! Everything here is pure: callers read and write files.

pub mod ack;
pub mod certificate;
pub mod keys;

pub use keys::{KeyPair, PublicKey, TrustStore};

use sha2::{Digest, Sha256};

/// Signature context of acknowledgments: the signed message is `ACK_CONTEXT || ack bytes`.
pub const ACK_CONTEXT: &[u8] = b"erasure.v1.acknowledgment\0";
/// Signature context of certificates: the signed message is `CERTIFICATE_CONTEXT || bytes`.
pub const CERTIFICATE_CONTEXT: &[u8] = b"erasure.v1.certificate\0";
/// Domain separator of the identifier commitment.
pub const COMMITMENT_CONTEXT: &[u8] = b"erasure.v1.identifier-commitment\0";

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
    #[error("{0}")]
    Mismatch(String),
}
