//! The callback listener: `POST <public_url>/<token>/<n>` from the processor, for call `n`
//! of the task whose random token is `<token>`. Only the last two path segments count, so
//! a proxy may keep or strip the public URL's prefix.
//!
//! A callback is checked by the protocol (an HMAC for `[request]`, the processor's
//! certificate for OpenDSR) before anything is kept: unknown path 404, bad or missing
//! signature 403, signed but about something else 400. A good one is kept as the call's
//! latest status, answered 202, and the task is woken: its runner runs it again now (see
//! `erasure_connector_sdk::wake`), and the task reads the status at its next look. Logs
//! name the task, never the body.

use crate::driver::Driver;
use crate::http::Answer;
use crate::protocol::{Refusal, callback_url};
use crate::task::Status;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use erasure_connector_sdk::Waker;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Request headers never kept.
const NOT_KEPT: [&str; 4] = [
    "authorization",
    "cookie",
    "proxy-authorization",
    "forwarded",
];

#[derive(Debug)]
struct Listener {
    driver: Arc<Driver>,
    waker: Waker,
    public_url: String,
}

/// Binds `listen` and serves callbacks until the returned task is aborted.
pub async fn start(
    listen: &str,
    public_url: &str,
    driver: Arc<Driver>,
    waker: Waker,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let socket = tokio::net::TcpListener::bind(listen).await?;
    let listener = Arc::new(Listener {
        driver,
        waker,
        public_url: public_url.trim_end_matches('/').to_owned(),
    });
    let router = Router::new()
        .route("/{*path}", post(callback))
        .with_state(listener);
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(socket, router).await {
            tracing::warn!(error = %e, "the processor callback listener stopped");
        }
    }))
}

async fn callback(
    State(listener): State<Arc<Listener>>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut segments = path.rsplit('/');
    let (Some(index), Some(token)) = (segments.next(), segments.next()) else {
        return StatusCode::NOT_FOUND;
    };
    let Ok(index) = index.parse::<usize>() else {
        return StatusCode::NOT_FOUND;
    };
    match listener.take(token, index, &headers, &body).await {
        Ok(task_id) => {
            tracing::info!(task = %task_id, call = index, "processor callback taken");
            listener.waker.wake(&task_id);
            StatusCode::ACCEPTED
        }
        Err(status) => {
            tracing::info!(
                call = index,
                status = status.as_u16(),
                "processor callback refused"
            );
            status
        }
    }
}

impl Listener {
    /// Checks and keeps the callback; the task it is for.
    async fn take(
        &self,
        token: &str,
        index: usize,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<String, StatusCode> {
        let store = self.driver.store();
        let unavailable = |_| StatusCode::SERVICE_UNAVAILABLE;
        let task_id = store.task_of_token(token).await.map_err(unavailable)?;
        let task_id = task_id.ok_or(StatusCode::NOT_FOUND)?;
        let state = store.load(&task_id).await.map_err(unavailable)?;
        let state = state.ok_or(StatusCode::NOT_FOUND)?;
        if index >= state.calls.len() {
            return Err(StatusCode::NOT_FOUND);
        }
        let url = callback_url(&format!("{}/{token}", self.public_url), index);
        let protocol = self.driver.protocol();
        match protocol
            .check_callback(&state, index, &url, headers, body)
            .await
        {
            Ok(()) => {}
            Err(Refusal::Forbidden) => return Err(StatusCode::FORBIDDEN),
            Err(Refusal::BadRequest) => return Err(StatusCode::BAD_REQUEST),
        }
        let status = Status {
            answer: Answer {
                status: StatusCode::ACCEPTED.as_u16(),
                headers: kept(headers),
                body: String::from_utf8_lossy(body).into_owned(),
                received_at: chrono::Utc::now(),
            },
            source: "callback".into(),
        };
        (store.save_callback(&task_id, index, &status).await).map_err(unavailable)?;
        Ok(task_id)
    }
}

fn kept(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .filter(|(name, _)| !NOT_KEPT.contains(&name.as_str()))
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect()
}
