//! What a browser must not be made to do on another site's behalf. The gateway takes no
//! cookie, so with `[auth]` a forged call carries no token and is refused; but in open
//! mode (no `[auth]`, loopback only) nothing else would stop a page elsewhere from posting
//! to the loopback server. So every call to the gateway and the downloads must be
//! `Content-Type: application/json` when it is a `POST` (a page on another site cannot
//! send that without a CORS preflight, which this server never grants), and in open mode
//! also:
//!
//! - come from this origin, when the browser says where it comes from (`Origin`);
//! - name a loopback host (`Host`), so that a name rebound to 127.0.0.1 (DNS rebinding)
//!   does not make another site this origin.
//!
//! (With `[auth]` the console may sit behind a proxy that rewrites `Host`; the token is
//! what protects it there.)

use super::gateway::error;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tonic::Status;

/// Whether the server runs in open mode (then `Host` must be a loopback name).
#[derive(Clone, Copy, Debug)]
pub struct Open(pub bool);

pub async fn same_origin(State(Open(open)): State<Open>, request: Request, next: Next) -> Response {
    match check(&request, open) {
        Ok(()) => next.run(request).await,
        Err(status) => error(&status),
    }
}

fn check(request: &Request, open: bool) -> Result<(), Status> {
    let headers = request.headers();
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let host = text(header::HOST).unwrap_or_default();
    if open && !is_loopback(host) {
        return Err(Status::permission_denied(
            "open mode answers loopback addresses only (Host: localhost or 127.0.0.1)",
        ));
    }
    if let Some(origin) = text(header::ORIGIN).filter(|_| open) {
        let authority = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if authority != host {
            return Err(Status::permission_denied(
                "calls from another site are refused",
            ));
        }
    }
    let json = text(header::CONTENT_TYPE).is_some_and(|t| t.starts_with("application/json"));
    if request.method() == Method::POST && !json {
        return Err(Status::invalid_argument(
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    Ok(())
}

/// `localhost`, `127.0.0.1`, `[::1]`, with or without a port.
fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method(method).uri("/api/v1/Submit");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).expect("request")
    }

    #[test]
    fn a_same_origin_json_call_passes() {
        let r = request(
            Method::POST,
            &[
                ("host", "127.0.0.1:9464"),
                ("origin", "http://127.0.0.1:9464"),
                ("content-type", "application/json"),
            ],
        );
        assert!(check(&r, true).is_ok());
        // A program (curl) sends no Origin.
        let r = request(
            Method::POST,
            &[
                ("host", "localhost:9464"),
                ("content-type", "application/json"),
            ],
        );
        assert!(check(&r, true).is_ok());
    }

    #[test]
    fn another_sites_page_is_refused() {
        let plain = request(
            Method::POST,
            &[("host", "127.0.0.1:9464"), ("content-type", "text/plain")],
        );
        assert_eq!(
            check(&plain, true).expect_err("text").code(),
            tonic::Code::InvalidArgument
        );
        let elsewhere = request(
            Method::POST,
            &[
                ("host", "127.0.0.1:9464"),
                ("origin", "https://evil.example"),
                ("content-type", "application/json"),
            ],
        );
        assert_eq!(
            check(&elsewhere, true).expect_err("origin").code(),
            tonic::Code::PermissionDenied
        );
        let rebound = request(Method::GET, &[("host", "evil.example:9464")]);
        assert!(
            check(&rebound, true).is_err(),
            "a rebound name in open mode"
        );
        assert!(
            check(&rebound, false).is_ok(),
            "any name behind a proxy with [auth]"
        );
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST:80",
            "127.0.0.1:9464",
            "[::1]:9464",
            "[::1]",
            "127.0.0.2",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "evil.example",
            "10.0.0.1:9464",
            "",
            "localhost.evil.example",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
