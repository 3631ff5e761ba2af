//! What the connector and its runner log, at every level, while a processor refuses one
//! person and a job of another is submitted, called back and finished: never an
//! identifier.

use crate::callbacks::KEY;
use crate::support::build;
use crate::support::customers::Customers;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::runner_cases::Bench;
use erasure_connector_sdk::kit::{alice, job};
use erasure_core::Identifiers;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// A test runtime runs every task on this thread, so the subscriber sees them all.
#[tokio::test]
async fn no_identifier_reaches_a_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let refusing = Customers::new();
    let base = refusing.start().await;
    let config = format!(
        "state = \"s.sqlite\"\nallow_http = true\n[request]\nmethod = \"DELETE\"\n\
         url = \"{base}/v1/customers/{{customer_id}}?email={{email}}\""
    );
    let locked =
        Identifiers::parse(Some("locked@example.com"), None, Some("C-9000")).expect("person");
    let refused = build(&config, &[], &[]);
    let report = refused.connector.erase(&job(&locked, "req-1", 1)).await;
    assert_eq!(report.detail, "submit: HTTP 422");

    let (api, built, _) = crate::callbacks::called_back().await;
    let bench = Bench::start(built.connector.clone()).await;
    bench.deliver(&alice(), "req-2", 1).await;
    bench.acks(1).await;
    assert_eq!(api.call_back("job-1", KEY, true).await, 403);
    assert_eq!(api.call_back("job-1", KEY, false).await, 202);
    bench.acks(2).await;

    let logs = String::from_utf8(captured.0.lock().expect("log").clone()).expect("text");
    assert!(
        logs.contains("erasure finished") && logs.contains("processor callback"),
        "{logs}"
    );
    for person in [&locked, &alice()] {
        for (kind, value) in person.iter() {
            assert!(
                !logs.contains(value),
                "a log line holds the person's {kind}"
            );
        }
    }
}
