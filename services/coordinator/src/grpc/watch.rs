//! `Watch`: a request's state, sent again whenever it changes, until it is final.

use super::status::status;
use crate::coordinator::Coordinator;
use crate::projection::Projection;
use erasure_core::{RequestState, RequestStatus};
use erasure_proto::convert::request_view;
use erasure_proto::v1 as pb;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tonic::Status;

/// A request being watched: its id and the state last sent.
pub struct Watched {
    pub id: String,
    pub first: RequestState,
    /// The projection's position before `first` was read: changes after it are new.
    pub seen: u64,
    /// Subscribed before `first` was read, so no change in between is missed.
    pub changes: watch::Receiver<u64>,
}

/// Sends the first and every later state of the watched request on `tx` until the request
/// is final or the client goes away.
pub async fn follow(
    coordinator: Arc<Coordinator>,
    projection: Arc<Projection>,
    watched: Watched,
    tx: mpsc::Sender<Result<pb::ErasureRequest, Status>>,
) {
    let view =
        |s: &RequestState| request_view(s, &coordinator.policy().rules, coordinator.inventory());
    let Watched {
        id,
        first,
        mut seen,
        mut changes,
    } = watched;
    let mut last = first;
    if tx.send(Ok(view(&last))).await.is_err() || is_done(&last) {
        return;
    }
    loop {
        // Wake on the projection moving, or poll: other coordinators append too.
        if let Ok(Err(_)) = tokio::time::timeout(Duration::from_secs(1), changes.changed()).await {
            // The projection is gone: fall back to polling.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        if tx.is_closed() {
            return;
        }
        // Woken for every request's change: look only if this one changed.
        match projection.last_change(&id) {
            Some(at) if at <= seen => continue,
            Some(at) => seen = at,
            None => {}
        }
        // The projection has applied what woke us; the store is the fallback.
        let current = match projection.get(&id) {
            Some(state) => Ok(state),
            None => coordinator.get(&id).await,
        };
        match current {
            Ok(state) if state != last => {
                let done = is_done(&state);
                if tx.send(Ok(view(&state))).await.is_err() || done {
                    return;
                }
                last = state;
            }
            Ok(_) => {}
            Err(e) => {
                let _ = tx.send(Err(status(e))).await;
                return;
            }
        }
    }
}

fn is_done(s: &RequestState) -> bool {
    match s.status {
        RequestStatus::InProgress => false,
        RequestStatus::Completed => s.certificate.is_some(),
        RequestStatus::Failed | RequestStatus::Rejected => true,
    }
}
