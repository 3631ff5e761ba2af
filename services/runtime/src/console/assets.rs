//! The console's pages, styles and scripts (`services/runtime/console/`), embedded in the
//! binary: plain HTML, CSS and JavaScript modules, no build step. Every console response
//! carries a strict content security policy (scripts and styles from this server only,
//! none inline, nothing from elsewhere) and `nosniff`.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Scripts, styles, fetches and images from this origin only; no inline script or style,
/// no plugins, no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

macro_rules! asset {
    ($name:literal, $type:literal) => {
        ($name, $type, include_str!(concat!("../../console/", $name)))
    };
}
/// Each file under `/console/` with its content type.
const FILES: &[(&str, &str, &str)] = &[
    asset!("console.css", "text/css"),
    asset!("api.js", "text/javascript"),
    asset!("app.js", "text/javascript"),
    asset!("dom.js", "text/javascript"),
    asset!("validate.js", "text/javascript"),
    asset!("submit.js", "text/javascript"),
    asset!("queue.js", "text/javascript"),
    asset!("request.js", "text/javascript"),
    asset!("auditor.js", "text/javascript"),
];

const INDEX: &str = include_str!("../../console/index.html");

pub fn router() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/console/{file}", get(file))
}

async fn index() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response()
}

async fn file(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, ..)| *n == name) {
        Some((_, content_type, body)) => {
            ([(header::CONTENT_TYPE, *content_type)], *body).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

/// The headers of every console response.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_page_has_inline_script_or_style() {
        for (name, _, body) in FILES.iter().chain([&("index.html", "", INDEX)]) {
            assert!(!body.contains("<script>"), "{name}: inline script");
            assert!(!body.contains("style="), "{name}: inline style");
            assert!(
                !body.contains("http://") && !body.contains("https://"),
                "{name}: an external address"
            );
        }
    }

    #[test]
    fn every_module_the_pages_import_is_served() {
        for (name, _, body) in FILES {
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                let Some(path) = line.split('"').nth(1) else {
                    continue;
                };
                let file = path.trim_start_matches("./");
                assert!(
                    FILES.iter().any(|(n, ..)| *n == file),
                    "{name} imports {path}, which is not served"
                );
            }
        }
    }
}
