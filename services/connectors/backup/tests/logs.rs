//! No identifier of the person reaches the logs: the kit's runner cases (a report, a
//! retryable and a permanent failure, each signed) run with every log line and span
//! captured, on a SQLite and a PostgreSQL catalog (the latter needs
//! `ERASURE_TEST_POSTGRES_URL`).

mod support;

use erasure_connector_sdk::kit::{alice, failure_cases, report_cases};
use std::io::Write;
use std::sync::{Arc, Mutex};
use support::pg::postgres;
use support::sqlite;
use tracing_subscriber::fmt::MakeWriter;

/// Everything logged, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut bytes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_identifier_reaches_the_logs() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);

    let on_sqlite = sqlite().await;
    report_cases::the_runner_signs_the_report(&on_sqlite).await;
    failure_cases::a_retryable_failure_is_signed_and_asked_again(&on_sqlite).await;
    failure_cases::a_permanent_failure_is_signed_and_replayed(&on_sqlite).await;
    let on_postgres = postgres().await;
    report_cases::the_runner_signs_the_report(&on_postgres).await;
    failure_cases::a_retryable_failure_is_signed_and_asked_again(&on_postgres).await;
    failure_cases::a_permanent_failure_is_signed_and_replayed(&on_postgres).await;

    let text = logs.text();
    for outcome in ["in-backups", "failed-retryable", "failed-permanent"] {
        let line = format!("outcome=\"{outcome}\"");
        assert!(
            text.contains(&line),
            "no {line} logged: is the capture working?\n{text}"
        );
    }
    for (kind, value) in alice().iter() {
        assert!(
            !text.contains(value),
            "the logs hold the person's {}",
            kind.name()
        );
    }
}
