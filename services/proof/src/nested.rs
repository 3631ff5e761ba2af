//! Nested processor proofs (OpenDSR federation, docs/proof-format.md §4.4): an
//! acknowledgment from a system that stands for another orchestrator carries that
//! orchestrator's signed OpenDSR status and its completion certificate file. The check
//! `processor proof of <system>` verifies them with the processor's own trust file
//! (`TrustStore::processors`), never with this certificate's keys.

use crate::keys::TrustStore;
use crate::verification::Verification;
use crate::{ack, sha256};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use erasure_proto::v1::{Acknowledgment, ProcessorProof, SystemResult};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm};
use serde_json::Value;
use webpki::EndEntityCert;

/// The signature algorithms of an OpenDSR status: SHA-256 digests, RSA or ECDSA.
const SIGNATURES: [&dyn SignatureVerificationAlgorithm; 3] = [
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P384_SHA256,
];

/// One check per system whose (verified) acknowledgment nests a processor proof.
pub(crate) fn verify(v: &mut Verification, keys: &TrustStore, systems: &[SystemResult]) {
    for s in systems {
        let Some(signed) = &s.acknowledgment else {
            continue;
        };
        let Ok(ack) = ack::verify_ack(keys, signed) else {
            continue;
        };
        let Some(proof) = &ack.processor_proof else {
            continue;
        };
        let result = match keys.processors.get(&s.system_id) {
            Some(trust) => check(trust, &ack, proof),
            None => Err(format!(
                "not checked: no trust file for the processor behind {0} (erasure verify --processor-trust {0}=FILE)",
                s.system_id
            )),
        };
        v.record(format!("processor proof of {}", s.system_id), result);
    }
}

/// The proof, checked in the order of §4.4.
fn check(
    trust: &TrustStore,
    ack: &Acknowledgment,
    proof: &ProcessorProof,
) -> Result<String, String> {
    let fingerprint = hex::encode(sha256(&proof.signing_certificate));
    if !trust.opendsr_certificates.contains(&fingerprint) {
        return Err(format!(
            "the status is signed with certificate {}, which the processor's trust file does not list",
            short(&fingerprint)
        ));
    }
    if !signs(
        &proof.signing_certificate,
        &proof.status_body,
        &proof.status_signature,
    ) {
        return Err(
            "the processor's signed status does not verify: it was altered, or signed by another key"
                .into(),
        );
    }
    let status: Value = serde_json::from_slice(&proof.status_body)
        .map_err(|_| "the processor's signed status is not JSON".to_owned())?;
    let text = |key: &str| status.get(key).and_then(Value::as_str).unwrap_or_default();
    if text("request_status") != "completed" {
        return Err(format!(
            "the processor's status is {:?}, not completed",
            text("request_status")
        ));
    }
    if text("subject_request_id") != ack.reference {
        return Err(
            "the processor's status is about another request than the acknowledgment's reference"
                .into(),
        );
    }
    let named = named_certificate(&status)?;
    let file = std::str::from_utf8(&proof.certificate_file)
        .map_err(|_| "the nested certificate file is not UTF-8".to_owned())?;
    let signed = signed_part(file).ok_or("the nested certificate file has no signed part")?;
    if hex::encode(sha256(&signed)) != named.digest {
        return Err(
            "the nested certificate is not the one the processor's signed status names".into(),
        );
    }
    let nested = crate::certificate::verify_file(file, Some(trust));
    if let Some(failed) = nested.failures().next() {
        return Err(format!(
            "nested certificate: {}: {}",
            failed.name, failed.detail
        ));
    }
    let cert = crate::certificate::decode_signed_certificate(&signed)
        .ok_or("the nested certificate does not decode")?;
    if cert.controller != text("controller_id") {
        return Err(
            "the nested certificate is for another controller than the processor's status".into(),
        );
    }
    if !named.request_id.is_empty() && cert.request_id != named.request_id {
        return Err(
            "the nested certificate is for another request than the processor's status names"
                .into(),
        );
    }
    Ok(format!(
        "processor request {} completed for controller {}, status signed by certificate {}, its certificate valid ({} checks)",
        cert.request_id,
        cert.controller,
        short(&fingerprint),
        nested.checks.len()
    ))
}

/// What the status's extension names: the certificate's digest and the request's id.
struct Named {
    digest: String,
    request_id: String,
}

/// The one entry of `extensions` that names a certificate.
fn named_certificate(status: &Value) -> Result<Named, String> {
    let entries: Vec<&Value> = status
        .get("extensions")
        .and_then(Value::as_object)
        .map(|o| {
            o.values()
                .filter(|e| e.get("certificate_sha256").is_some())
                .collect()
        })
        .unwrap_or_default();
    let [entry] = entries.as_slice() else {
        return Err("the processor's status names no certificate (or several)".into());
    };
    let field = |k: &str| {
        entry
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(Named {
        digest: field("certificate_sha256"),
        request_id: field("request_id"),
    })
}

fn signed_part(file: &str) -> Option<Vec<u8>> {
    let file: Value = serde_json::from_str(file).ok()?;
    B64.decode(file.get("signed_certificate")?.as_str()?).ok()
}

/// Whether `signature` over `body` verifies with the certificate's key.
fn signs(certificate: &[u8], body: &[u8], signature: &[u8]) -> bool {
    let der = CertificateDer::from(certificate);
    let Ok(cert) = EndEntityCert::try_from(&der) else {
        return false;
    };
    SIGNATURES
        .iter()
        .any(|alg| cert.verify_signature(*alg, body, signature).is_ok())
}

fn short(fingerprint: &str) -> &str {
    fingerprint.get(..16).unwrap_or(fingerprint)
}

#[cfg(test)]
mod tests;
