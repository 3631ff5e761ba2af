//! Completion certificates: a protobuf `Certificate` signed by the coordinator, shipped in a
//! JSON file that a person can read and a program can verify offline.
//!
//! The file (`erasure-certificate-file/v1`):
//! - `signed_certificate`: base64 of the encoded `SignedCertificate` — the only signed part;
//! - `certificate`: a readable rendering of it, checked to match the signed part;
//! - `keys`: the public keys that signed it, as the issuer declares them. A verifier that
//!   is given its own trust file (`--trust`) uses that instead.

use crate::keys::{KeyPair, TrustStore};
use crate::retention::{self, Scope};
use crate::transparency::{self, LogProof};
use crate::verification::{self as verify, Document};
use crate::view::{self as views, rfc3339};
use crate::{CERTIFICATE_CONTEXT, ProofError, backups, recipients};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use erasure_proto::v1::{Certificate, DeadlineExtension, SignedCertificate};
use prost::Message;
use serde::{Deserialize, Serialize};

pub use crate::verification::{Check, Verification};
pub use crate::view::{
    AttachmentView, AttestationView, BackupView, ExceptionView, RecipientView, RetainedView,
    SystemView, outcome_name,
};

pub const CERTIFICATE_FORMAT: &str = "erasure-certificate/v1";
pub const FILE_FORMAT: &str = "erasure-certificate-file/v1";

pub(crate) const DOCUMENT: Document = Document {
    noun: "certificate",
    file_format: FILE_FORMAT,
    field: "signed_certificate",
    message: "Certificate",
    format: CERTIFICATE_FORMAT,
    context: CERTIFICATE_CONTEXT,
};

/// Signs an encoded certificate with the coordinator's key.
pub fn sign_certificate(key: &KeyPair, certificate: &Certificate) -> SignedCertificate {
    verify::sign(key, &DOCUMENT, certificate)
}

/// The certificate file as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFile {
    pub format: String,
    pub certificate: CertificateView,
    pub signed_certificate: String,
    pub keys: TrustStore,
    /// Where the certificate is in the transparency log, and the proof of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogProof>,
}

/// What a person reads. Derived from the signed bytes; never trusted on its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateView {
    pub request_id: String,
    pub jurisdiction: String,
    pub received_at: String,
    /// The deadline that applied: the extended one when `extension` is set.
    pub deadline: String,
    pub completed_at: String,
    pub issued_at: String,
    /// Hex SHA-256 commitment to the person's identifiers (see the format docs).
    pub identifier_commitment: String,
    pub coordinator_key_id: String,
    pub systems: Vec<SystemView>,
    /// Data kept under a legal hold instead of being erased, one per system and rule.
    #[serde(default)]
    pub exceptions: Vec<ExceptionView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionView>,
    /// The controller the erasure was for; absent when the operator acts for itself only.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub controller: String,
    /// Systems that resolved identifiers first, with how many new values of each kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolutions: Vec<ResolutionView>,
    /// Copies in backups that cannot be edited, per system ("in backups until D").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<BackupView>,
    /// The recipients of the data (GDPR Art. 19) and how each was told.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<RecipientView>,
    /// The person asked to be told the recipients (Art. 19, second sentence).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recipients_requested: bool,
}

/// One system's identity resolution: counts per identifier kind, never values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionView {
    pub system_id: String,
    pub found: std::collections::BTreeMap<String, u32>,
}

/// The deadline's extension (GDPR Art. 12(3)), when there was one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionView {
    pub months: u32,
    pub reason: String,
    pub original_deadline: String,
    pub extended_at: String,
}

impl From<&DeadlineExtension> for ExtensionView {
    fn from(e: &DeadlineExtension) -> Self {
        Self {
            months: e.months,
            reason: e.reason.clone(),
            original_deadline: e.original_deadline.clone(),
            extended_at: rfc3339(e.extended_at_ms),
        }
    }
}

/// Renders the readable view of a certificate (acknowledgments decoded, unverified).
pub fn view(cert: &Certificate) -> Result<CertificateView, ProofError> {
    Ok(CertificateView {
        request_id: cert.request_id.clone(),
        jurisdiction: cert.jurisdiction.clone(),
        received_at: rfc3339(cert.received_at_ms),
        deadline: cert.deadline.clone(),
        completed_at: rfc3339(cert.completed_at_ms),
        issued_at: rfc3339(cert.issued_at_ms),
        identifier_commitment: hex::encode(&cert.identifier_commitment),
        coordinator_key_id: cert.coordinator_key_id.clone(),
        systems: views::system_views(&cert.systems)?,
        exceptions: views::exception_views(&cert.exceptions),
        extension: cert.extension.as_ref().map(ExtensionView::from),
        controller: cert.controller.clone(),
        resolutions: cert
            .resolutions
            .iter()
            .map(|r| ResolutionView {
                system_id: r.system_id.clone(),
                found: r.found.iter().map(|c| (c.kind.clone(), c.count)).collect(),
            })
            .collect(),
        backups: views::backup_views(&cert.backups),
        recipients: views::recipient_views(&cert.recipients),
        recipients_requested: cert.recipients_requested,
    })
}

/// Builds the certificate file from the signed certificate, the public keys involved and
/// its place in the transparency log.
pub fn to_file(
    signed: &SignedCertificate,
    keys: TrustStore,
    log: Option<LogProof>,
) -> Result<CertificateFile, ProofError> {
    let cert = Certificate::decode(signed.certificate.as_slice())
        .map_err(|_| ProofError::Malformed("certificate".into()))?;
    Ok(CertificateFile {
        format: FILE_FORMAT.into(),
        certificate: view(&cert)?,
        signed_certificate: B64.encode(signed.encode_to_vec()),
        keys,
        log,
    })
}

/// The certificate inside encoded `SignedCertificate` bytes (not verified).
pub fn decode_signed_certificate(bytes: &[u8]) -> Option<Certificate> {
    let signed = SignedCertificate::decode(bytes).ok()?;
    Certificate::decode(signed.certificate.as_slice()).ok()
}

/// Verifies a certificate file offline. With `trust`, keys must be in it; without, the
/// keys the file declares are used (the result says so).
pub fn verify_file(json: &str, trust: Option<&TrustStore>) -> Verification {
    let mut v = Verification::default();
    let Some(file) = verify::parse_file(&mut v, &DOCUMENT, json, |f: &CertificateFile| {
        f.format.as_str()
    }) else {
        return v;
    };
    v.self_declared_keys = trust.is_none();
    let keys = trust.unwrap_or(&file.keys);
    let Some(decoded) =
        verify::decode_signed::<Certificate>(&mut v, &DOCUMENT, &file.signed_certificate)
    else {
        return v;
    };
    let cert = &decoded.message;
    verify::verify_coordinator(&mut v, keys, &DOCUMENT, &decoded);
    if cert.systems.is_empty() {
        v.record("systems", Err("the certificate names no system".into()));
    }
    verify::verify_systems(&mut v, keys, &DOCUMENT, &cert.request_id, &cert.systems);
    retention::verify_exceptions(&mut v, &cert.systems, &cert.exceptions, Scope::Every);
    backups::verify_certificate(&mut v, &cert.systems, &cert.backups, cert.issued_at_ms);
    recipients::verify(&mut v, &cert.systems, &cert.recipients);
    crate::nested::verify(&mut v, keys, &cert.systems);
    verify::verify_readable(&mut v, &DOCUMENT, view(cert), &file.certificate);
    transparency::verify_log(&mut v, keys, &decoded.bytes, file.log.as_ref());
    v
}

#[cfg(test)]
mod tamper;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod third_parties;
