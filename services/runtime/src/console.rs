//! The web console on the HTTP listener (`[server] http_listen`), for customer service,
//! supervisors and auditors: static pages embedded in the binary, which call the API
//! through the JSON gateway with the user's bearer token (docs/console.md).
//!
//! - [`gateway`]: `POST /api/v1/{Method}` in proto3 JSON and `GET /api/v1/Watch` as
//!   server-sent events, over the gRPC service in process.
//! - [`assets`]: the pages, styles and scripts, with a strict content security policy.
//! - [`downloads`]: the certificate, receipt and report as HTML pages to save, rendered
//!   as `erasure certificate --html` and the others render them.
//! - [`guard`]: calls only from the console's own origin (no cross-site forgery, no DNS
//!   rebinding in open mode).
//!
//! `GET /console/session` tells the signed-in user who they are and which methods they
//! may call, so that the pages show only the controls their roles allow (the API refuses
//! the others anyway).

pub mod assets;
pub mod downloads;
pub mod gateway;
pub mod guard;

use crate::access::Roles;
use crate::access::table::{CONSOLE_SESSION, METHODS};
use axum::Router;
use axum::extract::Extension;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use erasure_core::access::{Actor, Role};
use erasure_proto::v1::erasure_service_server::ErasureService;
use std::sync::Arc;

/// Every route of the console over `api`; `open`: the server runs in open mode.
pub fn router<S: ErasureService>(api: Arc<S>, open: bool) -> Router {
    let calls = Router::new()
        .route(CONSOLE_SESSION, get(session))
        .merge(downloads::router(Arc::clone(&api)))
        .merge(gateway::router(api))
        .layer(from_fn_with_state(guard::Open(open), guard::same_origin));
    calls
        .merge(assets::router())
        .layer(axum::middleware::map_response(assets::security_headers))
}

/// Who the caller is and what they may call: in open mode (no `[auth]`), every staff
/// method, as the CLI may.
async fn session(actor: Option<Extension<Actor>>, roles: Option<Extension<Roles>>) -> Response {
    let (subject, roles) = match (actor, roles) {
        (Some(Extension(actor)), Some(Extension(Roles(roles)))) => (Some(actor.subject), roles),
        _ => (None, Role::STAFF.to_vec()),
    };
    let methods: Vec<&str> = METHODS
        .iter()
        .filter(|(_, allowed)| allowed.iter().any(|r| roles.contains(r)))
        .map(|(m, _)| *m)
        .collect();
    let body = serde_json::json!({
        "authenticated": subject.is_some(),
        "subject": subject.unwrap_or_default(),
        "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "methods": methods,
    });
    let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
    (json, body.to_string()).into_response()
}
