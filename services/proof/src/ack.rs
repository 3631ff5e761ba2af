//! Connector acknowledgments: signed over the exact bytes sent.

use crate::keys::{KeyPair, TrustStore};
use crate::{ACK_CONTEXT, ProofError};
use erasure_proto::v1::{Acknowledgment, SignedAcknowledgment};
use prost::Message;

/// Encodes and signs an acknowledgment with the connector's key.
pub fn sign_ack(key: &KeyPair, ack: &Acknowledgment) -> SignedAcknowledgment {
    let bytes = ack.encode_to_vec();
    SignedAcknowledgment {
        signature: key.sign(ACK_CONTEXT, &bytes),
        ack: bytes,
        key_id: key.key_id().to_owned(),
    }
}

/// Reads the acknowledgment inside without checking anything (to route it).
pub fn peek_ack(signed: &SignedAcknowledgment) -> Result<Acknowledgment, ProofError> {
    crate::canonical::decode(&signed.ack)
        .map_err(|e| ProofError::Malformed(format!("acknowledgment: {e}")))
}

/// Verifies the signature with the key registered for the system the acknowledgment
/// names, valid when the connector says it answered, and returns the acknowledgment.
pub fn verify_ack(
    trust: &TrustStore,
    signed: &SignedAcknowledgment,
) -> Result<Acknowledgment, ProofError> {
    let ack = peek_ack(signed)?;
    let key = trust.connector_key_at(&ack.system_id, &signed.key_id, ack.completed_at_ms)?;
    if !key.verify(ACK_CONTEXT, &signed.ack, &signed.signature) {
        return Err(ProofError::BadSignature {
            signer: format!("connector {}", ack.system_id),
            key_id: signed.key_id.clone(),
        });
    }
    Ok(ack)
}

#[cfg(test)]
mod tests {
    use super::*;
    use erasure_proto::v1::Outcome;

    fn setup() -> (KeyPair, TrustStore, Acknowledgment) {
        let key = KeyPair::from_seed([3; 32]);
        let mut trust = TrustStore::default();
        trust.add_connector("crm", &key.public());
        let ack = Acknowledgment {
            request_id: "r1".into(),
            task_id: "r1/crm".into(),
            system_id: "crm".into(),
            attempt: 1,
            outcome: Outcome::Erased as i32,
            items_affected: 3,
            ..Default::default()
        };
        (key, trust, ack)
    }

    #[test]
    fn a_signed_ack_verifies() {
        let (key, trust, ack) = setup();
        let signed = sign_ack(&key, &ack);
        assert_eq!(verify_ack(&trust, &signed), Ok(ack));
    }

    #[test]
    fn a_changed_byte_is_rejected() {
        let (key, trust, ack) = setup();
        let mut signed = sign_ack(&key, &ack);
        let last = signed.ack.len() - 1;
        signed.ack[last] ^= 1;
        assert!(matches!(
            verify_ack(&trust, &signed),
            Err(ProofError::BadSignature { .. }) | Err(ProofError::Malformed(_))
        ));
    }

    #[test]
    fn an_unknown_key_is_rejected() {
        let (_, trust, ack) = setup();
        let rogue = KeyPair::from_seed([4; 32]);
        let signed = sign_ack(&rogue, &ack);
        assert!(matches!(
            verify_ack(&trust, &signed),
            Err(ProofError::UnknownKey { .. })
        ));
    }

    #[test]
    fn a_key_of_another_system_cannot_sign_for_this_one() {
        let (key, mut trust, mut ack) = setup();
        let cameras = KeyPair::from_seed([5; 32]);
        trust.add_connector("cameras", &cameras.public());
        ack.system_id = "crm".into();
        let signed = sign_ack(&cameras, &ack);
        assert!(matches!(
            verify_ack(&trust, &signed),
            Err(ProofError::UnknownKey { .. })
        ));
        let _ = key;
    }

    #[test]
    fn a_signature_made_for_another_purpose_is_rejected() {
        let (key, trust, ack) = setup();
        let bytes = ack.encode_to_vec();
        let signed = SignedAcknowledgment {
            signature: key.sign(crate::CERTIFICATE_CONTEXT, &bytes),
            ack: bytes,
            key_id: key.key_id().into(),
        };
        assert!(matches!(
            verify_ack(&trust, &signed),
            Err(ProofError::BadSignature { .. })
        ));
    }
}
