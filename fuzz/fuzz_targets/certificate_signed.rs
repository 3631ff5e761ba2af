//! Certificates and supplements with arbitrary content, signed with the test coordinator key
//! and written as a file, then verified as `erasure verify` does: every check after the
//! signature (systems, acknowledgments, retention, backups, recipients, the readable part,
//! the log proof) runs on what the fuzzer made. First byte even: the rest is a
//! `Certificate`'s bytes; odd: a `CertificateSupplement`'s.
#![no_main]

use erasure_fuzz::{certificate_file, supplement_file, trust};
use erasure_proof::verify_any;
use erasure_proto::v1::{Certificate, CertificateSupplement};
use libfuzzer_sys::fuzz_target;
use prost::Message;
use std::sync::LazyLock;

static TRUST: LazyLock<erasure_proof::TrustStore> = LazyLock::new(trust);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode % 2 == 0 {
        Certificate::decode(rest)
            .ok()
            .and_then(|c| certificate_file(&c))
    } else {
        CertificateSupplement::decode(rest)
            .ok()
            .and_then(|s| supplement_file(&s))
    };
    if let Some(json) = file {
        let _ = verify_any(&json, Some(&TRUST), None);
    }
});
