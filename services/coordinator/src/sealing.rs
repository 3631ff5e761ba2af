//! Sealing a request's identifiers under its own data key, and opening them again for the
//! work orders that need them. The data key is wrapped by the [`Vault`] and kept in the key
//! store, apart from the events.

use crate::error::CoordinatorError;
use crate::vault::{Vault, random_bytes};
use erasure_core::{Identifiers, RequestState};
use erasure_proto::v1 as pb;
use erasure_store::KeyStore;
use prost::Message as _;
use std::sync::Arc;

/// A request's identifiers as the events keep them.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// The identifiers and the commitment's salt, under the request's data key.
    pub identifiers: Vec<u8>,
    /// The salted commitment a certificate carries (`docs/proof-format.md`).
    pub commitment: Vec<u8>,
}

/// The vault and the key store the data keys live in.
#[derive(Clone)]
pub struct Sealer {
    vault: Arc<Vault>,
    keys: Arc<dyn KeyStore>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer")
    }
}

impl Sealer {
    pub fn new(vault: Arc<Vault>, keys: Arc<dyn KeyStore>) -> Self {
        Self { vault, keys }
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Seals `identifiers` under a new data key of `request_id` (or the one a concurrent
    /// submit of the same request stored first).
    pub async fn seal(
        &self,
        request_id: &str,
        identifiers: &Identifiers,
    ) -> Result<Sealed, CoordinatorError> {
        let wrapped = self.vault.new_wrapped_key(request_id)?;
        let stored = self.keys.put_key_if_absent(request_id, &wrapped).await?;
        let dek = self.vault.unwrap_key(&stored, request_id)?;
        let salt: [u8; 32] = random_bytes()?;
        let payload = pb::SealedPayload {
            identifiers: Some(identifiers.into()),
            commitment_salt: salt.to_vec(),
        };
        Ok(Sealed {
            identifiers: dek.seal(&payload.encode_to_vec(), request_id)?,
            commitment: erasure_proof::identifier_commitment(&salt, &identifiers.canonical_bytes())
                .to_vec(),
        })
    }

    /// Opens a request's submitted identifiers. Fails once the data key was destroyed.
    pub async fn open(&self, state: &RequestState) -> Result<pb::Identifiers, CoordinatorError> {
        self.open_sealed(state, &state.received.sealed_identifiers)
            .await
    }

    /// Opens every identifier the request is known by now: the submitted ones and those
    /// identity resolution found (for its work orders).
    pub async fn open_current(
        &self,
        state: &RequestState,
    ) -> Result<pb::Identifiers, CoordinatorError> {
        match &state.resolved_identifiers {
            Some(sealed) => self.open_sealed(state, sealed).await,
            None => self.open(state).await,
        }
    }

    /// Seals the full set of a request's identifiers under its data key (after resolution;
    /// without a commitment salt: the commitment binds the submitted ones).
    pub async fn seal_all(
        &self,
        request_id: &str,
        identifiers: &Identifiers,
    ) -> Result<Vec<u8>, CoordinatorError> {
        let dek = self
            .vault
            .unwrap_key(&self.wrapped_key(request_id).await?, request_id)?;
        let payload = pb::SealedPayload {
            identifiers: Some(identifiers.into()),
            commitment_salt: Vec::new(),
        };
        dek.seal(&payload.encode_to_vec(), request_id)
    }

    async fn open_sealed(
        &self,
        state: &RequestState,
        sealed: &[u8],
    ) -> Result<pb::Identifiers, CoordinatorError> {
        let request_id = state.received.request_id.as_str();
        let dek = self
            .vault
            .unwrap_key(&self.wrapped_key(request_id).await?, request_id)?;
        let plain = dek.open(sealed, request_id)?;
        let payload = pb::SealedPayload::decode(plain.as_slice())
            .map_err(|_| CoordinatorError::Internal("sealed payload undecodable".into()))?;
        payload
            .identifiers
            .ok_or_else(|| CoordinatorError::Internal("sealed payload has no identifiers".into()))
    }

    /// Destroys the request's data key for good (crypto-shredding): every sealed copy of
    /// its identifiers becomes unreadable. Harmless when it is already gone.
    pub async fn destroy(&self, request_id: &str) -> Result<(), CoordinatorError> {
        self.keys.destroy_key(request_id).await?;
        Ok(())
    }

    async fn wrapped_key(&self, request_id: &str) -> Result<Vec<u8>, CoordinatorError> {
        self.keys.get_key(request_id).await?.ok_or_else(|| {
            CoordinatorError::FailedPrecondition(format!(
                "the identifiers of request {request_id} were shredded (its data key was \
                 destroyed): they cannot be read or sent any more"
            ))
        })
    }
}
