//! Certificate and supplement files (JSON, `docs/proof-format.md`), each with its proof of
//! inclusion in the transparency log and the public keys to check it with.

use crate::certify::Notary;
use crate::error::CoordinatorError;
use crate::streams::Streams;
use crate::transparency::TransparencyLog;
use erasure_proof::merkle::Hash;
use erasure_proof::{certificate as proof_cert, supplement};
use erasure_proto::v1 as pb;
use prost::Message as _;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Export {
    pub(crate) streams: Streams,
    pub(crate) notary: Arc<Notary>,
}

impl Export {
    /// The certificate file of a completed request.
    pub async fn certificate_json(
        &self,
        request_id: &str,
        log: &TransparencyLog,
    ) -> Result<String, CoordinatorError> {
        let state = self.streams.get(request_id).await?;
        let cert = state.certificate.ok_or_else(|| {
            CoordinatorError::FailedPrecondition(format!(
                "request {request_id} has no certificate yet (status: {:?})",
                state.status
            ))
        })?;
        let signed = decode_signed(&cert.signed_certificate, "certificate")?;
        let proof = log.proof_for(&leaf(&cert.hash)?).await?;
        let file = proof_cert::to_file(&signed, self.notary.public_keys(), Some(proof))
            .map_err(internal)?;
        serde_json::to_string_pretty(&file).map_err(internal)
    }

    /// The supplement files of a request, in order of issue.
    pub async fn supplements_json(
        &self,
        request_id: &str,
        log: &TransparencyLog,
    ) -> Result<Vec<String>, CoordinatorError> {
        let state = self.streams.get(request_id).await?;
        let mut files = Vec::new();
        for s in &state.supplements {
            let signed = decode_signed(&s.signed_certificate, "supplement")?;
            let proof = log.proof_for(&leaf(&s.hash)?).await?;
            let file =
                supplement::supplement_to_file(&signed, self.notary.public_keys(), Some(proof))
                    .map_err(internal)?;
            files.push(serde_json::to_string_pretty(&file).map_err(internal)?);
        }
        Ok(files)
    }
}

fn decode_signed(bytes: &[u8], what: &str) -> Result<pb::SignedCertificate, CoordinatorError> {
    pb::SignedCertificate::decode(bytes)
        .map_err(|_| CoordinatorError::Internal(format!("stored {what} undecodable")))
}

fn leaf(hash: &[u8]) -> Result<Hash, CoordinatorError> {
    Hash::try_from(hash).map_err(|_| internal("stored certificate hash of wrong length"))
}

fn internal(e: impl ToString) -> CoordinatorError {
    CoordinatorError::Internal(e.to_string())
}
