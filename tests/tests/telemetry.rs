//! Observability end to end: `erasure serve` (the embedded default) exports its traces and
//! metrics over OTLP to a local receiver, and serves `GET /metrics` on its HTTP listener.
//! One request's spans form one trace from submit to certificate, the metrics count what a
//! user would check, and nothing exported names the person.

use erasure_tests::*;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver got: every export request, decoded, and its bytes.
#[derive(Clone, Default)]
struct Received {
    traces: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
    metrics: Arc<Mutex<Vec<ExportMetricsServiceRequest>>>,
}

impl Received {
    fn spans(&self) -> Vec<Span> {
        let traces = self.traces.lock().expect("lock");
        traces
            .iter()
            .flat_map(|r| &r.resource_spans)
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| s.spans.clone())
            .collect()
    }

    fn metric_names(&self) -> Vec<String> {
        let metrics = self.metrics.lock().expect("lock");
        metrics
            .iter()
            .flat_map(|r| &r.resource_metrics)
            .flat_map(|r| &r.scope_metrics)
            .flat_map(|s| s.metrics.iter().map(|m| m.name.clone()))
            .collect()
    }

    /// Every request as its protobuf bytes, and as its debug text (strings in the clear).
    fn everything(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for r in self.traces.lock().expect("lock").iter() {
            all.extend(r.encode_to_vec());
            all.extend(format!("{r:?}").into_bytes());
        }
        for r in self.metrics.lock().expect("lock").iter() {
            all.extend(r.encode_to_vec());
            all.extend(format!("{r:?}").into_bytes());
        }
        all
    }
}

#[tonic::async_trait]
impl TraceService for Received {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.traces.lock().expect("lock").push(request.into_inner());
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for Received {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        self.metrics
            .lock()
            .expect("lock")
            .push(request.into_inner());
        Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
    }
}

/// Starts the OTLP receiver on a free loopback port, on `runtime`.
fn receiver(runtime: &tokio::runtime::Runtime) -> (Received, u16) {
    let received = Received::default();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let services = tonic::transport::Server::builder()
        .add_service(TraceServiceServer::new(received.clone()))
        .add_service(MetricsServiceServer::new(received.clone()));
    runtime
        .spawn(services.serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)));
    (received, port)
}

/// The embedded default with `[server] http_listen` on `port`.
fn config_with_http(dir: &Path, port: u16) -> std::path::PathBuf {
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/examples/embedded.toml"),
    )
    .expect("embedded.toml");
    let config = example.replacen(
        "[server]\n",
        &format!("[server]\nhttp_listen = \"127.0.0.1:{port}\"\n"),
        1,
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, config).expect("config");
    path
}

/// One sample of the text format: its name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| l.starts_with("erasure_"))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
                .collect();
            Some(Sample {
                name: name.to_owned(),
                labels,
                value: value.parse().ok()?,
            })
        })
        .collect()
}

/// The sum of `name`'s samples whose labels include `with`.
fn total(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            with.iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.as_ref()?.value.as_ref())
        .map(|v| match v {
            Value::StringValue(s) => s.clone(),
            other => format!("{other:?}"),
        })
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

const SYSTEMS: [&str; 5] = ["crm", "cameras", "telemetry", "billing", "backups"];

#[test]
fn one_request_is_one_trace_with_counted_metrics_and_no_identifier() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (received, otlp_port) = receiver(&runtime);
    let tmp = tempfile::tempdir().expect("tmp");
    let http_port = free_port();
    let config = config_with_http(tmp.path(), http_port);
    let endpoint = format!("http://127.0.0.1:{otlp_port}");
    let mut server = Server::start_with(
        &tmp.path().join("data"),
        &[
            "--config",
            config.to_str().expect("utf-8"),
            "--with-example-data",
        ],
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_SERVICE_NAME", "erasure-under-test"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "500"),
            ("OTEL_BSP_SCHEDULE_DELAY", "200"),
        ],
    );

    // A person nobody has heard of: unique identifiers, so a leak can be searched for.
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let email = format!("Obs.{}@Example.com", &unique[..12]);
    let digits: String = unique
        .bytes()
        .filter(u8::is_ascii_digit)
        .chain(std::iter::repeat(b'7'))
        .take(7)
        .map(char::from)
        .collect();
    let phone = format!("+358 40 {digits}");
    let id = ok(&server.cli(&[
        "submit",
        "--email",
        &email,
        "--phone",
        &phone,
        "--channel",
        "phone",
        "--verified-by",
        "agent-7",
    ]))
    .trim()
    .to_owned();
    let watched = ok(&server.cli(&["watch", &id]));
    assert!(watched.contains("completed"), "{watched}");

    // /metrics, scraped once the request completed.
    let (status, body) = http_get(http_port, "/metrics", None);
    assert_eq!(status, 200, "{body}");
    let scraped = samples(&body);
    let requests = |state| total(&scraped, "erasure_requests", &[("state", state)]);
    assert_eq!(requests("completed"), 1.0, "{body}");
    assert_eq!(requests("in_progress"), 0.0, "{body}");
    assert_eq!(total(&scraped, "erasure_requests_overdue", &[]), 0.0);
    for system in SYSTEMS {
        let tasks = total(&scraped, "erasure_tasks_total", &[("system", system)]);
        assert!(tasks >= 1.0, "no task answer counted for {system}:\n{body}");
        let timed = total(
            &scraped,
            "erasure_ack_latency_seconds_count",
            &[("system", system)],
        );
        assert!(timed >= 1.0, "no latency recorded for {system}:\n{body}");
    }
    let done = |outcome| total(&scraped, "erasure_tasks_total", &[("outcome", outcome)]);
    assert!(done("nothing_found") >= 1.0, "{body}");
    assert_eq!(done("failed"), 0.0, "{body}");
    assert_eq!(total(&scraped, "erasure_acks_rejected_total", &[]), 0.0);
    assert_eq!(total(&scraped, "erasure_outbox_pending", &[]), 0.0);
    assert_eq!(
        total(
            &scraped,
            "erasure_consumer_lag",
            &[("topic", "erasure.v1.acks")]
        ),
        0.0,
        "{body}"
    );
    assert!(
        !body.to_lowercase().contains(&email.to_lowercase()),
        "/metrics names the person"
    );

    // SIGTERM: the server exports what it still holds before it exits.
    let exited = server.terminate();
    assert!(exited.success(), "{exited}\n{}", server.log_text());

    wait_for("the request's spans", || {
        received.spans().iter().any(|s| s.name == "certificate")
    });
    let spans = received.spans();
    let ours: Vec<&Span> = spans
        .iter()
        .filter(|s| attribute(s, "request_id").as_deref() == Some(id.as_str()))
        .collect();
    let names = |s: &[&Span]| s.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    for name in ["submit", "dispatch", "work_order", "ingest", "certificate"] {
        assert!(
            ours.iter().any(|s| s.name == name),
            "no {name} span for the request: {:?}",
            names(&ours)
        );
    }
    let trace = &ours[0].trace_id;
    assert!(
        ours.iter().all(|s| &s.trace_id == trace),
        "the request's spans are in more than one trace"
    );
    // Every span but the submit one has its parent among the trace's spans.
    let by_id: HashMap<&[u8], &Span> = spans
        .iter()
        .filter(|s| &s.trace_id == trace)
        .map(|s| (s.span_id.as_slice(), s))
        .collect();
    for span in ours.iter().filter(|s| s.name != "submit") {
        assert!(
            by_id.contains_key(span.parent_span_id.as_slice()),
            "{} has no parent in the trace",
            span.name
        );
    }
    // The chain, walked up from the certificate: ingest, work_order, dispatch, submit.
    let mut chain = Vec::new();
    let mut at = ours.iter().find(|s| s.name == "certificate").copied();
    while let Some(span) = at {
        chain.push(span.name.clone());
        at = by_id.get(span.parent_span_id.as_slice()).copied();
    }
    let position = |name: &str| chain.iter().position(|n| n == name);
    assert!(
        position("ingest") < position("work_order")
            && position("work_order") < position("dispatch")
            && position("dispatch") < position("submit")
            && position("ingest").is_some(),
        "certificate's ancestry: {chain:?}"
    );

    wait_for("the metrics export", || {
        received.metric_names().iter().any(|n| n == "erasure_tasks")
    });
    let exported = received.metric_names();
    for name in [
        "erasure_requests",
        "erasure_ack_latency",
        "erasure_outbox_pending",
    ] {
        assert!(exported.iter().any(|n| n == name), "{name}: {exported:?}");
    }

    // Nothing exported names the person, in any case or form.
    let everything = String::from_utf8_lossy(&received.everything()).into_owned();
    let e164 = format!("+35840{digits}");
    for leak in [
        email.clone(),
        email.to_lowercase(),
        email.to_uppercase(),
        phone.clone(),
        e164.clone(),
        e164.trim_start_matches('+').to_owned(),
        format!("040{digits}"),
    ] {
        assert!(!everything.contains(&leak), "the export contains {leak:?}");
        assert!(
            !everything.to_lowercase().contains(&leak.to_lowercase()),
            "the export contains {leak:?} in another case"
        );
    }
    assert!(everything.contains(&id), "the spans name the request");
    assert!(
        everything.contains("erasure-under-test"),
        "OTEL_SERVICE_NAME names the service"
    );
}

#[test]
fn metrics_alone_need_no_opendsr_and_no_collector() {
    let tmp = tempfile::tempdir().expect("tmp");
    let http_port = free_port();
    let config = config_with_http(tmp.path(), http_port);
    let server = Server::start(
        &tmp.path().join("data"),
        &[
            "--config",
            config.to_str().expect("utf-8"),
            "--with-example-data",
        ],
    );
    let (status, body) = http_get(http_port, "/metrics", None);
    assert_eq!(status, 200, "{body}");
    assert!(
        server
            .log_text()
            .contains(&format!("metrics: http://127.0.0.1:{http_port}/metrics")),
        "{}",
        server.log_text()
    );
    let scraped = samples(&body);
    let states = scraped.iter().filter(|s| s.name == "erasure_requests");
    assert_eq!(states.count(), 4, "one sample per state:\n{body}");
    assert_eq!(total(&scraped, "erasure_requests", &[]), 0.0, "{body}");
    // The OpenDSR endpoints are not served without [opendsr].
    let (status, _) = http_get(http_port, "/opendsr/v1/discovery", None);
    assert_eq!(status, 404);
}
