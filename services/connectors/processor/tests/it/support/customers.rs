//! A processor with a synchronous delete API, keyed by customer number
//! (`DELETE /v1/customers/{id}`: 200 deleted, 404 unknown, 422 for a locked account) and
//! by e-mail addresses in a JSON body (`POST /v1/people/forget`), with optional bearer
//! and HMAC checks, and scripted failures before its real answers.

use super::{Data, Log, serve};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// A scripted failure: a status and, maybe, a Retry-After value.
pub type Scripted = (u16, Option<&'static str>);

#[derive(Debug, Default)]
pub struct Customers {
    /// The customer numbers and e-mail addresses the processor holds.
    pub data: Data,
    pub log: Log,
    /// Answers given before any real one.
    pub script: Mutex<VecDeque<Scripted>>,
    /// Requests must carry `Authorization: Bearer <this>`.
    pub bearer: Option<String>,
    /// Requests must carry `X-Signature: <hex HMAC-SHA-256 of the body under this key>`.
    pub hmac_key: Option<String>,
}

impl Customers {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Starts it; its base URL.
    pub async fn start(self: &Arc<Self>) -> String {
        let router = Router::new()
            .route("/v1/customers/{id}", delete(forget_customer))
            .route("/v1/people/forget", post(forget_people))
            .route("/v1/health", get(|| async { "ok" }))
            .with_state(Arc::clone(self));
        serve(router).await
    }

    pub fn fail_next(&self, answers: &[Scripted]) {
        self.script.lock().expect("script").extend(answers);
    }

    /// A scripted answer, or why the request is refused (authentication).
    fn refusal(&self, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
        if let Some((status, retry_after)) = self.script.lock().expect("script").pop_front() {
            let mut response = (
                StatusCode::from_u16(status).expect("status"),
                "{\"error\":\"busy\"}",
            )
                .into_response();
            if let Some(value) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from_static(value));
            }
            return Some(response);
        }
        let unauthorised = || Some((StatusCode::UNAUTHORIZED, "{}").into_response());
        if let Some(token) = &self.bearer {
            let expected = format!("Bearer {token}");
            if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&expected) {
                return unauthorised();
            }
        }
        if let Some(key) = &self.hmac_key {
            let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
            mac.update(body);
            let expected = hex::encode(mac.finalize().into_bytes());
            if headers.get("x-signature").and_then(|v| v.to_str().ok()) != Some(&expected) {
                return unauthorised();
            }
        }
        None
    }
}

async fn forget_customer(
    State(api): State<Arc<Customers>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    api.log.push("DELETE", &uri, &headers, b"");
    if let Some(refused) = api.refusal(&headers, b"") {
        return refused;
    }
    if id.starts_with("C-9") {
        let locked = json!({"error": "account locked"});
        return (StatusCode::UNPROCESSABLE_ENTITY, locked.to_string()).into_response();
    }
    if api.data.remove(&id) {
        json_answer(StatusCode::OK, json!({"result": "deleted", "records": 1}))
    } else {
        json_answer(StatusCode::NOT_FOUND, json!({"error": "no such customer"}))
    }
}

/// `{"emails": [...], "reference": "..."}`: every address forgotten in one call.
async fn forget_people(
    State(api): State<Arc<Customers>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    api.log.push("POST", &uri, &headers, &body);
    if let Some(refused) = api.refusal(&headers, &body) {
        return refused;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "{}").into_response();
    };
    let emails = request["emails"].as_array().cloned().unwrap_or_default();
    let removed = emails
        .iter()
        .filter_map(Value::as_str)
        .filter(|e| api.data.remove(e))
        .count();
    if removed == 0 {
        json_answer(StatusCode::OK, json!({"result": "unknown"}))
    } else {
        json_answer(
            StatusCode::OK,
            json!({"result": "deleted", "records": removed}),
        )
    }
}

pub fn json_answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}
