//! Tracing for every process of the orchestrator, and W3C trace context (`traceparent`)
//! carried in message headers, so one request's trace crosses the coordinator, the bus
//! and the connectors.
//!
//! Spans carry request ids and system ids, never identifiers of people.

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the subscriber: human-readable logs on stderr filtered by `$ERASURE_LOG`
/// (default `info`), and OpenTelemetry span contexts so that trace ids propagate.
/// No exporter is configured: spans are not shipped anywhere yet.
pub fn init() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ERASURE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    let provider = SdkTracerProvider::builder().build();
    let otel = tracing_opentelemetry::layer().with_tracer(provider.tracer("erasure"));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init();
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
