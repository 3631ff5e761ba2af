//! Sealing personal data to one recipient's X25519 key with HPKE (RFC 9180, base mode,
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305).
//!
//! The identifiers of a work order are sealed to the connector's key, and the identifiers
//! a connector found are sealed back to the coordinator's key, so the broker's topics hold
//! ciphertext only. The HPKE `info` binds a sealed blob to its purpose (a context string),
//! the request id, the system id and the attempt: a blob copied into another order (or
//! from an order into a resolution) does not open.
//!
//! Each [`crate::KeyPair`] has an encryption key derived from its signing seed (see
//! [`crate::keys`]), so a key file holds both and a rotation replaces both.

use crate::ProofError;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};

/// Sealing context of a work order's identifiers (sealed to the connector).
pub const WORK_ORDER_CONTEXT: &[u8] = b"erasure.v1.work-order-identifiers\0";
/// Sealing context of the identifiers a resolution found (sealed to the coordinator).
pub const RESOLUTION_CONTEXT: &[u8] = b"erasure.v1.resolution-found\0";

/// The private half of an encryption key. Never printed.
pub(crate) type PrivateKey = <X25519HkdfSha256 as Kem>::PrivateKey;

/// What a sealed blob is bound to.
#[derive(Clone, Copy, Debug)]
pub struct Binding<'a> {
    /// [`WORK_ORDER_CONTEXT`] or [`RESOLUTION_CONTEXT`].
    pub context: &'a [u8],
    pub request_id: &'a str,
    pub system_id: &'a str,
    pub attempt: u32,
}

impl Binding<'_> {
    /// `context || request_id || 0 || system_id || 0 || attempt (big-endian u32)`.
    fn info(&self) -> Vec<u8> {
        [
            self.context,
            self.request_id.as_bytes(),
            b"\0",
            self.system_id.as_bytes(),
            b"\0",
            &self.attempt.to_be_bytes(),
        ]
        .concat()
    }
}

/// A sealed blob: the HPKE encapsulated key and the ciphertext.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sealed {
    pub encapsulated_key: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// Derives the encryption key pair of a signing seed (RFC 9180 DeriveKeyPair over a
/// domain-separated hash of the seed): `(private, public bytes)`.
pub(crate) fn derive(seed: &[u8; 32]) -> (PrivateKey, [u8; 32]) {
    let ikm = crate::sha256(&[b"erasure.v1.encryption-key\0".as_slice(), seed].concat());
    let (private, public) = X25519HkdfSha256::derive_keypair(&ikm);
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&public.to_bytes());
    (private, bytes)
}

/// Seals `plaintext` to the recipient's X25519 public key, bound to `binding`.
pub fn seal(
    recipient: &[u8; 32],
    binding: &Binding,
    plaintext: &[u8],
) -> Result<Sealed, ProofError> {
    let public = <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(recipient)
        .map_err(|_| ProofError::Malformed("encryption key: not an X25519 key".into()))?;
    let (encapsulated, ciphertext) =
        hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256, _>(
            &OpModeS::Base,
            &public,
            &binding.info(),
            plaintext,
            b"",
            &mut rand_core::OsRng,
        )
        .map_err(|e| ProofError::Malformed(format!("sealing: {e}")))?;
    Ok(Sealed {
        encapsulated_key: encapsulated.to_bytes().to_vec(),
        ciphertext,
    })
}

/// Opens a blob sealed to `private` under `binding`. Fails, saying nothing of the
/// content, if it was sealed to another key or bound to anything else.
pub(crate) fn open(
    private: &PrivateKey,
    binding: &Binding,
    sealed: &Sealed,
) -> Result<Vec<u8>, ProofError> {
    let refused = || {
        ProofError::Mismatch(
            "sealed identifiers do not open with this key for this request, system and attempt"
                .into(),
        )
    };
    let encapsulated = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(&sealed.encapsulated_key)
        .map_err(|_| refused())?;
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        private,
        &encapsulated,
        &binding.info(),
        &sealed.ciphertext,
        b"",
    )
    .map_err(|_| refused())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeyPair;

    fn binding(request_id: &str) -> Binding<'_> {
        Binding {
            context: WORK_ORDER_CONTEXT,
            request_id,
            system_id: "crm",
            attempt: 1,
        }
    }

    #[test]
    fn only_the_recipient_opens_and_only_for_the_same_order() {
        let (crm, ledger) = (KeyPair::from_seed([1; 32]), KeyPair::from_seed([2; 32]));
        let to = crm.public().encryption_key().expect("encryption key");
        let sealed = seal(&to, &binding("r-1"), b"alice@example.org").expect("seal");
        assert!(!sealed.ciphertext.windows(5).any(|w| w == b"alice"));
        assert_eq!(
            crm.open(&binding("r-1"), &sealed).expect("open"),
            b"alice@example.org"
        );
        let other_key = ledger
            .open(&binding("r-1"), &sealed)
            .expect_err("other key");
        assert!(!other_key.to_string().contains("alice"), "{other_key}");
        assert!(crm.open(&binding("r-2"), &sealed).is_err(), "moved to r-2");
        let other_attempt = Binding {
            attempt: 2,
            ..binding("r-1")
        };
        assert!(crm.open(&other_attempt, &sealed).is_err(), "other attempt");
        let other_context = Binding {
            context: RESOLUTION_CONTEXT,
            ..binding("r-1")
        };
        assert!(crm.open(&other_context, &sealed).is_err(), "other context");
    }

    #[test]
    fn the_encryption_key_follows_the_seed() {
        let a = KeyPair::from_seed([1; 32]).public().encryption_key();
        assert_eq!(a, KeyPair::from_seed([1; 32]).public().encryption_key());
        assert_ne!(a, KeyPair::from_seed([2; 32]).public().encryption_key());
    }
}
