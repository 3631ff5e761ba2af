//! The meter provider: one set of OpenTelemetry instruments, read by the OTLP exporter
//! (every `OTEL_METRIC_EXPORT_INTERVAL`, default 60 s, and once more at shutdown) and by a
//! Prometheus registry that `GET /metrics` renders at scrape time.
//!
//! Installed as the global provider, so instruments are made with
//! `opentelemetry::global::meter`. Without a reader (no OTLP endpoint, no `/metrics`)
//! nothing is installed: instruments are no-ops and [`enabled`] says so, so that callers
//! skip bookkeeping nobody reads.

use crate::otlp::{self, TelemetryError};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use std::sync::atomic::{AtomicU64, Ordering};

/// How many meter providers were installed in this process (0: none).
static INSTALLED: AtomicU64 = AtomicU64::new(0);

/// Whether a meter provider with a reader is installed.
pub fn enabled() -> bool {
    generation() > 0
}

/// Changes with every [`install`]: instruments made before it record into the provider it
/// replaced, so a caller that keeps instruments makes them again (a test process may start
/// several servers).
pub fn generation() -> u64 {
    INSTALLED.load(Ordering::Acquire)
}

/// The installed meter provider and, when `/metrics` is served, its registry.
#[derive(Debug, Default)]
#[must_use = "shut it down before exiting, so that the last metrics are exported"]
pub struct Metrics {
    provider: Option<SdkMeterProvider>,
    registry: Option<prometheus::Registry>,
}

/// Installs the global meter provider with the OTLP reader when an endpoint is set, and a
/// Prometheus registry when `prometheus` (the server serves `/metrics`). Neither: nothing
/// is installed. Call it inside the Tokio runtime, before instruments are made.
pub fn install(prometheus: bool) -> Result<Metrics, TelemetryError> {
    let otlp = otlp::metric_exporter()?;
    if otlp.is_none() && !prometheus {
        return Ok(Metrics::default());
    }
    let mut builder = SdkMeterProvider::builder().with_resource(otlp::resource());
    if let Some(exporter) = otlp {
        builder = builder.with_reader(PeriodicReader::builder(exporter).build());
    }
    let mut registry = None;
    if prometheus {
        let r = prometheus::Registry::new();
        builder = builder.with_reader(prometheus_reader(&r)?);
        registry = Some(r);
    }
    let provider = builder.build();
    opentelemetry::global::set_meter_provider(provider.clone());
    INSTALLED.fetch_add(1, Ordering::AcqRel);
    Ok(Metrics {
        provider: Some(provider),
        registry,
    })
}

/// The reader that fills `registry` at each gather: plain names (no scope labels, no
/// `target_info`), counters with `_total`, units as suffixes (`_seconds`).
fn prometheus_reader(
    registry: &prometheus::Registry,
) -> Result<opentelemetry_prometheus::PrometheusExporter, TelemetryError> {
    opentelemetry_prometheus::exporter()
        .with_registry(registry.clone())
        .scope_info_enabled(false)
        .without_target_info()
        .build()
        .map_err(|e| TelemetryError(format!("cannot set up the Prometheus registry: {e}")))
}

impl Metrics {
    /// Whether `/metrics` has a registry to render.
    pub fn serves_prometheus(&self) -> bool {
        self.registry.is_some()
    }

    /// The current values in the Prometheus text format (version 0.0.4); observable
    /// instruments are read now. `None` without a registry.
    pub fn render(&self) -> Option<String> {
        let registry = self.registry.as_ref()?;
        let mut text = String::new();
        let encoded = prometheus::TextEncoder::new().encode_utf8(&registry.gather(), &mut text);
        if let Err(e) = encoded {
            tracing::warn!(error = %e, "cannot encode the metrics");
        }
        Some(text)
    }

    /// Exports what was recorded since the last export and stops the readers (blocks).
    pub fn shutdown(&self) {
        if let Some(provider) = &self.provider
            && let Err(e) = provider.shutdown()
        {
            eprintln!("warning: the last metrics may not have been exported: {e}");
        }
    }
}

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::KeyValue;
    use opentelemetry::metrics::MeterProvider as _;

    #[test]
    fn an_instrument_reaches_the_registry() {
        let registry = prometheus::Registry::new();
        let reader = prometheus_reader(&registry).expect("reader");
        let provider = SdkMeterProvider::builder().with_reader(reader).build();
        let metrics = Metrics {
            provider: Some(provider.clone()),
            registry: Some(registry),
        };
        let counter = provider.meter("test").u64_counter("erasure_things").build();
        counter.add(2, &[KeyValue::new("system", "crm")]);
        let text = metrics.render().expect("text");
        assert!(
            text.contains("erasure_things_total{system=\"crm\"} 2"),
            "{text}"
        );
    }
}
