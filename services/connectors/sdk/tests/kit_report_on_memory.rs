//! The kit's reporting and failure cases against an in-memory catalog of copies: checks
//! the cases themselves (a connector that behaves passes every one, one that claims to
//! erase does not).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate};
use erasure_connector_sdk::kit::failure_cases::FailingSubject;
use erasure_connector_sdk::kit::report_cases::{self, ReportSubject};
use erasure_connector_sdk::{Connector, Job, Report};
use erasure_core::events::BackupCopy;
use std::sync::{Arc, Mutex};

/// Reports every copy it holds; fails as told.
#[derive(Debug, Default)]
struct MemoryCatalog {
    copies: Mutex<Vec<BackupCopy>>,
    fails: Option<fn(String) -> Report>,
}

#[async_trait]
impl Connector for MemoryCatalog {
    fn kind(&self) -> &'static str {
        "memory-catalog"
    }

    async fn erase(&self, _: &Job) -> Report {
        if let Some(fail) = self.fails {
            return fail("the catalog is not there".into());
        }
        let copies = self
            .copies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let summary = format!("{} copies", copies.len());
        match copies.is_empty() {
            true => Report::from_counts(0, 0, summary, b"{}".to_vec()),
            false => Report::in_backups(copies, summary, b"{\"copies\":1}".to_vec()),
        }
    }
}

struct Subject(Arc<MemoryCatalog>);

#[async_trait]
impl ReportSubject for Subject {
    fn connector(&self) -> Arc<dyn Connector> {
        self.0.clone()
    }

    async fn populate(&self) {
        let copy = BackupCopy {
            set_id: "nightly".into(),
            taken_at: DateTime::from_timestamp_millis(1_700_000_000_000).expect("time"),
            expires_on: NaiveDate::from_ymd_opt(2027, 2, 28).expect("date"),
            systems: vec!["crm".into()],
        };
        self.0
            .copies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(copy);
    }
}

#[async_trait]
impl FailingSubject for Subject {
    async fn unreachable(&self) -> Arc<dyn Connector> {
        let fails = Some(Report::failed_retryable as fn(String) -> Report);
        Arc::new(MemoryCatalog {
            fails,
            ..MemoryCatalog::default()
        })
    }

    async fn mismatched(&self) -> Arc<dyn Connector> {
        let fails = Some(Report::failed_permanent as fn(String) -> Report);
        Arc::new(MemoryCatalog {
            fails,
            ..MemoryCatalog::default()
        })
    }
}

async fn memory() -> Subject {
    Subject(Arc::default())
}

erasure_connector_sdk::report_conformance!(memory_catalog, memory);
erasure_connector_sdk::failure_conformance!(memory_catalog_failures, memory);

/// Claims to have erased what it can only report.
struct Eraser;

#[async_trait]
impl Connector for Eraser {
    fn kind(&self) -> &'static str {
        "eraser"
    }

    async fn erase(&self, _: &Job) -> Report {
        Report::from_counts(1, 0, "1 deleted", Vec::new())
    }
}

struct EraserSubject;

#[async_trait]
impl ReportSubject for EraserSubject {
    fn connector(&self) -> Arc<dyn Connector> {
        Arc::new(Eraser)
    }

    async fn populate(&self) {}
}

#[tokio::test]
#[should_panic(expected = "a populated system has something to report")]
async fn a_connector_claiming_to_erase_fails_the_reporting_case() {
    report_cases::a_populated_system_is_reported(&EraserSubject).await;
}
