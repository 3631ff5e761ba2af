//! Tracing and metrics for every process of the orchestrator, and W3C trace context
//! (`traceparent`) carried in message headers, so one request's trace crosses the
//! coordinator, the bus and the connectors.
//!
//! - [`init`]: logs on stderr, OpenTelemetry span contexts, and with
//!   `OTEL_EXPORTER_OTLP_ENDPOINT` the spans exported over OTLP ([`otlp`]).
//! - [`metrics`]: the meter provider the instruments record into, read by OTLP and by the
//!   Prometheus registry behind `GET /metrics`.
//!
//! Spans and metric labels carry request ids, system ids and states, never identifiers of
//! people.

pub mod metrics;
pub mod otlp;

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub use metrics::Metrics;
pub use otlp::TelemetryError;

/// The log filter without `$ERASURE_LOG`.
const DEFAULT_LOG: &str = "info,opentelemetry=warn,opentelemetry_sdk=warn,opentelemetry_otlp=warn";

/// What the spans go to beyond the logs: the OTLP exporter when one is configured.
/// [`Tracing::shutdown`] sends the spans still waiting; call it before the process exits.
#[derive(Debug)]
#[must_use = "shut it down before exiting, so that the last spans are sent"]
pub struct Tracing {
    provider: SdkTracerProvider,
    exporting: bool,
}

impl Tracing {
    /// Whether spans are exported over OTLP.
    pub fn exporting(&self) -> bool {
        self.exporting
    }

    /// Sends the spans still waiting and stops the exporter (blocks until it has).
    pub fn shutdown(self) {
        if self.exporting
            && let Err(e) = self.provider.shutdown()
        {
            eprintln!("warning: the last spans may not have been exported: {e}");
        }
    }
}

/// Installs the subscriber: human-readable logs on stderr filtered by `$ERASURE_LOG`
/// (default `info`, the OpenTelemetry SDK's own notes from `warn`), and OpenTelemetry span contexts so that trace ids propagate. With
/// `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, spans of
/// level info and above are exported over OTLP/gRPC; without it nothing is exported.
/// Call it inside the Tokio runtime: the exporter's channel runs on it.
pub fn init() -> Result<Tracing, TelemetryError> {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ERASURE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .with_filter(filter);
    let exporter = otlp::span_exporter()?;
    let exporting = exporter.is_some();
    let mut builder = SdkTracerProvider::builder();
    if let Some(exporter) = exporter {
        builder = builder
            .with_batch_exporter(exporter)
            .with_resource(otlp::resource());
    }
    let provider = builder.build();
    let otel = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("erasure"))
        .with_filter(otlp::span_filter());
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(otel)
        .try_init();
    Ok(Tracing {
        provider,
        exporting,
    })
}

struct HeaderInjector<'a>(&'a mut Vec<(String, String)>);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        self.0.push((key.to_owned(), value));
    }
}

struct HeaderExtractor<'a>(&'a [(String, String)]);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }
}

/// Adds `traceparent` (and `tracestate`) of the current span to `headers`. Without an
/// installed OpenTelemetry layer there is no valid context and nothing is added.
pub fn inject_current(headers: &mut Vec<(String, String)>) {
    let cx = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&cx, &mut HeaderInjector(headers));
}

/// Makes `span` a child of the trace named in `headers`, if they carry one.
pub fn continue_trace(span: &tracing::Span, headers: &[(String, String)]) {
    let cx = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    let _ = span.set_parent(cx);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_crosses_headers() {
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let mut headers = Vec::new();
            let sender = tracing::info_span!("send");
            sender.in_scope(|| inject_current(&mut headers));
            let traceparent = headers
                .iter()
                .find(|(k, _)| k == "traceparent")
                .map(|(_, v)| v.clone())
                .expect("traceparent");
            assert_eq!(traceparent.split('-').count(), 4, "{traceparent}");
            let sent_trace = traceparent.split('-').nth(1).expect("trace id").to_owned();

            let receiver = tracing::info_span!("receive");
            continue_trace(&receiver, &headers);
            let mut forwarded = Vec::new();
            receiver.in_scope(|| inject_current(&mut forwarded));
            let forwarded_trace = forwarded[0]
                .1
                .split('-')
                .nth(1)
                .expect("trace id")
                .to_owned();
            assert_eq!(
                forwarded_trace, sent_trace,
                "the receiver continues the sender's trace"
            );
        });
    }

    #[test]
    fn no_context_adds_nothing() {
        let mut headers = Vec::new();
        inject_current(&mut headers);
        assert!(headers.is_empty());
    }
}
