//! The log as this process knows it: the tree, the index of every leaf, the signed heads,
//! the certificates seen but not yet logged, and how far the event log was read.

use crate::codec;
use crate::error::CoordinatorError;
use erasure_core::Event;
use erasure_proof::merkle::{Hash, MerkleTree};
use erasure_proof::transparency as log;
use erasure_proto::v1 as pb;
use erasure_store::{NewEvent, RecordedEvent};
use prost::Message;
use std::collections::VecDeque;

pub const LOG_STREAM: &str = "transparency-log";
pub const HEADS_STREAM: &str = "transparency-log-heads";
/// The log's streams are not requests: the projection skips them.
pub fn is_log_stream(stream_id: &str) -> bool {
    stream_id == LOG_STREAM || stream_id == HEADS_STREAM
}

/// A leaf to log: a certificate or supplement seen in a request stream.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub(super) leaf: Hash,
    pub(super) request_id: String,
    pub(super) kind: &'static str,
    pub(super) sequence: u32,
}

/// A signed head and what it says.
#[derive(Debug, Clone)]
pub struct Head {
    pub signed: pb::SignedTreeHead,
    pub tree_size: u64,
    pub root: Hash,
    pub timestamp_ms: i64,
}

/// Where each leaf is in the tree: a table of leaf indexes, hashed by and compared on the
/// leaf hashes the tree holds, so the index adds about 9 bytes a leaf to the tree's own.
#[derive(Default)]
pub(super) struct LeafIndex(hashbrown::HashTable<u64>);

/// Leaf hashes are SHA-256 outputs: their first eight bytes are a good hash.
fn bucket(hash: &Hash) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    u64::from_le_bytes(first)
}

impl LeafIndex {
    pub(super) fn get(&self, leaf: &Hash, tree: &MerkleTree) -> Option<u64> {
        let hash = erasure_proof::merkle::leaf_hash(leaf);
        let at = |&i: &u64| tree.leaf_hash_at(i) == Some(hash);
        self.0.find(bucket(&hash), at).copied()
    }

    /// Records the leaf just pushed at `index`.
    fn insert(&mut self, index: u64, tree: &MerkleTree) {
        let rehash = |&i: &u64| tree.leaf_hash_at(i).map_or(0, |h| bucket(&h));
        if let Some(hash) = tree.leaf_hash_at(index) {
            self.0.insert_unique(bucket(&hash), index, rehash);
        }
    }
}

#[derive(Default)]
pub(super) struct View {
    pub(super) tree: MerkleTree,
    pub(super) index: LeafIndex,
    pub(super) heads: Vec<Head>,
    pub(super) pending: VecDeque<Pending>,
    pub(super) position: u64,
}

impl View {
    pub(super) fn apply(&mut self, recorded: &RecordedEvent) -> Result<(), CoordinatorError> {
        match (recorded.stream_id.as_str(), recorded.event_type.as_str()) {
            (LOG_STREAM, "LeafAppended") => self.apply_leaf(&decode(recorded)?),
            (HEADS_STREAM, "TreeHeadSigned") => {
                let e: pb::TreeHeadSigned = decode(recorded)?;
                let signed = pb::SignedTreeHead::decode(e.signed_tree_head.as_slice())
                    .map_err(|_| internal("undecodable signed tree head"))?;
                // Head i is stream version i + 1; our own appends are read back here.
                if recorded.stream_version > self.heads.len() as u64 {
                    self.heads.push(decode_head(&signed)?);
                }
                Ok(())
            }
            (_, "CertificateIssued" | "SupplementIssued") => {
                let event = codec::decode(recorded).map_err(internal)?;
                self.apply_issued(&recorded.stream_id, &event);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn apply_leaf(&mut self, e: &pb::LeafAppended) -> Result<(), CoordinatorError> {
        let leaf: Hash = e
            .leaf
            .as_slice()
            .try_into()
            .map_err(|_| internal("leaf of wrong length"))?;
        let size = self.tree.len();
        if e.leaf_index < size {
            // Our own append, read back.
            return match self.tree.leaf_hash_at(e.leaf_index) {
                Some(h) if h == erasure_proof::merkle::leaf_hash(&leaf) => Ok(()),
                _ => Err(internal(format!(
                    "leaf {} differs from the one logged",
                    e.leaf_index
                ))),
            };
        }
        if e.leaf_index > size {
            return Err(internal(format!(
                "leaf {} after {size} leaves",
                e.leaf_index
            )));
        }
        self.push_leaf(leaf);
        // Logged (by this coordinator or another): no longer pending. Leaves are logged in
        // the order their certificates were seen, so it is at the front or near it; what
        // is not found here is dropped when the log next sequences.
        if let Some(i) = self.pending.iter().take(64).position(|p| p.leaf == leaf) {
            self.pending.remove(i);
        }
        Ok(())
    }

    /// The index of a leaf in the tree, if it was logged.
    pub(super) fn index_of(&self, leaf: &Hash) -> Option<u64> {
        self.index.get(leaf, &self.tree)
    }

    pub(super) fn push_leaf(&mut self, leaf: Hash) {
        let index = self.tree.push(&leaf);
        self.index.insert(index, &self.tree);
    }

    fn apply_issued(&mut self, stream: &str, event: &Event) {
        let (leaf, kind, sequence) = match event {
            Event::CertificateIssued {
                certificate_hash, ..
            } => (certificate_hash, "certificate", 0),
            Event::SupplementIssued {
                supplement_hash,
                sequence,
                ..
            } => (supplement_hash, "supplement", *sequence),
            _ => return,
        };
        let Ok(leaf) = Hash::try_from(leaf.as_slice()) else {
            tracing::error!(stream, "certificate hash of wrong length; not logged");
            return;
        };
        // Each event is applied once (one reader under `writer`), so `pending` has no twins.
        if self.index_of(&leaf).is_none() {
            self.pending.push_back(Pending {
                leaf,
                request_id: stream.to_owned(),
                kind,
                sequence,
            });
        }
    }
}

pub(super) fn leaf_event(p: &Pending, index: u64, at_ms: i64) -> NewEvent {
    new_event(
        "LeafAppended",
        &pb::LeafAppended {
            leaf_index: index,
            leaf: p.leaf.to_vec(),
            request_id: p.request_id.clone(),
            kind: p.kind.into(),
            sequence: p.sequence,
            at_ms,
        },
    )
}

pub(super) fn new_event(event_type: &str, message: &impl Message) -> NewEvent {
    codec::message_event(event_type, message)
}

fn decode<M: Message + Default>(recorded: &RecordedEvent) -> Result<M, CoordinatorError> {
    M::decode(recorded.payload.as_slice())
        .map_err(|_| internal(format!("undecodable {}", recorded.event_type)))
}

pub(super) fn decode_head(signed: &pb::SignedTreeHead) -> Result<Head, CoordinatorError> {
    let head = log::decode_head(signed).map_err(internal)?;
    Ok(Head {
        root: head
            .root_hash
            .as_slice()
            .try_into()
            .map_err(|_| internal("root of wrong length"))?,
        tree_size: head.tree_size,
        timestamp_ms: head.timestamp_ms,
        signed: signed.clone(),
    })
}

pub(super) fn internal(e: impl ToString) -> CoordinatorError {
    CoordinatorError::Internal(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_alike_in_their_first_bytes_are_each_found_at_their_own_index() {
        let mut view = View::default();
        let leaf = |first: u8, last: u8| {
            let mut h = [first; 32];
            h[31] = last;
            h
        };
        // The second and third share the first's eight first bytes.
        let leaves = [leaf(1, 0), leaf(1, 1), leaf(1, 2), leaf(2, 0)];
        for l in leaves {
            view.push_leaf(l);
        }
        for (i, l) in leaves.iter().enumerate() {
            assert_eq!(view.index_of(l), Some(i as u64));
        }
        assert_eq!(
            view.index_of(&leaf(1, 3)),
            None,
            "same prefix, never logged"
        );
        assert_eq!(view.index_of(&leaf(3, 0)), None);
    }
}
