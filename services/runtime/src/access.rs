//! Who may call the API: authentication, the authorisation table and rate limits, as
//! layers given to [`crate::server::Server::layer`] around every call.
//!
//! - [`token`]: bearer JWTs checked against the configured keys; the principal.
//! - [`table`]: the one table of which roles may call which method.
//! - [`limit`]: calls per principal (`governor`), after authentication.
//! - [`tls`]: the listener's TLS and the roles of client certificates.
//!
//! An admitted call carries its [`Actor`] (subject and the role that allowed it) in the
//! request's extensions, where the gRPC service reads it to record who acted; a call
//! admitted in the controller role also carries its [`ControllerId`] (the token's
//! controller claim). Refusals: UNAUTHENTICATED (no or invalid credentials, one line,
//! never the token), PERMISSION_DENIED (naming the role needed); a call that is not gRPC
//! (the HTTP endpoints) gets them as HTTP 401 and 403 with an OpenDSR error object, or on
//! the console's JSON gateway with its own (`console::gateway`).

pub mod limit;
pub mod table;
pub mod tls;
pub mod token;

use crate::config::{AuthConfig, Config};
use crate::server::Server;
use anyhow::Result;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use erasure_core::access::{Actor, Role};
use std::net::SocketAddr;
use std::sync::Arc;
use table::{Rule, method_name};
use tls::CertificateRoles;
use token::{Principal, Refused, Verifier};
use tonic::Status;

/// The checks of one server: its token verifier and its client certificates' roles.
#[derive(Debug)]
pub struct Access {
    verifier: Verifier,
    certificates: CertificateRoles,
}

impl Access {
    pub fn from_config(config: &AuthConfig) -> Result<Self> {
        Ok(Self {
            verifier: Verifier::from_config(config)?,
            certificates: CertificateRoles::from_config(&config.client_certificates)?,
        })
    }

    /// The actor a call is admitted as (`None` for public calls) with the controller its
    /// token names and every role it holds, or its refusal.
    fn admit(&self, request: &Request) -> Result<Option<(Actor, Option<String>, Roles)>, Status> {
        let path = request.uri().path();
        let method = method_name(path);
        let Some(rule) = table::rule(path) else {
            return Err(Status::permission_denied(format!(
                "{method}: no role may call it"
            )));
        };
        if rule == Rule::Public {
            return Ok(None);
        }
        let principal = self.principal(request)?;
        let allowed: &[Role] = match rule {
            Rule::Roles(roles) => roles,
            _ => &Role::STAFF,
        };
        match allowed.iter().find(|r| principal.roles.contains(r)) {
            Some(role) => Ok(Some((
                Actor::new(principal.subject, *role),
                principal.controller.filter(|_| *role == Role::Controller),
                Roles(principal.roles),
            ))),
            None => Err(Status::permission_denied(format!(
                "{method} needs the {} role; {} has {}",
                names(allowed, " or "),
                principal.subject,
                match principal.roles.as_slice() {
                    [] => "no role".to_owned(),
                    roles => names(roles, ", "),
                }
            ))),
        }
    }

    /// From the bearer token when there is one, else from a verified client certificate.
    fn principal(&self, request: &Request) -> Result<Principal, Status> {
        let header = request.headers().get(http_header::AUTHORIZATION);
        if let Some(value) = header {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer ").or(v.strip_prefix("bearer ")))
                .ok_or_else(|| {
                    Status::unauthenticated("the authorization header is not `Bearer <token>`")
                })?;
            return self
                .verifier
                .verify(token.trim())
                .map_err(|Refused(why)| Status::unauthenticated(format!("invalid token: {why}")));
        }
        if let Some(p) = self.certificates.principal(request) {
            return Ok(p);
        }
        Err(Status::unauthenticated(
            "authentication required: send a bearer token (erasure --token-file FILE, or ERASURE_TOKEN)",
        ))
    }
}

mod http_header {
    pub use axum::http::header::AUTHORIZATION;
}

fn names(roles: &[Role], sep: &str) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

/// The authentication layer's function, for `axum::middleware::from_fn_with_state`.
pub async fn authenticate(
    State(access): State<Arc<Access>>,
    mut request: Request,
    next: Next,
) -> Response {
    match access.admit(&request) {
        Ok(admitted) => {
            if let Some((actor, controller, roles)) = admitted {
                request.extensions_mut().insert(actor);
                request.extensions_mut().insert(roles);
                if let Some(controller) = controller {
                    request.extensions_mut().insert(ControllerId(controller));
                }
            }
            next.run(request).await
        }
        Err(status) => {
            tracing::info!(code = ?status.code(), path = request.uri().path(), "call refused");
            refusal(&request, &status)
        }
    }
}

/// A refused call's answer in the caller's protocol: a gRPC status, the console gateway's
/// error, or an HTTP error object.
pub(crate) fn refusal(request: &Request, status: &Status) -> Response {
    if is_grpc(request) {
        status.clone().into_http()
    } else if request.uri().path().starts_with(table::GATEWAY) {
        crate::console::gateway::error(status)
    } else {
        plain_refusal(status)
    }
}

/// Every role the caller holds (the console shows only the controls they may use).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roles(pub Vec<Role>);

/// The controller a call in the "controller" role acts for, from its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerId(pub String);

fn is_grpc(request: &Request) -> bool {
    request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"))
}

/// A refusal for an HTTP client: 401 or 403 with an OpenDSR error object.
fn plain_refusal(status: &Status) -> Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let code = match status.code() {
        tonic::Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        tonic::Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::FORBIDDEN,
    };
    let body = serde_json::json!({
        "error": { "code": code.as_u16(), "message": status.message() }
    });
    let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
    (code, json, body.to_string()).into_response()
}

/// Open mode (no `[auth]`) only on loopback addresses; `Ok(true)` when open.
pub fn check_listen(config: &Config, listen: SocketAddr) -> Result<bool> {
    if config.auth.is_some() {
        if !config.auth.iter().all(|a| a.client_certificates.is_empty())
            && config
                .tls
                .as_ref()
                .and_then(|t| t.client_ca_file.as_ref())
                .is_none()
        {
            anyhow::bail!(
                "auth.client_certificates needs tls.client_ca_file (the CA that issues them)"
            );
        }
        return Ok(false);
    }
    if !listen.ip().is_loopback() {
        anyhow::bail!(
            "refusing to serve {listen} without authentication: add an [auth] section (issuer, audience, and hs256_secret_file or jwks_file; see README \"Access\"), or listen on 127.0.0.1"
        );
    }
    Ok(true)
}

/// The configuration's TLS, authentication and rate limit, read and checked.
#[derive(Debug, Default)]
pub struct Security {
    limiter: Option<Arc<limit::Limiter>>,
    access: Option<Arc<Access>>,
    tls: Option<tonic::transport::ServerTlsConfig>,
}

impl Security {
    /// Reads keys and certificates now, so that a mistake stops the start.
    pub fn from_config(config: &Config) -> Result<Self> {
        let limiter = config.rate_limit.as_ref().map(limit::Limiter::from_config);
        let access = config.auth.as_ref().map(Access::from_config);
        let tls = config.tls.as_ref().map(tls::server_config);
        Ok(Self {
            limiter: limiter.transpose()?.map(Arc::new),
            access: access.transpose()?.map(Arc::new),
            tls: tls.transpose()?,
        })
    }

    /// `server` with TLS and the layers.
    pub fn apply(self, mut server: Server) -> Server {
        // The last layer added is the outermost: authentication runs before the limit.
        if let Some(limiter) = self.limiter {
            server = server.layer(from_fn_with_state(limiter, limit::limit));
        }
        if let Some(access) = self.access {
            server = server.layer(from_fn_with_state(access, authenticate));
        }
        match self.tls {
            Some(tls) => server.tls(tls),
            None => server,
        }
    }
}
