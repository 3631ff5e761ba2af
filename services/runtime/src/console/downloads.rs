//! The console's downloads that are pages rather than API messages: the certificate and
//! the period report as `erasure certificate --html` and `erasure report --format html`
//! render them, and the receipt for the person in their language. Each is a `POST` with
//! a JSON body (`{"requestId": …}`, the receipt also `"language"`), so that nothing
//! about a request travels in a URL, and each calls the API method it needs in process
//! (the authorisation table gives each path that method's roles).

use super::gateway::{error, parse, request};
use crate::render::{html, receipt};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use erasure_core::access::Actor;
use erasure_proto::v1 as pb;
use erasure_proto::v1::erasure_service_server::ErasureService;
use serde::Deserialize;
use std::sync::Arc;
use tonic::Status;

pub fn router<S: ErasureService>(api: Arc<S>) -> Router {
    Router::new()
        .route("/console/certificate.html", post(certificate::<S>))
        .route("/console/receipt.html", post(receipt::<S>))
        .route("/console/report.html", post(report::<S>))
        .with_state(api)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReceiptBody {
    request_id: String,
    /// fi, sv, en or de.
    language: String,
}

type Caller = Option<Extension<Actor>>;

fn actor(caller: Caller) -> Option<Actor> {
    caller.map(|Extension(a)| a)
}

fn page(name: &str, rendered: Result<String, Status>) -> Response {
    match rendered {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            html,
        )
            .into_response(),
        Err(status) => error(&status),
    }
}

fn rendering(e: impl std::fmt::Display) -> Status {
    tracing::error!(error = %e, "a console download could not be rendered");
    Status::internal("the page could not be rendered; see the server log")
}

async fn certificate<S: ErasureService>(
    State(api): State<Arc<S>>,
    caller: Caller,
    body: Bytes,
) -> Response {
    let rendered = async {
        let request = parse::<pb::GetRequest>("certificate.html", &body, actor(caller))?;
        let files = api.get_certificate(request).await?.into_inner();
        html::certificate_from_json(&files.certificate_json, &files.supplement_json)
            .map_err(rendering)
    };
    page("certificate.html", rendered.await)
}

async fn receipt<S: ErasureService>(
    State(api): State<Arc<S>>,
    caller: Caller,
    body: Bytes,
) -> Response {
    let rendered = async {
        let body = parse::<ReceiptBody>("receipt.html", &body, None)?.into_inner();
        let language: receipt::Language = body
            .language
            .parse()
            .map_err(|e: receipt::UnsupportedLanguage| Status::invalid_argument(e.to_string()))?;
        let get = pb::GetRequest {
            request_id: body.request_id,
        };
        let view = api.get(request(get, actor(caller))).await?.into_inner();
        let document = receipt::compose(&view, language).map_err(rendering)?;
        document.html().map_err(rendering)
    };
    page("receipt.html", rendered.await)
}

async fn report<S: ErasureService>(
    State(api): State<Arc<S>>,
    caller: Caller,
    body: Bytes,
) -> Response {
    let rendered = async {
        let request = parse::<pb::GetReportRequest>("report.html", &body, actor(caller))?;
        let file = api.get_report(request).await?.into_inner();
        html::report_from_json(&file.report_json).map_err(rendering)
    };
    page("report.html", rendered.await)
}
