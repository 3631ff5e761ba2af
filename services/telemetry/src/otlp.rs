//! OTLP export, configured by the standard OpenTelemetry environment variables:
//!
//! - `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
//!   `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` for one signal): where to send; unset, nothing
//!   is exported.
//! - `OTEL_EXPORTER_OTLP_PROTOCOL`: `grpc`, the only protocol of this build (the default).
//!   An `https://` endpoint is reached over TLS, verified against the system's roots.
//! - `OTEL_SERVICE_NAME`: the service name; default `erasure`.
//! - `OTEL_SDK_DISABLED=true`: no export even with an endpoint.
//!
//! The exporter itself reads the rest (`OTEL_EXPORTER_OTLP_HEADERS`, `..._TIMEOUT`,
//! `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_RESOURCE_ATTRIBUTES`).

use opentelemetry_otlp::tonic_types::transport::ClientTlsConfig;
use opentelemetry_otlp::{MetricExporter, SpanExporter, WithExportConfig as _, WithTonicConfig};
use opentelemetry_sdk::Resource;
use tracing_subscriber::EnvFilter;

/// The OTLP configuration cannot be used.
#[derive(Debug)]
pub struct TelemetryError(pub String);

impl std::fmt::Display for TelemetryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TelemetryError {}

/// One of the two signals exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    Traces,
    Metrics,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Self::Traces => "TRACES",
            Self::Metrics => "METRICS",
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Whether `signal` is exported: an endpoint is set for it and the SDK is not disabled.
/// A protocol other than gRPC is refused rather than ignored.
pub(crate) fn enabled(signal: Signal) -> Result<bool, TelemetryError> {
    if env("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return Ok(false);
    }
    let specific = format!("OTEL_EXPORTER_OTLP_{}_ENDPOINT", signal.name());
    if env("OTEL_EXPORTER_OTLP_ENDPOINT").is_none() && env(&specific).is_none() {
        return Ok(false);
    }
    let protocol = env(&format!("OTEL_EXPORTER_OTLP_{}_PROTOCOL", signal.name()))
        .or_else(|| env("OTEL_EXPORTER_OTLP_PROTOCOL"));
    match protocol.as_deref().map(str::trim) {
        None | Some("grpc") => Ok(true),
        Some(other) => Err(TelemetryError(format!(
            "OTEL_EXPORTER_OTLP_PROTOCOL={other} is not supported: this build exports OTLP over grpc (unset it, or set it to grpc)"
        ))),
    }
}

/// Whether `signal` goes to an `https://` endpoint.
fn https(signal: Signal) -> bool {
    env(&format!("OTEL_EXPORTER_OTLP_{}_ENDPOINT", signal.name()))
        .or_else(|| env("OTEL_EXPORTER_OTLP_ENDPOINT"))
        .is_some_and(|e| e.trim().to_ascii_lowercase().starts_with("https://"))
}

/// `builder` with TLS verified against the system's roots when `signal` goes to an
/// `https://` endpoint (tonic's own default TLS trusts no root at all).
fn with_tls<B: WithTonicConfig>(builder: B, signal: Signal) -> B {
    match https(signal) {
        true => builder.with_tls_config(ClientTlsConfig::new().with_native_roots()),
        false => builder,
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> TelemetryError {
    TelemetryError(format!("cannot set up the OTLP {what} exporter: {e}"))
}

/// The span exporter, when traces are exported.
pub(crate) fn span_exporter() -> Result<Option<SpanExporter>, TelemetryError> {
    if !enabled(Signal::Traces)? {
        return Ok(None);
    }
    let builder = SpanExporter::builder()
        .with_tonic()
        .with_protocol(opentelemetry_otlp::Protocol::Grpc);
    let built = with_tls(builder, Signal::Traces).build();
    built.map(Some).map_err(|e| failed("span", e))
}

/// The metric exporter, when metrics are exported.
pub(crate) fn metric_exporter() -> Result<Option<MetricExporter>, TelemetryError> {
    if !enabled(Signal::Metrics)? {
        return Ok(None);
    }
    let builder = MetricExporter::builder()
        .with_tonic()
        .with_protocol(opentelemetry_otlp::Protocol::Grpc);
    let built = with_tls(builder, Signal::Metrics).build();
    built.map(Some).map_err(|e| failed("metric", e))
}

/// The service this process is: `OTEL_SERVICE_NAME` (and `OTEL_RESOURCE_ATTRIBUTES`),
/// else `erasure`.
pub(crate) fn resource() -> Resource {
    let builder = Resource::builder();
    match env("OTEL_SERVICE_NAME") {
        Some(_) => builder.build(),
        None => builder.with_service_name("erasure").build(),
    }
}

/// Which spans reach OpenTelemetry: info and above, none of the exporter's own transport
/// (its spans would be exported in turn, without end).
pub(crate) fn span_filter() -> EnvFilter {
    EnvFilter::new(
        "info,h2=off,hyper=off,hyper_util=off,tonic=off,tower=off,opentelemetry=off,opentelemetry_sdk=off,opentelemetry_otlp=off",
    )
}
