//! A long history to measure start-up and memory against (`erasure example-data DIR
//! --history N`): the completed requests already in DIR's event log, copied until the log
//! holds N more.
//!
//! Each copy is a real request's events under a new request id (a UUID, as the coordinator
//! issues them), with its own certificate leaf (the template's certificate hash hashed with
//! the new id) appended to the transparency log, so the projection and the log see N
//! distinct requests of realistic size. Copy n is received n milliseconds after the last
//! template, so the history is in the order it was received, as a real one is. What the
//! copies do not have: a data key (their
//! identifiers cannot be opened, so they cannot be retried or replayed), and task ids and
//! signed payloads that name the new id. They are for measuring, never for a real
//! deployment's log.

use anyhow::{Result, bail};
use erasure_coordinator::Storage;
use erasure_coordinator::codec;
use erasure_coordinator::transparency::LOG_STREAM;
use erasure_core::Event;
use erasure_proto::v1 as pb;
use erasure_store::{AppendBatch, NewEvent, RecordedEvent};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Streams appended at a time (the store's writer commits them in groups).
const IN_FLIGHT: usize = 64;
/// Leaves per append to the transparency log.
const LEAVES_PER_APPEND: usize = 1000;

/// What was added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Multiplied {
    pub templates: usize,
    pub requests: usize,
    pub events: u64,
}

/// Appends `requests` copies of the completed requests in `store`, round robin;
/// `progress` is told how many requests are in.
pub async fn multiply(
    store: Arc<dyn Storage>,
    requests: usize,
    progress: impl Fn(u64),
) -> Result<Multiplied> {
    let (templates, log_size) = completed_requests(store.as_ref()).await?;
    if templates.is_empty() {
        bail!(
            "no completed request in the event log to copy: run requests to completion first \
             (for example `erasure bench` against a server of this data directory)"
        );
    }
    let at_ms = chrono::Utc::now().timestamp_millis();
    let last_received = templates
        .iter()
        .filter_map(|t| match codec::decode(&t[0]) {
            Ok(Event::RequestReceived(r)) => Some(r.received_at),
            _ => None,
        })
        .max()
        .unwrap_or_else(chrono::Utc::now);
    let mut log_version = log_size;
    let mut events = 0u64;
    // A thousand requests at a time, then their leaves: the log follows the certificates
    // closely, as it does when the coordinator logs them.
    for first in (0..requests).step_by(LEAVES_PER_APPEND) {
        let mut leaves = Vec::with_capacity(LEAVES_PER_APPEND);
        let mut running = JoinSet::new();
        for n in first..requests.min(first + LEAVES_PER_APPEND) {
            let received_at = last_received + chrono::Duration::milliseconds(n as i64 + 1);
            let (batch, leaf) = copy(&templates[n % templates.len()], received_at)?;
            events += batch.events.len() as u64;
            leaves.push((leaf, batch.stream_id.clone()));
            if running.len() >= IN_FLIGHT {
                appended(running.join_next().await)?;
            }
            let store = Arc::clone(&store);
            running.spawn(async move { store.append(batch).await });
        }
        while let Some(done) = running.join_next().await {
            appended(Some(done))?;
        }
        let leaf_events: Vec<NewEvent> = leaves
            .iter()
            .enumerate()
            .map(|(i, (leaf, request_id))| {
                let leaf_appended = pb::LeafAppended {
                    leaf_index: log_version + i as u64,
                    leaf: leaf.to_vec(),
                    request_id: request_id.clone(),
                    kind: "certificate".into(),
                    sequence: 0,
                    at_ms,
                };
                codec::message_event("LeafAppended", &leaf_appended)
            })
            .collect();
        events += leaf_events.len() as u64;
        store
            .append(AppendBatch {
                stream_id: LOG_STREAM.into(),
                expected_version: log_version,
                events: leaf_events,
                outbox: vec![],
            })
            .await?;
        log_version += leaves.len() as u64;
        progress((first + leaves.len()) as u64);
    }
    Ok(Multiplied {
        templates: templates.len(),
        requests,
        events,
    })
}

fn appended<E: std::error::Error + Send + Sync + 'static>(
    done: Option<Result<Result<u64, E>, tokio::task::JoinError>>,
) -> Result<()> {
    if let Some(done) = done {
        done??;
    }
    Ok(())
}

/// The request streams that hold a certificate, and the transparency log's size.
async fn completed_requests(store: &dyn Storage) -> Result<(Vec<Vec<RecordedEvent>>, u64)> {
    let mut streams: HashMap<String, Vec<RecordedEvent>> = HashMap::new();
    let mut log_size = 0;
    let mut after = 0;
    loop {
        let page = store.read_all(after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for recorded in page {
            if recorded.stream_id == LOG_STREAM {
                log_size = recorded.stream_version;
            }
            let first = recorded.stream_version == 1;
            if first && recorded.event_type != "RequestReceived" {
                continue;
            }
            if first || streams.contains_key(&recorded.stream_id) {
                streams
                    .entry(recorded.stream_id.clone())
                    .or_default()
                    .push(recorded);
            }
        }
    }
    let mut completed: Vec<Vec<RecordedEvent>> = streams
        .into_values()
        .filter(|events| events.iter().any(|e| e.event_type == "CertificateIssued"))
        .collect();
    completed.sort_by_key(|events| events[0].position);
    Ok((completed, log_size))
}

/// A template's events under a new request id, and the copy's certificate leaf.
fn copy(
    template: &[RecordedEvent],
    received_at: chrono::DateTime<chrono::Utc>,
) -> Result<(AppendBatch, [u8; 32])> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut leaf = [0u8; 32];
    let mut events = Vec::with_capacity(template.len());
    for recorded in template {
        let event = match recorded.event_type.as_str() {
            "RequestReceived" | "CertificateIssued" => codec::decode(recorded)?,
            _ => {
                events.push(NewEvent {
                    event_type: recorded.event_type.clone(),
                    version: recorded.version,
                    payload: recorded.payload.clone(),
                });
                continue;
            }
        };
        let event = match event {
            Event::RequestReceived(mut received) => {
                received.request_id = request_id.as_str().into();
                received.received_at = received_at;
                Event::RequestReceived(received)
            }
            Event::CertificateIssued {
                certificate_hash,
                signed_certificate,
                at,
            } => {
                let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
                digest.update(request_id.as_bytes());
                digest.update(&certificate_hash);
                leaf.copy_from_slice(digest.finish().as_ref());
                Event::CertificateIssued {
                    certificate_hash: leaf.to_vec(),
                    signed_certificate,
                    at,
                }
            }
            other => other,
        };
        events.push(codec::encode(&event));
    }
    let batch = AppendBatch {
        stream_id: request_id,
        expected_version: 0,
        events,
        outbox: vec![],
    };
    Ok((batch, leaf))
}
