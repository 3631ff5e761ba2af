//! Certificate supplements: issued when data kept under a legal hold was erased after the
//! hold ended, or when copies in backups aged out. A protobuf `CertificateSupplement`, signed by the coordinator like a
//! certificate but under its own context, so neither can pass for the other.
//!
//! The file (`erasure-certificate-supplement-file/v1`):
//! - `signed_supplement`: base64 of the encoded `SignedCertificate` — the only signed part;
//! - `supplement`: a readable rendering of it, checked to match the signed part;
//! - `keys`: the public keys that signed it, as the issuer declares them.
//!
//! A supplement names its certificate by `certificate_hash`, SHA-256 of the certificate
//! file's decoded `signed_certificate`; given that file, verification checks the link.

use crate::certificate::{self, CertificateFile};
use crate::keys::{KeyPair, TrustStore};
use crate::retention::{self, Scope};
use crate::transparency::{self, LogProof};
use crate::verification::{self as verify, Document, Verification};
use crate::view::{self as views, BackupView, ExceptionView, SystemView, rfc3339};
use crate::{ProofError, SUPPLEMENT_CONTEXT, backups, sha256};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use erasure_proto::v1::{Certificate, CertificateSupplement, SignedCertificate};
use prost::Message;
use serde::{Deserialize, Serialize};

pub const SUPPLEMENT_FORMAT: &str = "erasure-certificate-supplement/v1";
pub const SUPPLEMENT_FILE_FORMAT: &str = "erasure-certificate-supplement-file/v1";

pub(crate) const DOCUMENT: Document = Document {
    noun: "supplement",
    file_format: SUPPLEMENT_FILE_FORMAT,
    field: "signed_supplement",
    message: "CertificateSupplement",
    format: SUPPLEMENT_FORMAT,
    context: SUPPLEMENT_CONTEXT,
};

/// Signs an encoded supplement with the coordinator's key.
pub fn sign_supplement(key: &KeyPair, s: &CertificateSupplement) -> SignedCertificate {
    verify::sign(key, &DOCUMENT, s)
}

/// The supplement file as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplementFile {
    pub format: String,
    pub supplement: SupplementView,
    pub signed_supplement: String,
    pub keys: TrustStore,
    /// Where the supplement is in the transparency log, and the proof of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogProof>,
}

/// What a person reads. Derived from the signed bytes; never trusted on its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplementView {
    pub request_id: String,
    /// 1, 2, ... in order of issue.
    pub sequence: u32,
    /// Hex SHA-256 of the certificate's encoded `SignedCertificate`.
    pub certificate_hash: String,
    pub issued_at: String,
    pub coordinator_key_id: String,
    /// The systems that answered after their holds ended.
    pub systems: Vec<SystemView>,
    /// The holds that ended.
    pub ended: Vec<ExceptionView>,
    /// The holds still running.
    pub remaining: Vec<ExceptionView>,
    /// Backup copies that aged out since the certificate or the last supplement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aged_out: Vec<BackupView>,
    /// Backup copies still existing after this supplement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backups_remaining: Vec<BackupView>,
}

/// Renders the readable view of a supplement (acknowledgments decoded, unverified).
pub fn view(s: &CertificateSupplement) -> Result<SupplementView, ProofError> {
    Ok(SupplementView {
        request_id: s.request_id.clone(),
        sequence: s.sequence,
        certificate_hash: hex::encode(&s.certificate_hash),
        issued_at: rfc3339(s.issued_at_ms),
        coordinator_key_id: s.coordinator_key_id.clone(),
        systems: views::system_views(&s.systems)?,
        ended: views::exception_views(&s.ended),
        remaining: views::exception_views(&s.remaining),
        aged_out: views::backup_views(&s.aged_out),
        backups_remaining: views::backup_views(&s.backups_remaining),
    })
}

/// Builds the supplement file from the signed supplement, the public keys involved and its
/// place in the transparency log.
pub fn supplement_to_file(
    signed: &SignedCertificate,
    keys: TrustStore,
    log: Option<LogProof>,
) -> Result<SupplementFile, ProofError> {
    let s = CertificateSupplement::decode(signed.certificate.as_slice())
        .map_err(|_| ProofError::Malformed("supplement".into()))?;
    Ok(SupplementFile {
        format: SUPPLEMENT_FILE_FORMAT.into(),
        supplement: view(&s)?,
        signed_supplement: B64.encode(signed.encode_to_vec()),
        keys,
        log,
    })
}

/// Verifies a supplement file offline, like a certificate file. With `certificate_json`
/// (the certificate file it supplements), also checks that it supplements that one.
pub fn verify_supplement_file(
    json: &str,
    trust: Option<&TrustStore>,
    certificate_json: Option<&str>,
) -> Verification {
    let mut v = Verification::default();
    let Some(file) = verify::parse_file(&mut v, &DOCUMENT, json, |f: &SupplementFile| {
        f.format.as_str()
    }) else {
        return v;
    };
    v.self_declared_keys = trust.is_none();
    let keys = trust.unwrap_or(&file.keys);
    let Some(decoded) =
        verify::decode_signed::<CertificateSupplement>(&mut v, &DOCUMENT, &file.signed_supplement)
    else {
        return v;
    };
    let s = &decoded.message;
    verify::verify_coordinator(&mut v, keys, &DOCUMENT, &decoded);
    verify::verify_systems(&mut v, keys, &DOCUMENT, &s.request_id, &s.systems);
    retention::verify_exceptions(&mut v, &s.systems, &s.remaining, Scope::AnsweredSystems);
    retention::verify_ended(&mut v, &s.systems, &s.ended);
    let linked = certificate_json.map(|json| link(s, json));
    let certified = linked.as_ref().and_then(|l| l.as_ref().ok());
    backups::verify_supplement(
        &mut v,
        &backups::Supplement {
            systems: &s.systems,
            aged_out: &s.aged_out,
            remaining: &s.backups_remaining,
            issued_at_ms: s.issued_at_ms,
            certified: certified.map(|(_, c)| c.systems.as_slice()),
        },
    );
    verify::verify_readable(&mut v, &DOCUMENT, view(s), &file.supplement);
    transparency::verify_log(&mut v, keys, &decoded.bytes, file.log.as_ref());
    if let Some(linked) = linked {
        v.record("supplements certificate", linked.map(|(detail, _)| detail));
    }
    v
}

/// The supplement names this certificate: its hash, and the same request. Returns what the
/// check says, and the certificate.
fn link(
    s: &CertificateSupplement,
    certificate_json: &str,
) -> Result<(String, Certificate), String> {
    let file: CertificateFile = serde_json::from_str(certificate_json)
        .map_err(|e| format!("not a certificate file: {e}"))?;
    if file.format != certificate::FILE_FORMAT {
        return Err(format!("not a certificate file: format {:?}", file.format));
    }
    let bytes = B64
        .decode(&file.signed_certificate)
        .map_err(|_| "the certificate's signed_certificate is not base64".to_owned())?;
    let cert = crate::canonical::decode::<SignedCertificate>(&bytes)
        .ok()
        .and_then(|signed| crate::canonical::decode::<Certificate>(&signed.certificate).ok())
        .ok_or_else(|| "the certificate's signed_certificate does not decode".to_owned())?;
    let hash = hex::encode(sha256(&bytes));
    let named = hex::encode(&s.certificate_hash);
    if hash != named {
        Err(format!(
            "supplements certificate {named}, but this certificate is {hash}"
        ))
    } else if cert.request_id != s.request_id {
        Err(format!(
            "the certificate is for request {}, the supplement for {}",
            cert.request_id, s.request_id
        ))
    } else {
        Ok((
            format!("certificate {hash} of request {}", cert.request_id),
            cert,
        ))
    }
}

#[cfg(test)]
mod aged_out;
#[cfg(test)]
mod tests;
