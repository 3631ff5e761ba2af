//! Signed acknowledgments as the coordinator ingests them from the broker.
//!
//! First byte even: the rest is the message payload as it arrives (a `SignedAcknowledgment`),
//! decoded, peeked (to route it) and verified against the test trust, as ingest does.
//! First byte odd: the rest is the `Acknowledgment` bytes, signed here with a trusted
//! connector key, so the checks after the signature run on arbitrary content: the verified
//! acknowledgment must be what the bytes decode to.
#![no_main]

use erasure_fuzz::{connector_key, old_connector_key, trust};
use erasure_proof::ack::{peek_ack, verify_ack};
use erasure_proof::{ACK_CONTEXT, KeyPair};
use erasure_proto::v1::{Acknowledgment, SignedAcknowledgment};
use libfuzzer_sys::fuzz_target;
use prost::Message;
use std::sync::LazyLock;

static TRUST: LazyLock<erasure_proof::TrustStore> = LazyLock::new(trust);
static KEYS: LazyLock<[KeyPair; 2]> = LazyLock::new(|| [connector_key(), old_connector_key()]);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(signed) = SignedAcknowledgment::decode(rest)
            && peek_ack(&signed).is_ok()
        {
            let _ = verify_ack(&TRUST, &signed);
        }
        return;
    }
    let key = &KEYS[usize::from(mode / 2) % 2];
    let signed = SignedAcknowledgment {
        signature: key.sign(ACK_CONTEXT, rest),
        ack: rest.to_vec(),
        key_id: key.key_id().to_owned(),
    };
    if let Ok(ack) = verify_ack(&TRUST, &signed) {
        assert_eq!(Some(ack), Acknowledgment::decode(rest).ok());
    }
});
