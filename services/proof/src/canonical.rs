//! Canonical decoding of signed messages: the bytes a signature covers must be the one
//! encoding of what they decode to (`docs/proof-format.md`, "Canonical encoding").
//!
//! Protobuf lets one message be written many ways: a singular field twice (a decoder keeps
//! the last, another the first), unknown fields, fields out of order, varints padded with
//! continuation bytes, default values written out. A signature over such bytes would let
//! two verifiers read different documents under one signature. So every signed message
//! (and the envelope that carries it) is decoded, encoded again with prost, and refused
//! unless the two byte strings are equal.

use prost::Message;

/// Why bytes were refused: they do not decode, or they are not the canonical encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    #[error("not decodable")]
    Undecodable,
    #[error(
        "not the canonical encoding (a field repeated, unknown or out of order, a default value written, or a padded varint)"
    )]
    NotCanonical,
}

/// Decodes `bytes` as `M`, refusing any encoding but the canonical one.
pub fn decode<M: Message + Default>(bytes: &[u8]) -> Result<M, CanonicalError> {
    let message = M::decode(bytes).map_err(|_| CanonicalError::Undecodable)?;
    if message.encoded_len() != bytes.len() || message.encode_to_vec() != bytes {
        return Err(CanonicalError::NotCanonical);
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use erasure_proto::v1::{Acknowledgment, Certificate};

    fn cert() -> Certificate {
        Certificate {
            request_id: "r1".into(),
            jurisdiction: "FI".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_canonical_encoding_decodes() {
        let bytes = cert().encode_to_vec();
        assert_eq!(decode::<Certificate>(&bytes), Ok(cert()));
    }

    #[test]
    fn a_singular_field_written_twice_is_refused() {
        let mut bytes = cert().encode_to_vec();
        // The jurisdiction again, with another value: prost keeps the last.
        let again = Certificate {
            jurisdiction: "DE".into(),
            ..Default::default()
        };
        bytes.extend(again.encode_to_vec());
        assert_eq!(
            Certificate::decode(bytes.as_slice())
                .expect("decodes")
                .jurisdiction,
            "DE"
        );
        assert_eq!(
            decode::<Certificate>(&bytes),
            Err(CanonicalError::NotCanonical)
        );
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let mut bytes = Acknowledgment {
            request_id: "r1".into(),
            ..Default::default()
        }
        .encode_to_vec();
        // Field 1000, varint 1.
        prost::encoding::encode_key(1000, prost::encoding::WireType::Varint, &mut bytes);
        bytes.push(1);
        assert!(Acknowledgment::decode(bytes.as_slice()).is_ok());
        assert_eq!(
            decode::<Acknowledgment>(&bytes),
            Err(CanonicalError::NotCanonical)
        );
    }

    #[test]
    fn fields_out_of_order_and_padded_varints_are_refused() {
        let a = Acknowledgment {
            request_id: "r1".into(),
            attempt: 2,
            ..Default::default()
        };
        let canonical = a.encode_to_vec();
        let attempt_tag = canonical
            .iter()
            .rposition(|b| *b == 2)
            .expect("attempt value")
            - 1;
        // attempt before request_id.
        let mut swapped = canonical[attempt_tag..].to_vec();
        swapped.extend(&canonical[..attempt_tag]);
        assert_eq!(Acknowledgment::decode(swapped.as_slice()), Ok(a.clone()));
        assert_eq!(
            decode::<Acknowledgment>(&swapped),
            Err(CanonicalError::NotCanonical)
        );
        // attempt = 2 written as 0x82 0x00.
        let mut padded = canonical[..attempt_tag + 1].to_vec();
        padded.extend([0x82, 0x00]);
        padded.extend(&canonical[attempt_tag + 2..]);
        assert_eq!(Acknowledgment::decode(padded.as_slice()), Ok(a));
        assert_eq!(
            decode::<Acknowledgment>(&padded),
            Err(CanonicalError::NotCanonical)
        );
    }

    #[test]
    fn garbage_is_undecodable() {
        assert_eq!(
            decode::<Acknowledgment>(&[0xff, 0xff, 0xff]),
            Err(CanonicalError::Undecodable)
        );
    }
}
