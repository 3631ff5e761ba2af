//! The transparency log's documents and their offline checks.
//!
//! Every certificate and supplement is a leaf of one append-only Merkle log (RFC 9162
//! §2.1, see [`crate::merkle`]); the leaf is SHA-256 of the encoded `SignedCertificate`.
//! The coordinator signs tree heads ("the first N leaves have root R", context
//! [`TREE_HEAD_CONTEXT`]). A certificate file carries a [`LogProof`]: its leaf index, the
//! inclusion proof and the signed head it proves against. Two heads are checked against
//! each other with a consistency proof ([`ConsistencyFile`]), which shows the later log
//! extends the earlier one: nothing logged was changed or removed.

use crate::keys::{KeyPair, TrustStore};
use crate::merkle::{self, Hash};
use crate::verification::{Verification, check_eq};
use crate::view::rfc3339;
use crate::{ProofError, TREE_HEAD_CONTEXT, sha256};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use erasure_proto::v1::{SignedTreeHead, TreeHead};
use prost::Message;
use serde::{Deserialize, Serialize};

pub const TREE_HEAD_FORMAT: &str = "erasure-tree-head/v1";
pub const TREE_HEAD_FILE_FORMAT: &str = "erasure-tree-head-file/v1";
pub const CONSISTENCY_FORMAT: &str = "erasure-consistency-proof/v1";

/// Signs a tree head with the coordinator's key.
pub fn sign_tree_head(key: &KeyPair, tree_size: u64, root: &Hash, at_ms: i64) -> SignedTreeHead {
    let head = TreeHead {
        format: TREE_HEAD_FORMAT.into(),
        tree_size,
        root_hash: root.to_vec(),
        timestamp_ms: at_ms,
        key_id: key.key_id().to_owned(),
    };
    let bytes = head.encode_to_vec();
    SignedTreeHead {
        signature: key.sign(TREE_HEAD_CONTEXT, &bytes),
        tree_head: bytes,
        key_id: key.key_id().to_owned(),
    }
}

/// The leaf of a signed document: SHA-256 of its encoded `SignedCertificate`.
pub fn leaf_of(signed_bytes: &[u8]) -> Hash {
    sha256(signed_bytes)
}

/// A tree head as a person reads it. Derived from the signed bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeHeadView {
    pub tree_size: u64,
    /// Hex.
    pub root_hash: String,
    pub timestamp: String,
    pub key_id: String,
}

impl From<&TreeHead> for TreeHeadView {
    fn from(h: &TreeHead) -> Self {
        Self {
            tree_size: h.tree_size,
            root_hash: hex::encode(&h.root_hash),
            timestamp: rfc3339(h.timestamp_ms),
            key_id: h.key_id.clone(),
        }
    }
}

/// A published tree head, on its own (`erasure log head`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeHeadFile {
    pub format: String,
    pub tree_head: TreeHeadView,
    /// Base64 of the encoded `SignedTreeHead`: the only signed part.
    pub signed_tree_head: String,
    pub keys: TrustStore,
}

/// Where a certificate (or supplement) is in the log, and the proof of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogProof {
    /// 0-based position of the leaf in the log.
    pub leaf_index: u64,
    /// PATH(leaf_index, D[tree_size]) of RFC 9162 §2.1.3.1, hex, leaf to root.
    pub inclusion_proof: Vec<String>,
    pub tree_head: TreeHeadView,
    /// Base64 of the encoded `SignedTreeHead` the proof leads to.
    pub signed_tree_head: String,
}

/// A consistency proof between two tree sizes (`erasure log consistency`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyFile {
    pub format: String,
    pub from_size: u64,
    pub to_size: u64,
    /// PROOF(from_size, D[to_size]) of RFC 9162 §2.1.4.1, hex.
    pub proof: Vec<String>,
}

/// The tree head inside a signed one (not verified).
pub fn decode_head(signed: &SignedTreeHead) -> Result<TreeHead, ProofError> {
    crate::canonical::decode(&signed.tree_head)
        .map_err(|e| ProofError::Malformed(format!("tree head: {e}")))
}

pub fn tree_head_file(
    signed: &SignedTreeHead,
    keys: TrustStore,
) -> Result<TreeHeadFile, ProofError> {
    Ok(TreeHeadFile {
        format: TREE_HEAD_FILE_FORMAT.into(),
        tree_head: TreeHeadView::from(&decode_head(signed)?),
        signed_tree_head: B64.encode(signed.encode_to_vec()),
        keys,
    })
}

pub fn log_proof(
    signed: &SignedTreeHead,
    leaf_index: u64,
    inclusion_proof: &[Hash],
) -> Result<LogProof, ProofError> {
    Ok(LogProof {
        leaf_index,
        inclusion_proof: inclusion_proof.iter().map(hex::encode).collect(),
        tree_head: TreeHeadView::from(&decode_head(signed)?),
        signed_tree_head: B64.encode(signed.encode_to_vec()),
    })
}

pub fn consistency_file(from_size: u64, to_size: u64, proof: &[Hash]) -> ConsistencyFile {
    ConsistencyFile {
        format: CONSISTENCY_FORMAT.into(),
        from_size,
        to_size,
        proof: proof.iter().map(hex::encode).collect(),
    }
}

/// A signed tree head whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedHead {
    pub tree_size: u64,
    pub root: Hash,
    pub timestamp_ms: i64,
}

/// Checks a signed tree head (base64) and that its readable view matches.
pub(crate) fn verify_head(
    keys: &TrustStore,
    signed_b64: &str,
    view: &TreeHeadView,
) -> Result<VerifiedHead, String> {
    let signed = B64
        .decode(signed_b64)
        .ok()
        .ok_or("signed_tree_head is not base64")
        .and_then(|b| {
            crate::canonical::decode::<SignedTreeHead>(&b)
                .map_err(|_| "signed_tree_head is not a canonically encoded SignedTreeHead")
        })?;
    let head = decode_head(&signed).map_err(|e| e.to_string())?;
    check_eq("format", &head.format, TREE_HEAD_FORMAT)?;
    check_eq("key id", &head.key_id, &signed.key_id)?;
    let key = keys
        .coordinator_key_at(&signed.key_id, head.timestamp_ms)
        .map_err(|e| e.to_string())?;
    if !key.verify(TREE_HEAD_CONTEXT, &signed.tree_head, &signed.signature) {
        return Err(format!(
            "bad signature by coordinator key {}",
            signed.key_id
        ));
    }
    if TreeHeadView::from(&head) != *view {
        return Err("the readable tree head differs from the signed one".into());
    }
    let root: Hash = head
        .root_hash
        .as_slice()
        .try_into()
        .map_err(|_| format!("root hash has {} bytes, not 32", head.root_hash.len()))?;
    Ok(VerifiedHead {
        tree_size: head.tree_size,
        root,
        timestamp_ms: head.timestamp_ms,
    })
}

/// "tree head signature" and "inclusion proof": the document (its encoded
/// `SignedCertificate`, `signed_bytes`) is leaf `leaf_index` of a log whose head the
/// coordinator signed.
pub(crate) fn verify_log(
    v: &mut Verification,
    keys: &TrustStore,
    signed_bytes: &[u8],
    log: Option<&LogProof>,
) {
    let Some(log) = log else {
        v.record(
            "transparency log",
            Err("the file carries no inclusion proof (field `log`)".into()),
        );
        return;
    };
    let head = verify_head(keys, &log.signed_tree_head, &log.tree_head);
    let head_detail = head.as_ref().map(|h| {
        format!(
            "tree size {} signed {}",
            h.tree_size,
            rfc3339(h.timestamp_ms)
        )
    });
    v.record("tree head signature", head_detail.map_err(Clone::clone));
    let Ok(head) = head else { return };
    let inclusion = hashes(&log.inclusion_proof, "inclusion proof").and_then(|proof| {
        let leaf = merkle::leaf_hash(&leaf_of(signed_bytes));
        merkle::verify_inclusion(&leaf, log.leaf_index, head.tree_size, &proof, &head.root)
            .map_err(|e| e.to_string())
            .map(|()| format!("leaf {} of {}", log.leaf_index, head.tree_size))
    });
    v.record("inclusion proof", inclusion);
}

pub(crate) fn hashes(hex_hashes: &[String], what: &str) -> Result<Vec<Hash>, String> {
    hex_hashes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            hex::decode(h)
                .ok()
                .and_then(|b| Hash::try_from(b.as_slice()).ok())
                .ok_or_else(|| format!("{what} hash {i} is not 64 hex digits"))
        })
        .collect()
}

#[cfg(test)]
mod tests;
