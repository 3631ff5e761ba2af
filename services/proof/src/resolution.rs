//! Connector answers to identity resolution: signed like acknowledgments over the exact
//! bytes sent, under their own context, so an acknowledgment can never pass for a
//! resolution nor the other way round.

use crate::keys::{KeyPair, TrustStore};
use crate::{ProofError, RESOLUTION_CONTEXT};
use erasure_proto::v1::{Resolution, SignedResolution};
use prost::Message;

/// Encodes and signs a resolution with the connector's key.
pub fn sign_resolution(key: &KeyPair, resolution: &Resolution) -> SignedResolution {
    let bytes = resolution.encode_to_vec();
    SignedResolution {
        signature: key.sign(RESOLUTION_CONTEXT, &bytes),
        resolution: bytes,
        key_id: key.key_id().to_owned(),
    }
}

/// Reads the resolution inside without checking anything (to route it).
pub fn peek_resolution(signed: &SignedResolution) -> Result<Resolution, ProofError> {
    crate::canonical::decode(&signed.resolution)
        .map_err(|e| ProofError::Malformed(format!("resolution: {e}")))
}

/// Verifies the signature with the key registered for the system the resolution names,
/// valid when the connector says it answered, and returns the resolution.
pub fn verify_resolution(
    trust: &TrustStore,
    signed: &SignedResolution,
) -> Result<Resolution, ProofError> {
    let resolution = peek_resolution(signed)?;
    let key = trust.connector_key_at(
        &resolution.system_id,
        &signed.key_id,
        resolution.completed_at_ms,
    )?;
    if !key.verify(RESOLUTION_CONTEXT, &signed.resolution, &signed.signature) {
        return Err(ProofError::BadSignature {
            signer: format!("connector {}", resolution.system_id),
            key_id: signed.key_id.clone(),
        });
    }
    Ok(resolution)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ACK_CONTEXT;

    fn setup() -> (KeyPair, TrustStore, Resolution) {
        let key = KeyPair::from_seed([3; 32]);
        let mut trust = TrustStore::default();
        trust.add_connector("crm", &key.public());
        let resolution = Resolution {
            request_id: "r1".into(),
            task_id: "r1/crm".into(),
            system_id: "crm".into(),
            attempt: 1,
            ..Default::default()
        };
        (key, trust, resolution)
    }

    #[test]
    fn a_signed_resolution_verifies_and_a_changed_byte_does_not() {
        let (key, trust, resolution) = setup();
        let mut signed = sign_resolution(&key, &resolution);
        assert_eq!(verify_resolution(&trust, &signed), Ok(resolution));
        let last = signed.resolution.len() - 1;
        signed.resolution[last] ^= 1;
        assert!(verify_resolution(&trust, &signed).is_err());
    }

    #[test]
    fn an_acknowledgment_signature_is_no_resolution_signature() {
        let (key, trust, resolution) = setup();
        let bytes = resolution.encode_to_vec();
        let signed = SignedResolution {
            signature: key.sign(ACK_CONTEXT, &bytes),
            resolution: bytes,
            key_id: key.key_id().into(),
        };
        assert!(matches!(
            verify_resolution(&trust, &signed),
            Err(ProofError::BadSignature { .. })
        ));
    }

    #[test]
    fn a_key_of_another_system_cannot_resolve_for_this_one() {
        let (_, mut trust, resolution) = setup();
        let cameras = KeyPair::from_seed([5; 32]);
        trust.add_connector("cameras", &cameras.public());
        let signed = sign_resolution(&cameras, &resolution);
        assert!(matches!(
            verify_resolution(&trust, &signed),
            Err(ProofError::UnknownKey { .. })
        ));
    }
}
