//! Completion certificates: a protobuf `Certificate` signed by the coordinator, shipped in a
//! JSON file that a person can read and a program can verify offline.
//!
//! The file (`erasure-certificate-file/v1`):
//! - `signed_certificate`: base64 of the encoded `SignedCertificate` — the only signed part;
//! - `certificate`: a readable rendering of it, checked to match the signed part;
//! - `keys`: the public keys that signed it, as the issuer declares them. A verifier that
//!   is given its own trust file (`--trust`) uses that instead.

use crate::keys::{KeyPair, TrustStore};
use crate::{CERTIFICATE_CONTEXT, ProofError, ack};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use erasure_proto::v1::{Certificate, Outcome, SignedCertificate};
use prost::Message;
use serde::{Deserialize, Serialize};

pub const CERTIFICATE_FORMAT: &str = "erasure-certificate/v1";
pub const FILE_FORMAT: &str = "erasure-certificate-file/v1";

/// Signs an encoded certificate with the coordinator's key.
pub fn sign_certificate(key: &KeyPair, certificate: &Certificate) -> SignedCertificate {
    let bytes = certificate.encode_to_vec();
    SignedCertificate {
        signature: key.sign(CERTIFICATE_CONTEXT, &bytes),
        certificate: bytes,
        key_id: key.key_id().to_owned(),
    }
}

/// The certificate file as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFile {
    pub format: String,
    pub certificate: CertificateView,
    pub signed_certificate: String,
    pub keys: TrustStore,
}

/// What a person reads. Derived from the signed bytes; never trusted on its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateView {
    pub request_id: String,
    pub jurisdiction: String,
    pub received_at: String,
    pub deadline: String,
    pub completed_at: String,
    pub issued_at: String,
    /// Hex SHA-256 commitment to the person's identifiers (see the format docs).
    pub identifier_commitment: String,
    pub coordinator_key_id: String,
    pub systems: Vec<SystemView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemView {
    pub system_id: String,
    pub outcome: String,
    pub items_affected: u64,
    pub evidence_summary: String,
    pub evidence_digest: String,
    pub acknowledged_at: String,
    pub connector_key_id: String,
}

fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| format!("invalid time {ms}"))
}

/// Outcome names as the API and certificates spell them.
pub fn outcome_name(outcome: i32) -> &'static str {
    match Outcome::try_from(outcome).unwrap_or(Outcome::Unspecified) {
        Outcome::Unspecified => "unspecified",
        Outcome::Erased => "erased",
        Outcome::Anonymised => "anonymised",
        Outcome::NothingFound => "nothing-found",
        Outcome::Retained => "retained",
        Outcome::FailedRetryable => "failed-retryable",
        Outcome::FailedPermanent => "failed-permanent",
    }
}

/// Renders the readable view of a certificate (acknowledgments decoded, unverified).
pub fn view(cert: &Certificate) -> Result<CertificateView, ProofError> {
    let mut systems = Vec::with_capacity(cert.systems.len());
    for s in &cert.systems {
        let signed = s.acknowledgment.as_ref().ok_or_else(|| {
            ProofError::Malformed(format!("system {}: no acknowledgment", s.system_id))
        })?;
        let a = ack::peek_ack(signed)?;
        systems.push(SystemView {
            system_id: s.system_id.clone(),
            outcome: outcome_name(s.outcome).to_owned(),
            items_affected: a.items_affected,
            evidence_summary: a.evidence_summary,
            evidence_digest: hex::encode(&a.evidence_digest),
            acknowledged_at: rfc3339(a.completed_at_ms),
            connector_key_id: signed.key_id.clone(),
        });
    }
    Ok(CertificateView {
        request_id: cert.request_id.clone(),
        jurisdiction: cert.jurisdiction.clone(),
        received_at: rfc3339(cert.received_at_ms),
        deadline: cert.deadline.clone(),
        completed_at: rfc3339(cert.completed_at_ms),
        issued_at: rfc3339(cert.issued_at_ms),
        identifier_commitment: hex::encode(&cert.identifier_commitment),
        coordinator_key_id: cert.coordinator_key_id.clone(),
        systems,
    })
}

/// Builds the certificate file from the signed certificate and the public keys involved.
pub fn to_file(
    signed: &SignedCertificate,
    keys: TrustStore,
) -> Result<CertificateFile, ProofError> {
    let cert = Certificate::decode(signed.certificate.as_slice())
        .map_err(|_| ProofError::Malformed("certificate".into()))?;
    Ok(CertificateFile {
        format: FILE_FORMAT.into(),
        certificate: view(&cert)?,
        signed_certificate: B64.encode(signed.encode_to_vec()),
        keys,
    })
}

/// One check of a verification, named so a reader knows what passed or failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// Every check made, in order. The certificate is valid when every check passed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    pub checks: Vec<Check>,
    /// Set when keys came from the file itself rather than from a trust file.
    pub self_declared_keys: bool,
}

impl Verification {
    pub fn is_valid(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }

    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }

    fn record(&mut self, name: impl Into<String>, result: Result<String, String>) -> bool {
        let ok = result.is_ok();
        let detail = result.unwrap_or_else(|e| e);
        self.checks.push(Check {
            name: name.into(),
            ok,
            detail,
        });
        ok
    }
}

/// Verifies a certificate file offline. With `trust`, keys must be in it; without, the
/// keys the file declares are used (the result says so).
pub fn verify_file(json: &str, trust: Option<&TrustStore>) -> Verification {
    let mut v = Verification::default();
    let file: CertificateFile = match serde_json::from_str(json) {
        Ok(f) => f,
        Err(e) => {
            v.record(
                "certificate file",
                Err(format!("not a certificate file: {e}")),
            );
            return v;
        }
    };
    if !v.record("file format", check_eq("format", &file.format, FILE_FORMAT)) {
        return v;
    }
    v.self_declared_keys = trust.is_none();
    let keys = trust.unwrap_or(&file.keys);
    let Some((signed, cert)) = decode_signed(&mut v, &file.signed_certificate) else {
        return v;
    };
    verify_coordinator(&mut v, keys, &signed, &cert);
    verify_systems(&mut v, keys, &cert);
    let readable = view(&cert).map_err(|e| e.to_string()).and_then(|derived| {
        if derived == file.certificate {
            Ok("matches the signed certificate".to_owned())
        } else {
            Err(format!(
                "differs from the signed certificate in: {}",
                diff_fields(&derived, &file.certificate)
            ))
        }
    });
    v.record("readable certificate", readable);
    v
}

fn check_eq(what: &str, got: &str, want: &str) -> Result<String, String> {
    if got == want {
        Ok(format!("{what} {got}"))
    } else {
        Err(format!("{what} is {got:?}, expected {want:?}"))
    }
}

fn decode_signed(v: &mut Verification, b64: &str) -> Option<(SignedCertificate, Certificate)> {
    let decoded = B64
        .decode(b64)
        .map_err(|_| "signed_certificate is not base64".to_owned())
        .and_then(|b| {
            SignedCertificate::decode(b.as_slice())
                .map_err(|_| "signed_certificate is not a SignedCertificate".to_owned())
        })
        .and_then(|s| {
            Certificate::decode(s.certificate.as_slice())
                .map(|c| (s, c))
                .map_err(|_| "the signed bytes are not a Certificate".to_owned())
        });
    match decoded {
        Ok(pair) => {
            v.record("signed certificate encoding", Ok("decoded".into()));
            Some(pair)
        }
        Err(e) => {
            v.record("signed certificate encoding", Err(e));
            None
        }
    }
}

fn verify_coordinator(
    v: &mut Verification,
    keys: &TrustStore,
    signed: &SignedCertificate,
    cert: &Certificate,
) {
    v.record(
        "certificate format",
        check_eq("format", &cert.format, CERTIFICATE_FORMAT),
    );
    let sig = keys
        .coordinator_key(&signed.key_id)
        .map_err(|e| e.to_string())
        .and_then(|key| {
            if key.verify(CERTIFICATE_CONTEXT, &signed.certificate, &signed.signature) {
                Ok(format!("signed by coordinator key {}", signed.key_id))
            } else {
                Err(format!(
                    "bad signature by coordinator key {}",
                    signed.key_id
                ))
            }
        });
    v.record("coordinator signature", sig);
    v.record(
        "coordinator key id",
        check_eq("key id", &cert.coordinator_key_id, &signed.key_id),
    );
}

fn verify_systems(v: &mut Verification, keys: &TrustStore, cert: &Certificate) {
    if cert.systems.is_empty() {
        v.record("systems", Err("the certificate names no system".into()));
    }
    for s in &cert.systems {
        let name = format!("acknowledgment of {}", s.system_id);
        let result = s
            .acknowledgment
            .as_ref()
            .ok_or_else(|| "missing".to_owned())
            .and_then(|signed| {
                ack::verify_ack(keys, signed)
                    .map_err(|e| e.to_string())
                    .map(|a| (signed, a))
            })
            .and_then(|(signed, a)| {
                if a.request_id != cert.request_id {
                    Err(format!(
                        "is for request {}, not {}",
                        a.request_id, cert.request_id
                    ))
                } else if a.system_id != s.system_id {
                    Err(format!(
                        "is from system {}, listed as {}",
                        a.system_id, s.system_id
                    ))
                } else if a.outcome != s.outcome {
                    Err(format!(
                        "says {}, the certificate says {}",
                        outcome_name(a.outcome),
                        outcome_name(s.outcome)
                    ))
                } else if !matches!(
                    Outcome::try_from(a.outcome),
                    Ok(Outcome::Erased
                        | Outcome::Anonymised
                        | Outcome::NothingFound
                        | Outcome::Retained)
                ) {
                    Err(format!(
                        "outcome {} is not a completion",
                        outcome_name(a.outcome)
                    ))
                } else {
                    Ok(format!(
                        "{} signed by {}",
                        outcome_name(a.outcome),
                        signed.key_id
                    ))
                }
            });
        v.record(name, result);
    }
}

fn diff_fields(a: &CertificateView, b: &CertificateView) -> String {
    let (ja, jb) = (
        serde_json::to_value(a).unwrap_or_default(),
        serde_json::to_value(b).unwrap_or_default(),
    );
    let mut fields = Vec::new();
    if let (Some(ma), Some(mb)) = (ja.as_object(), jb.as_object()) {
        for (k, va) in ma {
            if mb.get(k) != Some(va) {
                fields.push(k.clone());
            }
        }
    }
    if fields.is_empty() {
        "(unknown)".into()
    } else {
        fields.join(", ")
    }
}

#[cfg(test)]
mod tests;
