//! The JSON gateway: `POST /api/v1/{Method}` takes the method's request message in
//! canonical proto3 JSON and answers its response message the same way, by calling the
//! gRPC service in process; `GET /api/v1/Watch?request_id=…` streams the request's states
//! as server-sent events. The authentication layer admits each path as it admits the
//! gRPC method of the same name (`access::table`), and the admitted actor is handed to the
//! service, so every check, limit and role is the API's own.
//!
//! Errors are `{"code": "INVALID_ARGUMENT", "message": "…"}` with the HTTP status of
//! [`http_status`]. A body that does not parse is refused naming the message and the
//! position, never echoing what was sent (it may hold a person's identifiers).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use erasure_core::access::Actor;
use erasure_proto::v1 as pb;
use erasure_proto::v1::erasure_service_server::ErasureService;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::convert::Infallible;
use std::sync::Arc;
use tokio_stream::StreamExt;
use tonic::{Code, Status};

/// Where the gateway's methods are: `/api/v1/Submit`, …
pub const PREFIX: &str = "/api/v1/";

/// The gateway's routes over `api`.
pub fn router<S: ErasureService>(api: Arc<S>) -> Router {
    Router::new()
        .route("/api/v1/Watch", get(watch::<S>))
        .route("/api/v1/{method}", post(unary::<S>))
        .with_state(api)
}

/// The caller as the authentication layer admitted it; none in open mode.
type Caller = Option<Extension<Actor>>;

async fn unary<S: ErasureService>(
    axum::extract::State(api): axum::extract::State<Arc<S>>,
    Path(method): Path<String>,
    caller: Caller,
    body: Bytes,
) -> Response {
    let actor = caller.map(|Extension(a)| a);
    match call(api.as_ref(), &method, actor, &body).await {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(status) => error(&status),
    }
}

/// Defines [`UNARY`] and [`call`] from one list: each name is the gRPC method's, each call
/// the service trait's method with its request type, so the compiler checks that the
/// gateway calls what the service has, and a test that it has every method of `api.proto`.
macro_rules! unary_methods {
    ($($name:literal => $method:ident($message:ty)),* $(,)?) => {
        /// The unary methods the gateway routes, each the gRPC method of the same name.
        pub const UNARY: &[&str] = &[$($name),*];

        /// Calls `method` with the request parsed from `body`; its answer as JSON.
        pub async fn call<S: ErasureService>(
            api: &S,
            method: &str,
            actor: Option<Actor>,
            body: &[u8],
        ) -> Result<String, Status> {
            match method {
                $($name => {
                    let request = parse::<$message>($name, body, actor)?;
                    to_json(&api.$method(request).await?.into_inner())
                })*
                _ => Err(Status::unimplemented(format!("no method {PREFIX}{method}"))),
            }
        }
    };
}

unary_methods! {
    "Submit" => submit(pb::SubmitRequest),
    "Get" => get(pb::GetRequest),
    "List" => list(pb::ListRequest),
    "GetCertificate" => get_certificate(pb::GetRequest),
    "Extend" => extend(pb::ExtendRequest),
    "Retry" => retry(pb::RetryRequest),
    "Reject" => reject(pb::RejectRequest),
    "GetTreeHead" => get_tree_head(pb::GetTreeHeadRequest),
    "GetConsistencyProof" => get_consistency_proof(pb::GetConsistencyProofRequest),
    "GetReport" => get_report(pb::GetReportRequest),
    "CompleteTask" => complete_task(pb::CompleteTaskRequest),
    "ListTasks" => list_tasks(pb::ListTasksRequest),
    "StartReplay" => start_replay(pb::StartReplayRequest),
    "GetReplay" => get_replay(pb::GetReplayRequest),
}

/// The request message in proto3 JSON (an empty body is the empty message), as a tonic
/// request carrying the caller.
pub(super) fn parse<T: DeserializeOwned + Default>(
    method: &str,
    body: &[u8],
    actor: Option<Actor>,
) -> Result<tonic::Request<T>, Status> {
    let message = match body.iter().all(u8::is_ascii_whitespace) {
        true => T::default(),
        false => serde_json::from_slice(body).map_err(|e| {
            Status::invalid_argument(format!(
                "the body is not {method}'s request in proto3 JSON ({} at line {}, column {})",
                kind(&e),
                e.line(),
                e.column()
            ))
        })?,
    };
    Ok(request(message, actor))
}

/// A tonic request carrying the caller, as the gRPC service reads it.
pub(super) fn request<T>(message: T, actor: Option<Actor>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(actor) = actor {
        request.extensions_mut().insert(actor);
    }
    request
}

/// What is wrong with a body, without serde's message (which may quote the value).
fn kind(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => "malformed JSON",
        Category::Data => "a field of the wrong type, or an unknown value",
        Category::Io => "unreadable",
    }
}

fn to_json(message: &impl Serialize) -> Result<String, Status> {
    serde_json::to_string(message).map_err(|_| Status::internal("the answer could not be encoded"))
}

#[derive(Debug, serde::Deserialize)]
struct WatchQuery {
    request_id: String,
}

/// `Watch` as server-sent events: each event's data is one `ErasureRequest` in proto3
/// JSON; a failure ends the stream with an `error` event carrying `{code, message}`.
async fn watch<S: ErasureService>(
    axum::extract::State(api): axum::extract::State<Arc<S>>,
    Query(query): Query<WatchQuery>,
    caller: Caller,
) -> Response {
    let get = pb::GetRequest {
        request_id: query.request_id,
    };
    let stream = match api.watch(request(get, caller.map(|Extension(a)| a))).await {
        Ok(response) => response.into_inner(),
        Err(status) => return error(&status),
    };
    let events = stream.map(|item| {
        let event = match item.and_then(|view| to_json(&view)) {
            Ok(json) => Event::default().data(json),
            Err(status) => Event::default().event("error").data(error_body(&status)),
        };
        Ok::<_, Infallible>(event)
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// A refusal or failure as the gateway answers it.
pub fn error(status: &Status) -> Response {
    let json = [(header::CONTENT_TYPE, "application/json")];
    (http_status(status.code()), json, error_body(status)).into_response()
}

fn error_body(status: &Status) -> String {
    serde_json::json!({ "code": code_name(status.code()), "message": status.message() }).to_string()
}

/// The HTTP status for a gRPC code (as grpc-gateway maps them).
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The code's name as in the gRPC specification: `INVALID_ARGUMENT`, …
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unary_method_of_the_service_is_routed() {
        let methods = crate::access::table::api_methods();
        let unary: Vec<&str> = methods.into_iter().filter(|m| *m != "Watch").collect();
        assert_eq!(
            unary, UNARY,
            "the gateway routes every unary method of api.proto"
        );
    }

    #[test]
    fn a_malformed_body_is_refused_without_echoing_it() {
        let body = br#"{"identifiers": {"email": "aino@example.com"}, "channel": 7}"#;
        let status = parse::<pb::SubmitRequest>("Submit", body, None).expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(!status.message().contains("aino"), "{}", status.message());
        assert!(status.message().contains("Submit"), "{}", status.message());
    }

    #[test]
    fn proto3_json_names_are_lower_camel_case_and_enums_their_names() {
        let request: pb::ListRequest =
            serde_json::from_str(r#"{"status": "REQUEST_STATUS_COMPLETED", "pageSize": 5}"#)
                .expect("proto3 JSON");
        assert_eq!(request.status, pb::RequestStatus::Completed as i32);
        assert_eq!(request.page_size, 5);
        let named: pb::GetRequest =
            serde_json::from_str(r#"{"request_id": "r-1"}"#).expect("the proto field name too");
        assert_eq!(named.request_id, "r-1");
        let head = to_json(&pb::TreeHeadResponse {
            tree_size: 12,
            ..Default::default()
        })
        .expect("json");
        assert_eq!(head, r#"{"treeSize":"12"}"#, "64-bit integers as strings");
        let json = to_json(&pb::SubmitResponse {
            request_id: "r-1".into(),
            existing: true,
        })
        .expect("json");
        assert_eq!(json, r#"{"requestId":"r-1","existing":true}"#);
    }
}
