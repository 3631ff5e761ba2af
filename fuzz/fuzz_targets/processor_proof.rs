//! Nested processor proofs (OpenDSR federation, docs/proof-format.md §4.4): the fuzzer
//! writes the processor's status body and the certificate file it nests (input: the two,
//! split at the first NUL byte). The status is signed with a test OpenDSR certificate the
//! processor's trust lists, put in an acknowledgment the test connector key signs, in a
//! certificate the test coordinator key signs; so every check after the signatures (the
//! status's JSON, the certificate it names, the nested certificate's own verification) runs
//! on what the fuzzer made.
#![no_main]

use erasure_fuzz::{acknowledgment, certificate, certificate_file, connector_key, parts, trust};
use erasure_fuzz::{SYSTEM, opendsr_signer};
use erasure_proof::{TrustStore, ack, verify_any};
use erasure_proto::v1::ProcessorProof;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// The test trust, with the processor behind [`SYSTEM`] trusted by its own trust file: the
/// same test keys, and the test OpenDSR certificate.
static TRUST: LazyLock<TrustStore> = LazyLock::new(|| {
    let mut processor = trust();
    processor
        .opendsr_certificates
        .push(opendsr_signer().fingerprint());
    let mut trust = trust();
    trust.processors.insert(SYSTEM.into(), processor);
    trust
});

fuzz_target!(|data: &[u8]| {
    let parts = parts(data, 2);
    let status_body = parts[0].clone().into_bytes();
    let nested_file = parts.get(1).cloned().unwrap_or_default().into_bytes();
    let signer = opendsr_signer();
    let mut ack = acknowledgment();
    ack.reference = "a7551968-d5d6-44b2-9831-815ac9017798".into();
    ack.processor_proof = Some(ProcessorProof {
        status_signature: signer.sign(&status_body),
        status_body,
        signing_certificate: signer.certificate.clone(),
        certificate_file: nested_file,
    });
    let mut cert = certificate();
    cert.systems[0].acknowledgment = Some(ack::sign_ack(&connector_key(), &ack));
    if let Some(file) = certificate_file(&cert) {
        let _ = verify_any(&file, Some(&TRUST), None);
    }
});
