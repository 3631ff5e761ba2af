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

use crate::certify::Notary;
use crate::error::CoordinatorError;
use crate::streams::Streams;
use erasure_proof::merkle::Hash;
use erasure_proof::transparency::{self as log, LogProof};
use erasure_proto::convert::ms;
use erasure_proto::v1 as pb;
use erasure_store::{AppendBatch, RecordedEvent, StoreError};
use prost::Message;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use view::{Pending, View, decode_head, internal, leaf_event, new_event};

mod view;

pub use view::{HEADS_STREAM, Head, LOG_STREAM, is_log_stream};

/// How long a certificate fetch waits for its leaf to be logged.
const LEAF_WAIT: Duration = Duration::from_secs(10);
const PAGE: usize = 1000;

pub struct TransparencyLog {
    /// The event store the log lives in, its clock and the signal of new appends.
    streams: Streams,
    /// Signs the tree heads.
    notary: Arc<Notary>,
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
    pub fn new(streams: Streams, notary: Arc<Notary>) -> Arc<Self> {
        Arc::new(Self {
            streams,
            notary,
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
            let batch = self.streams.store().read_all(after, PAGE).await?;
            if batch.is_empty() {
                return Ok(());
            }
            self.absorb(after, &batch);
        }
    }

    /// Applies a page of the event log read after position `after`: by this log, or by
    /// the projection, which shares what it reads so that the log is tailed once. Events
    /// already applied are skipped; a page that starts past this log's position is left
    /// alone (the events in between would be missed), for the log's own reading to fetch.
    pub(crate) fn absorb(&self, after: u64, batch: &[RecordedEvent]) {
        let mut view = self.write();
        if after > view.position {
            return;
        }
        let position = view.position;
        for recorded in batch.iter().filter(|r| r.position > position) {
            view.position = recorded.position;
            if let Err(e) = view.apply(recorded) {
                tracing::error!(stream = %recorded.stream_id, position = recorded.position, error = %e, "event skipped by the transparency log");
            }
        }
        let size = view.tree.len();
        drop(view);
        self.size
            .send_if_modified(|s| std::mem::replace(s, size) != size);
    }

    /// The position of the last event applied.
    fn position(&self) -> u64 {
        self.read().position
    }

    /// Appends the leaves seen but not yet logged, in the order seen. Another
    /// coordinator appending first is a conflict: read its leaves and try again.
    async fn sequence(&self) -> Result<(), CoordinatorError> {
        for _ in 0..20 {
            let (version, leaves) = {
                let mut view = self.write();
                let View {
                    pending,
                    index,
                    tree,
                    ..
                } = &mut *view;
                pending.retain(|p| index.get(&p.leaf, tree).is_none());
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
        let at_ms = ms(self.streams.now());
        let events = leaves
            .iter()
            .zip(version..)
            .map(|(p, index)| leaf_event(p, index, at_ms))
            .collect();
        self.streams
            .store()
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
            let signed = self.notary.sign_tree_head(size, &root, self.streams.now());
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
        self.streams
            .store()
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
            if let Some(i) = self.read().index_of(leaf) {
                return Ok(i);
            }
            self.advance().await?;
            if let Some(i) = self.read().index_of(leaf) {
                return Ok(i);
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
    /// Logs new certificates until `shutdown`, woken by `tailed`: the position up to which
    /// the projection has read the event log and shared it with this log
    /// ([`crate::projection::Projection::share_with`]). The log reads the event log itself
    /// only when it is behind that (and every half second, to be sure).
    pub async fn run(
        self: Arc<Self>,
        interval: Duration,
        mut tailed: watch::Receiver<u64>,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let mut last_publish = Instant::now();
        let (mut read_now, mut shared) = (true, true);
        loop {
            if let Err(e) = self.step(read_now, &mut last_publish, interval).await {
                tracing::warn!(error = %e, "transparency log cannot advance; retrying");
            }
            tokio::select! {
                () = &mut shutdown => return,
                changed = tailed.changed(), if shared => match changed {
                    Ok(()) => read_now = self.position() < *tailed.borrow_and_update(),
                    // The projection is gone: the log tails on its own, by the poll.
                    Err(_) => shared = false,
                },
                () = tokio::time::sleep(Duration::from_millis(500)) => read_now = true,
            }
        }
    }

    async fn step(
        &self,
        read: bool,
        last_publish: &mut Instant,
        interval: Duration,
    ) -> Result<(), CoordinatorError> {
        if read {
            self.advance().await?;
        } else {
            let _writer = self.writer.lock().await;
            self.sequence().await?;
        }
        if last_publish.elapsed() >= interval {
            self.publish().await?;
            *last_publish = Instant::now();
        }
        Ok(())
    }
}
