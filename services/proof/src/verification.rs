//! Verification results, and the checks that certificates and supplements share: both are
//! a protobuf message signed by the coordinator into a `SignedCertificate`, shipped in a
//! JSON file with a readable view and the public keys.

use crate::keys::{KeyPair, TrustStore};
use crate::view::outcome_name;
use crate::{ProofError, ack, attestation};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use erasure_proto::v1::{Outcome, SignedCertificate, SystemResult};
use prost::Message;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One check of a verification, named so a reader knows what passed or failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// Every check made, in order. The document is valid when every check passed.
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

    pub(crate) fn record(
        &mut self,
        name: impl Into<String>,
        result: Result<String, String>,
    ) -> bool {
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

/// A kind of signed document: names its checks, fixes its formats and signature context.
pub(crate) struct Document {
    /// "certificate" or "supplement", as check names and details say it.
    pub noun: &'static str,
    /// The file's `format`.
    pub file_format: &'static str,
    /// The JSON field holding base64 of the encoded `SignedCertificate`.
    pub field: &'static str,
    /// The protobuf message inside the signed bytes, for error messages.
    pub message: &'static str,
    /// The signed message's `format`.
    pub format: &'static str,
    pub context: &'static [u8],
}

/// Encodes a document and signs it with the coordinator's key under its context.
pub(crate) fn sign(key: &KeyPair, doc: &Document, message: &impl Message) -> SignedCertificate {
    let bytes = message.encode_to_vec();
    SignedCertificate {
        signature: key.sign(doc.context, &bytes),
        certificate: bytes,
        key_id: key.key_id().to_owned(),
    }
}

/// A check that lists every problem it found, or passes with `summary`.
pub(crate) fn problems_or(problems: Vec<String>, summary: String) -> Result<String, String> {
    if problems.is_empty() {
        Ok(summary)
    } else {
        Err(problems.join("; "))
    }
}

pub(crate) fn check_eq(what: &str, got: &str, want: &str) -> Result<String, String> {
    if got == want {
        Ok(format!("{what} {got}"))
    } else {
        Err(format!("{what} is {got:?}, expected {want:?}"))
    }
}

/// Parses the JSON file and checks its format ("<noun> file", "file format").
pub(crate) fn parse_file<F: DeserializeOwned>(
    v: &mut Verification,
    doc: &Document,
    json: &str,
    format: impl FnOnce(&F) -> &str,
) -> Option<F> {
    let file: F = match serde_json::from_str(json) {
        Ok(f) => f,
        Err(e) => {
            v.record(
                format!("{} file", doc.noun),
                Err(format!("not a {} file: {e}", doc.noun)),
            );
            return None;
        }
    };
    v.record(
        "file format",
        check_eq("format", format(&file), doc.file_format),
    )
    .then_some(file)
}

/// What a file's signed part decodes to: its exact bytes (the log's leaf is their hash),
/// the `SignedCertificate` and the signed message inside.
pub(crate) struct Decoded<M> {
    pub bytes: Vec<u8>,
    pub signed: SignedCertificate,
    pub message: M,
}

/// Decodes base64 → `SignedCertificate` → the signed message ("signed <noun> encoding").
pub(crate) fn decode_signed<M: Message + Default>(
    v: &mut Verification,
    doc: &Document,
    b64: &str,
) -> Option<Decoded<M>> {
    let decoded = B64
        .decode(b64)
        .map_err(|_| format!("{} is not base64", doc.field))
        .and_then(|bytes| {
            crate::canonical::decode::<SignedCertificate>(&bytes)
                .map(|signed| (bytes, signed))
                .map_err(|e| format!("{} is not a SignedCertificate: {e}", doc.field))
        })
        .and_then(|(bytes, signed)| {
            crate::canonical::decode::<M>(&signed.certificate)
                .map(|message| Decoded {
                    bytes,
                    signed,
                    message,
                })
                .map_err(|e| format!("the signed bytes are not a {}: {e}", doc.message))
        });
    let name = format!("signed {} encoding", doc.noun);
    match decoded {
        Ok(decoded) => {
            v.record(name, Ok("decoded".into()));
            Some(decoded)
        }
        Err(e) => {
            v.record(name, Err(e));
            None
        }
    }
}

/// What a coordinator-signed document says about its own signing.
pub(crate) trait Claims {
    fn format(&self) -> &str;
    fn coordinator_key_id(&self) -> &str;
    fn issued_at_ms(&self) -> i64;
}

macro_rules! claims {
    ($message:ty) => {
        impl Claims for $message {
            fn format(&self) -> &str {
                &self.format
            }
            fn coordinator_key_id(&self) -> &str {
                &self.coordinator_key_id
            }
            fn issued_at_ms(&self) -> i64 {
                self.issued_at_ms
            }
        }
    };
}
claims!(erasure_proto::v1::Certificate);
claims!(erasure_proto::v1::CertificateSupplement);

/// "<noun> format", "coordinator signature" (under the document's context, by a key valid
/// when the document was issued) and "coordinator key id".
pub(crate) fn verify_coordinator<M: Claims>(
    v: &mut Verification,
    keys: &TrustStore,
    doc: &Document,
    decoded: &Decoded<M>,
) {
    let (signed, m) = (&decoded.signed, &decoded.message);
    v.record(
        format!("{} format", doc.noun),
        check_eq("format", m.format(), doc.format),
    );
    let sig = keys
        .coordinator_key_at(&signed.key_id, m.issued_at_ms())
        .map_err(|e| e.to_string())
        .and_then(|key| {
            if key.verify(doc.context, &signed.certificate, &signed.signature) {
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
        check_eq("key id", m.coordinator_key_id(), &signed.key_id),
    );
}

/// For each system: "acknowledgment of <system>" (signed by a key of that system, for this
/// request, saying what the document says, and a completion) or, for a manual task,
/// "attestation of <system>" (see [`attestation`]). A result is one or the other: with
/// both, or neither, it fails.
pub(crate) fn verify_systems(
    v: &mut Verification,
    keys: &TrustStore,
    doc: &Document,
    request_id: &str,
    systems: &[SystemResult],
) {
    for s in systems {
        match (&s.acknowledgment, &s.attestation) {
            (Some(signed), None) => {
                let result = ack::verify_ack(keys, signed)
                    .map_err(|e| e.to_string())
                    .and_then(|a| {
                        acknowledges(doc, request_id, s, &a)?;
                        Ok(format!(
                            "{} signed by {}",
                            outcome_name(a.outcome),
                            signed.key_id
                        ))
                    });
                v.record(format!("acknowledgment of {}", s.system_id), result);
            }
            (None, Some(a)) => {
                v.record(
                    format!("attestation of {}", s.system_id),
                    attestation::attested(s, a),
                );
            }
            (Some(_), Some(_)) => {
                v.record(
                    format!("attestation of {}", s.system_id),
                    Err(
                        "has both a connector's acknowledgment and an operator's attestation; \
                         a result is one or the other"
                            .into(),
                    ),
                );
            }
            (None, None) => {
                v.record(
                    format!("acknowledgment of {}", s.system_id),
                    Err(
                        "missing: neither a connector's acknowledgment nor an operator's \
                         attestation"
                            .into(),
                    ),
                );
            }
        }
    }
}

fn acknowledges(
    doc: &Document,
    request_id: &str,
    s: &SystemResult,
    a: &erasure_proto::v1::Acknowledgment,
) -> Result<(), String> {
    if a.request_id != request_id {
        return Err(format!("is for request {}, not {request_id}", a.request_id));
    }
    if a.system_id != s.system_id {
        return Err(format!(
            "is from system {}, listed as {}",
            a.system_id, s.system_id
        ));
    }
    if a.outcome != s.outcome {
        return Err(format!(
            "says {}, the {} says {}",
            outcome_name(a.outcome),
            doc.noun,
            outcome_name(s.outcome)
        ));
    }
    let completion = matches!(
        Outcome::try_from(a.outcome),
        Ok(Outcome::Erased
            | Outcome::Anonymised
            | Outcome::NothingFound
            | Outcome::Retained
            | Outcome::InBackups)
    );
    if !completion {
        return Err(format!(
            "outcome {} is not a completion",
            outcome_name(a.outcome)
        ));
    }
    Ok(())
}

/// "readable <noun>": the file's view equals the one derived from the signed bytes.
pub(crate) fn verify_readable<T: Serialize + PartialEq>(
    v: &mut Verification,
    doc: &Document,
    derived: Result<T, ProofError>,
    given: &T,
) {
    let result = derived.map_err(|e| e.to_string()).and_then(|derived| {
        if &derived == given {
            Ok(format!("matches the signed {}", doc.noun))
        } else {
            Err(format!(
                "differs from the signed {} in: {}",
                doc.noun,
                diff_fields(&derived, given)
            ))
        }
    });
    v.record(format!("readable {}", doc.noun), result);
}

fn diff_fields<T: Serialize>(a: &T, b: &T) -> String {
    let (ja, jb) = (
        serde_json::to_value(a).unwrap_or_default(),
        serde_json::to_value(b).unwrap_or_default(),
    );
    let (Some(ma), Some(mb)) = (ja.as_object(), jb.as_object()) else {
        return "(unknown)".into();
    };
    // Both sides' keys: an optional field may be present on one side only.
    let keys: std::collections::BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
    let fields: Vec<&str> = keys
        .into_iter()
        .filter(|k| ma.get(*k) != mb.get(*k))
        .map(String::as_str)
        .collect();
    if fields.is_empty() {
        "(unknown)".into()
    } else {
        fields.join(", ")
    }
}
