//! `GET /metrics` on the HTTP listener (`[server] http_listen`): the coordinator's metrics
//! in the Prometheus text format, read at scrape time. The access layer guards it like every
//! other call (`access::table`: platform or auditor role; open in open mode).

use crate::access::table::METRICS_PATH;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use erasure_telemetry::Metrics;
use std::sync::Arc;

/// The router with `GET /metrics`.
pub fn router(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route(METRICS_PATH, get(scrape))
        .with_state(metrics)
}

async fn scrape(State(metrics): State<Arc<Metrics>>) -> Response {
    match metrics.render() {
        Some(text) => (
            [(
                header::CONTENT_TYPE,
                erasure_telemetry::metrics::CONTENT_TYPE,
            )],
            text,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no metrics registry\n").into_response(),
    }
}
