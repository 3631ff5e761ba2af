//! The transparency log: every certificate and supplement, in the order they were logged,
//! as leaves of an RFC 9162 Merkle tree, with tree heads the coordinator signs.
//!
//! It lives in the event store like everything else: stream [`LOG_STREAM`] holds one
//! `LeafAppended` per leaf (stream version = index + 1) and [`HEADS_STREAM`] one
//! `TreeHeadSigned` per head. A follower tails the global event log: it sees each
//! `CertificateIssued`/`SupplementIssued`, appends the missing leaves at the log's
//! version (so of several coordinators exactly one wins each index and the others see
//! its leaf), and keeps the tree in memory for proofs. Heads are signed at an interval
//! when the log grew, and on demand — when a certificate is fetched whose leaf no head
//! covers yet, so every certificate file carries a proof.

use crate::codec::{self, ms};
use crate::error::CoordinatorError;
use crate::service::Coordinator;
use erasure_core::Event;
use erasure_proof::merkle::{Hash, MerkleTree};
use erasure_proof::transparency::{self as log, LogProof};
use erasure_proto::v1 as pb;
use erasure_store::{AppendBatch, NewEvent, RecordedEvent, StoreError};
use prost::Message;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::watch;

pub const LOG_STREAM: &str = "transparency-log";
pub const HEADS_STREAM: &str = "transparency-log-heads";
/// How long a certificate fetch waits for its leaf to be logged.
const LEAF_WAIT: Duration = Duration::from_secs(10);
const PAGE: usize = 1000;

/// The log's streams are not requests: the projection skips them.
pub fn is_log_stream(stream_id: &str) -> bool {
    stream_id == LOG_STREAM || stream_id == HEADS_STREAM
}

/// A leaf to log: a certificate or supplement seen in a request stream.
#[derive(Debug, Clone)]
struct Pending {
    leaf: Hash,
    request_id: String,
    kind: &'static str,
    sequence: u32,
}

/// A signed head and what it says.
#[derive(Debug, Clone)]
pub struct Head {
    pub signed: pb::SignedTreeHead,
    pub tree_size: u64,
    pub root: Hash,
    pub timestamp_ms: i64,
}

#[derive(Default)]
struct View {
    tree: MerkleTree,
    index_of: HashMap<Hash, u64>,
    heads: Vec<Head>,
    pending: VecDeque<Pending>,
    position: u64,
}

pub struct TransparencyLog {
    coordinator: Arc<Coordinator>,
    view: RwLock<View>,
    /// One reader-writer of the event log at a time in this process: reading a page twice
    /// would apply it twice.
    writer: tokio::sync::Mutex<()>,
    /// The tree size, whenever it changes.
    size: watch::Sender<u64>,
}

impl std::fmt::Debug for TransparencyLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransparencyLog")
            .field("tree_size", &*self.size.borrow())
            .finish()
    }
}

impl TransparencyLog {
    pub fn new(coordinator: Arc<Coordinator>) -> Arc<Self> {
        Arc::new(Self {
            coordinator,
            view: RwLock::default(),
            writer: tokio::sync::Mutex::new(()),
            size: watch::channel(0).0,
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, View> {
        self.view.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, View> {
        self.view.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn tree_size(&self) -> u64 {
        self.read().tree.len()
    }

    /// Reads the events recorded since the last call and logs the new certificates.
    pub async fn advance(&self) -> Result<(), CoordinatorError> {
        let _writer = self.writer.lock().await;
        self.catch_up().await?;
        self.sequence().await
    }

    async fn catch_up(&self) -> Result<(), CoordinatorError> {
        loop {
            let after = self.read().position;
            let batch = self.coordinator.storage().read_all(after, PAGE).await?;
            if batch.is_empty() {
                return Ok(());
            }
            let mut view = self.write();
            for recorded in &batch {
                view.position = view.position.max(recorded.position);
                if let Err(e) = view.apply(recorded) {
                    tracing::error!(stream = %recorded.stream_id, position = recorded.position, error = %e, "event skipped by the transparency log");
                }
            }
            let size = view.tree.len();
            drop(view);
            self.size.send_replace(size);
        }
    }

    /// Appends the leaves seen but not yet logged, in the order seen. Another
    /// coordinator appending first is a conflict: read its leaves and try again.
    async fn sequence(&self) -> Result<(), CoordinatorError> {
        for _ in 0..20 {
            let (version, leaves) = {
                let mut view = self.write();
                let View {
                    pending, index_of, ..
                } = &mut *view;
                pending.retain(|p| !index_of.contains_key(&p.leaf));
                (
                    view.tree.len(),
                    view.pending.iter().cloned().collect::<Vec<_>>(),
                )
            };
            if leaves.is_empty() {
                return Ok(());
            }
            match self.append_leaves(version, &leaves).await {
                Err(CoordinatorError::Store(StoreError::Conflict { .. })) => {
                    self.catch_up().await?
                }
                other => return other,
            }
        }
        Err(CoordinatorError::Internal(
            "too many concurrent writers on the transparency log".into(),
        ))
    }

    async fn append_leaves(
        &self,
        version: u64,
        leaves: &[Pending],
    ) -> Result<(), CoordinatorError> {
        let at_ms = ms(self.coordinator.clock().now());
        let events = leaves
            .iter()
            .zip(version..)
            .map(|(p, index)| leaf_event(p, index, at_ms))
            .collect();
        self.coordinator
            .storage()
            .append(AppendBatch {
                stream_id: LOG_STREAM.into(),
                expected_version: version,
                events,
                outbox: Vec::new(),
            })
            .await?;
        let mut view = self.write();
        for (p, index) in leaves.iter().zip(version..) {
            if index == view.tree.len() {
                view.push_leaf(p.leaf);
            }
        }
        let size = view.tree.len();
        drop(view);
        self.size.send_replace(size);
        tracing::debug!(leaves = leaves.len(), tree_size = size, "logged");
        Ok(())
    }

    /// Signs a head over the whole log unless the latest head already covers it; returns
    /// the latest head (none while the log is empty and no head was ever signed).
    pub async fn publish(&self) -> Result<Option<Head>, CoordinatorError> {
        let _writer = self.writer.lock().await;
        for _ in 0..20 {
            let (size, root, version, latest) = {
                let view = self.read();
                let size = view.tree.len();
                let root = view.tree.root(size).map_err(internal)?;
                (
                    size,
                    root,
                    view.heads.len() as u64,
                    view.heads.last().cloned(),
                )
            };
            if latest.as_ref().is_some_and(|h| h.tree_size >= size) || size == 0 {
                return Ok(latest);
            }
            let signed = self.coordinator.sign_tree_head(size, &root);
            match self.append_head(version, &signed).await {
                Err(CoordinatorError::Store(StoreError::Conflict { .. })) => {
                    self.catch_up().await?
                }
                Err(e) => return Err(e),
                Ok(head) => {
                    tracing::info!(tree_size = size, "tree head signed");
                    return Ok(Some(head));
                }
            }
        }
        Err(CoordinatorError::Internal(
            "too many concurrent writers of tree heads".into(),
        ))
    }

    async fn append_head(
        &self,
        version: u64,
        signed: &pb::SignedTreeHead,
    ) -> Result<Head, CoordinatorError> {
        let head = decode_head(signed)?;
        let event = pb::TreeHeadSigned {
            signed_tree_head: signed.encode_to_vec(),
            tree_size: head.tree_size,
        };
        self.coordinator
            .storage()
            .append(AppendBatch {
                stream_id: HEADS_STREAM.into(),
                expected_version: version,
                events: vec![new_event("TreeHeadSigned", &event)],
                outbox: Vec::new(),
            })
            .await?;
        self.write().heads.push(head.clone());
        Ok(head)
    }

    /// The latest head, or the published head of exactly `tree_size`.
    pub fn head(&self, tree_size: Option<u64>) -> Result<Head, CoordinatorError> {
        let view = self.read();
        let found = match tree_size {
            None => view.heads.last(),
            Some(n) => view.heads.iter().find(|h| h.tree_size == n),
        };
        found.cloned().ok_or_else(|| match tree_size {
            None => CoordinatorError::FailedPrecondition(
                "no tree head was signed yet (sign one now: erasure log head --publish)".into(),
            ),
            Some(n) => CoordinatorError::FailedPrecondition(format!(
                "no tree head of size {n} was published (sizes: {})",
                view.heads
                    .iter()
                    .map(|h| h.tree_size.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        })
    }

    /// PROOF(from, D[to]), for sizes 1 ≤ from ≤ to ≤ the log's size.
    pub fn consistency(&self, from: u64, to: u64) -> Result<Vec<Hash>, CoordinatorError> {
        self.read()
            .tree
            .consistency_proof(from, to)
            .map_err(|e| CoordinatorError::Invalid(e.to_string()))
    }

    /// The inclusion proof of `leaf` against the latest head that covers it, signing a
    /// head now if none does. Waits (briefly) for the leaf to be logged.
    pub async fn proof_for(&self, leaf: &Hash) -> Result<LogProof, CoordinatorError> {
        let index = self.wait_for(leaf).await?;
        let covering = self
            .read()
            .heads
            .last()
            .filter(|h| h.tree_size > index)
            .cloned();
        let head = match covering {
            Some(h) => h,
            None => self
                .publish()
                .await?
                .ok_or_else(|| internal("no head after logging"))?,
        };
        let proof = self
            .read()
            .tree
            .inclusion_proof(index, head.tree_size)
            .map_err(internal)?;
        log::log_proof(&head.signed, index, &proof).map_err(internal)
    }

    async fn wait_for(&self, leaf: &Hash) -> Result<u64, CoordinatorError> {
        let started = Instant::now();
        let mut changes = self.size.subscribe();
        loop {
            if let Some(i) = self.read().index_of.get(leaf) {
                return Ok(*i);
            }
            self.advance().await?;
            if let Some(i) = self.read().index_of.get(leaf) {
                return Ok(*i);
            }
            let left = LEAF_WAIT.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(CoordinatorError::Unavailable(
                    "the certificate is not in the transparency log yet; try again".into(),
                ));
            }
            let _ =
                tokio::time::timeout(left.min(Duration::from_millis(200)), changes.changed()).await;
        }
    }

    /// Tails the event log and logs new certificates until `shutdown`; signs a head every
    /// `interval` when the log grew.
    pub async fn run(
        self: Arc<Self>,
        interval: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let mut last_publish = Instant::now();
        loop {
            let woken = self.coordinator.appended().notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            if let Err(e) = self.step(&mut last_publish, interval).await {
                tracing::warn!(error = %e, "transparency log cannot advance; retrying");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = &mut woken => {}
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }

    async fn step(
        &self,
        last_publish: &mut Instant,
        interval: Duration,
    ) -> Result<(), CoordinatorError> {
        self.advance().await?;
        if last_publish.elapsed() >= interval {
            self.publish().await?;
            *last_publish = Instant::now();
        }
        Ok(())
    }
}

impl View {
    fn apply(&mut self, recorded: &RecordedEvent) -> Result<(), CoordinatorError> {
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
        Ok(())
    }

    fn push_leaf(&mut self, leaf: Hash) {
        let index = self.tree.push(&leaf);
        self.index_of.insert(leaf, index);
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
        if !self.index_of.contains_key(&leaf) {
            self.pending.push_back(Pending {
                leaf,
                request_id: stream.to_owned(),
                kind,
                sequence,
            });
        }
    }
}

fn leaf_event(p: &Pending, index: u64, at_ms: i64) -> NewEvent {
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

fn new_event(event_type: &str, message: &impl Message) -> NewEvent {
    NewEvent {
        event_type: event_type.into(),
        version: codec::SCHEMA_VERSION,
        payload: message.encode_to_vec(),
    }
}

fn decode<M: Message + Default>(recorded: &RecordedEvent) -> Result<M, CoordinatorError> {
    M::decode(recorded.payload.as_slice())
        .map_err(|_| internal(format!("undecodable {}", recorded.event_type)))
}

fn decode_head(signed: &pb::SignedTreeHead) -> Result<Head, CoordinatorError> {
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

fn internal(e: impl ToString) -> CoordinatorError {
    CoordinatorError::Internal(e.to_string())
}
