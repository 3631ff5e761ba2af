//! Signed resolutions (what a connector found under a person's identifiers) as the
//! coordinator reads them. Like the `ack` target: first byte even, the rest is the
//! `SignedResolution` payload; odd, the rest is the `Resolution` bytes signed here with a
//! trusted connector key.
#![no_main]

use erasure_fuzz::{connector_key, trust};
use erasure_proof::resolution::{peek_resolution, verify_resolution};
use erasure_proof::{KeyPair, RESOLUTION_CONTEXT};
use erasure_proto::v1::{Resolution, SignedResolution};
use libfuzzer_sys::fuzz_target;
use prost::Message;
use std::sync::LazyLock;

static TRUST: LazyLock<erasure_proof::TrustStore> = LazyLock::new(trust);
static KEY: LazyLock<KeyPair> = LazyLock::new(connector_key);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(signed) = SignedResolution::decode(rest)
            && peek_resolution(&signed).is_ok()
        {
            let _ = verify_resolution(&TRUST, &signed);
        }
        return;
    }
    let signed = SignedResolution {
        signature: KEY.sign(RESOLUTION_CONTEXT, rest),
        resolution: rest.to_vec(),
        key_id: KEY.key_id().to_owned(),
    };
    if let Ok(resolution) = verify_resolution(&TRUST, &signed) {
        assert_eq!(Some(resolution), Resolution::decode(rest).ok());
    }
});
