//! Nested proofs: a processor that is itself an erasure orchestrator (another `erasure
//! serve` with `[opendsr]`) names, in its signed status of a completed request, the
//! SHA-256 of its own completion certificate (`extensions.<its domain>.certificate_sha256`)
//! and where to fetch it (`results_url`). The connector fetches the certificate file from
//! the processor's own origin, checks that it is the one named, and keeps the signed status,
//! its signature, the signing certificate and the certificate file byte for byte: the
//! acknowledgment nests them (`ProcessorProof`, docs/proof-format.md). A processor that
//! names no certificate is an ordinary OpenDSR processor: no nested proof.

use super::{OpenDsr, SIGNATURE_HEADERS};
use crate::http::{Failure, Outgoing};
use crate::task::{NestedProof, TaskState};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::Url;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

/// The extension's keys in the processor's status answer.
pub const CERTIFICATE_SHA256: &str = "certificate_sha256";

impl OpenDsr {
    /// The nested proof of the task's finished request, if the processor names one.
    pub(super) async fn nested(
        &self,
        state: &TaskState,
        deadline: Instant,
    ) -> Result<Option<NestedProof>, Failure> {
        let Some(status) = state.calls.first().and_then(|c| c.status.as_ref()) else {
            return Ok(None);
        };
        let body: Value = serde_json::from_str(&status.answer.body).unwrap_or(Value::Null);
        let digest = body
            .get("extensions")
            .and_then(|e| e.get(&self.domain))
            .and_then(|e| e.get(CERTIFICATE_SHA256))
            .and_then(Value::as_str);
        let Some(digest) = digest else {
            return Ok(None);
        };
        let refused = |why: &str| Failure::Permanent(format!("processor certificate: {why}"));
        let url = body
            .get("results_url")
            .and_then(Value::as_str)
            .and_then(|u| Url::parse(u).ok())
            .ok_or_else(|| refused("the status names a certificate but no results_url"))?;
        if url.origin() != self.requests_url.origin() {
            return Err(refused("results_url is not on the processor's own origin"));
        }
        let answer = (self.client)
            .send("processor certificate", &Outgoing::get(url), deadline)
            .await?;
        if !answer.is_success() {
            return Err(answer.failure("processor certificate"));
        }
        if signed_part_sha256(&answer.body).as_deref() != Some(digest) {
            return Err(refused(
                "the file fetched is not the certificate the processor's signed status names",
            ));
        }
        let signature = SIGNATURE_HEADERS
            .iter()
            .find_map(|h| status.answer.headers.get(*h))
            .ok_or_else(|| refused("the status kept has no signature"))?;
        let der = self
            .signing_certificate(status.answer.body.as_bytes(), signature)
            .await?;
        let compact: String = signature.split_whitespace().collect();
        Ok(Some(NestedProof {
            status_body: status.answer.body.clone(),
            status_signature: B64.encode(B64.decode(compact).unwrap_or_default()),
            signing_certificate: B64.encode(der),
            certificate_file: answer.body,
        }))
    }

    /// The DER of the certificate whose key signed `body` (fetched again once if the kept
    /// one does not verify it: the processor may have renewed it).
    async fn signing_certificate(&self, body: &[u8], signature: &str) -> Result<Vec<u8>, Failure> {
        for fresh in [false, true] {
            let trusted = (self.certificates)
                .trusted(&self.client, &self.discovery, fresh)
                .await?;
            if trusted.verifies(body, signature) {
                return Ok(trusted.der().to_vec());
            }
        }
        Err(Failure::Permanent(
            "status: the signature does not verify against the processor's certificate".into(),
        ))
    }
}

/// Hex SHA-256 of a certificate file's signed part (`signed_certificate`, base64-decoded).
fn signed_part_sha256(file: &str) -> Option<String> {
    let file: Value = serde_json::from_str(file).ok()?;
    let signed = B64.decode(file.get("signed_certificate")?.as_str()?).ok()?;
    Some(hex::encode(Sha256::digest(signed)))
}
