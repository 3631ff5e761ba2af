//! The connector conformance kit (feature `test-util`): the behaviour every connector kind
//! must show, checked the same way for each.
//!
//! A connector kind's tests implement [`KitSubject`] (a connector plus a way to seed a
//! person's data into its system and count what is left, without going through the
//! connector) and invoke [`connector_conformance!`](crate::connector_conformance), which
//! generates one `#[tokio::test]` per case, each with a fresh subject:
//!
//! ```text
//! async fn crm() -> CrmSubject { /* temp database, connector over it */ }
//! erasure_connector_sdk::connector_conformance!(crm_schema, crm);
//! ```
//!
//! - [`cases`]: the connector on its own: erase, idempotency, nothing found, neighbours.
//!   A kind that tells a third party instead of erasing itself runs the `recipient` variant
//!   of the macro: a new attempt of a finished task repeats its answer rather than asking
//!   the third party again (see [`connector_conformance!`](crate::connector_conformance)).
//! - [`runner_cases`]: the connector behind a [`Runner`](crate::Runner) on the embedded
//!   transport: signed acknowledgments, the idempotency cache, undecodable messages.
//!
//! Two further sets of cases, each with its subject trait and macro:
//!
//! - [`report_cases`], for kinds that report rather than erase (a backup catalog answers
//!   which sets may still hold the person): there is nothing of a person to seed or
//!   count, so their [`report_cases::ReportSubject`] only puts something to report into
//!   the system. The cases: what is there is reported (a success that erases nothing), the
//!   same answer twice, nothing found when there is nothing, a signed acknowledgment
//!   carrying the report, a duplicate answered from the cache.
//!   [`report_conformance!`](crate::report_conformance) generates them.
//! - [`failure_cases`], for any kind whose tests can break its system
//!   ([`failure_cases::FailingSubject`]: an unreachable system, a configuration that does
//!   not match it): retryable and permanent failures, signed, the first asked again and
//!   the second replayed from the cache.
//!   [`failure_conformance!`](crate::failure_conformance) generates them.
//!
//! ```text
//! erasure_connector_sdk::report_conformance!(listed_catalog, listed);
//! erasure_connector_sdk::failure_conformance!(sqlite_catalog_failures, sqlite);
//! ```
//!
//! The people are fixed ([`alice`], [`bob`], [`carol`]) so that subjects can be written
//! against them; every case checks that no identifier leaks into a report. The kit's jobs
//! hold nothing; [`held_job`] and [`fi_vouchers`] are for a kind's own tests of legal holds.

pub mod cases;
pub mod failure_cases;
pub mod report_cases;
pub mod runner_cases;

use crate::connector::{Connector, Job, Report};
use async_trait::async_trait;
use chrono::NaiveDate;
use erasure_core::events::Outcome;
use erasure_core::retention::{Anchor, FinancialYearEnd, Ground, Period, Rule};
use erasure_core::{Identifiers, SystemId};
use std::sync::Arc;

/// The system id the kit's jobs and work orders name.
pub const SYSTEM: &str = "kit";

/// The day the kit's jobs and work orders are judged on (`as_of`).
pub const AS_OF: &str = "2026-11-20";

/// A connector under test and direct access to the system it erases from.
#[async_trait]
pub trait KitSubject: Send + Sync {
    /// The connector under test.
    fn connector(&self) -> Arc<dyn Connector>;

    /// Puts some data of `person` into the system, reachable through each identifier the
    /// person has (at least one item).
    async fn seed(&self, person: &Identifiers);

    /// How many items of `person` the system still holds, counted without the connector.
    async fn remaining(&self, person: &Identifiers) -> u64;
}

fn person(email: &str, phone: &str, customer_id: &str) -> Identifiers {
    Identifiers::parse(Some(email), Some(phone), Some(customer_id)).expect("a valid person")
}

/// The person the cases erase.
pub fn alice() -> Identifiers {
    person("alice@example.com", "+358401234567", "C-1001")
}

/// A neighbour whose data must survive.
pub fn bob() -> Identifiers {
    person("bob@example.org", "+358409876543", "C-1002")
}

/// Someone the system never heard of.
pub fn carol() -> Identifiers {
    person("carol@example.net", "+358405550000", "C-1003")
}

/// A job for `person` on the kit's system.
pub fn job(person: &Identifiers, request_id: &str, attempt: u32) -> Job {
    Job {
        request_id: request_id.to_owned(),
        task_id: format!("{request_id}/{SYSTEM}"),
        system_id: SystemId::new(SYSTEM),
        attempt,
        identifiers: person.clone(),
        categories: Vec::new(),
        holds: Vec::new(),
        as_of: date(AS_OF),
        financial_year_end: FinancialYearEnd::default(),
        controller: None,
    }
}

/// A job for `person` on behalf of `controller`.
pub fn controller_job(person: &Identifiers, request_id: &str, controller: &str) -> Job {
    Job {
        controller: Some(controller.to_owned()),
        ..job(person, request_id, 1)
    }
}

/// A job for `person` whose data may be held under `holds`, judged on `as_of`
/// (`YYYY-MM-DD`), with calendar financial years.
pub fn held_job(person: &Identifiers, request_id: &str, holds: Vec<Rule>, as_of: &str) -> Job {
    Job {
        holds,
        as_of: date(as_of),
        ..job(person, request_id, 1)
    }
}

/// The Finnish rule for accounting vouchers (category `accounting-voucher`, id
/// `fi-kpl-vouchers`): kept 6 years from the end of the calendar year in which the
/// financial year ended.
pub fn fi_vouchers() -> Rule {
    Rule {
        id: "fi-kpl-vouchers".into(),
        jurisdiction: "FI".into(),
        category: "accounting-voucher".into(),
        title: "Vouchers and other accounting material".into(),
        statute: "Kirjanpitolaki (Accounting Act) 1336/1997".into(),
        section: "ch. 2 § 10(2)".into(),
        source: String::new(),
        ground: Ground::LegalObligation,
        period: Period::years(6),
        runs_from: Anchor::EndOfCalendarYearOfFinancialYearEnd,
        condition: None,
        note: String::new(),
        transition: None,
    }
}

/// `YYYY-MM-DD`; panics otherwise (test data).
pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date YYYY-MM-DD")
}

/// Fails when any of `person`'s identifiers appears in what a report lets out.
pub fn assert_no_personal_data(report: &Report, person: &Identifiers) {
    let evidence = String::from_utf8_lossy(&report.evidence);
    for (kind, value) in person.iter() {
        for (field, text) in [
            ("evidence_summary", report.evidence_summary.as_str()),
            ("detail", report.detail.as_str()),
            ("evidence", &evidence),
        ] {
            assert!(
                !text.contains(value),
                "the report's {field} contains the person's {}",
                kind.name()
            );
        }
    }
}

/// Fails unless `report` is "nothing found": a success that affected nothing, with
/// nothing of `person` in it.
pub fn assert_nothing_found(report: &Report, person: &Identifiers) {
    assert_eq!(
        report.outcome,
        Outcome::NothingFound,
        "detail {:?}",
        report.detail
    );
    assert!(report.outcome.is_success());
    assert_eq!(report.items_affected, 0);
    assert_no_personal_data(report, person);
}

/// Generates one `#[tokio::test]` per kit case in a module named `$name`, each on a fresh
/// subject made by `$make` (an `async fn() -> impl KitSubject` in scope at the call site).
/// The calling crate needs `tokio` with the `macros` and `rt` features.
///
/// `connector_conformance!(name, make, recipient)` is the variant for a kind that tells a
/// third party rather than erasing itself (the `processor` kind): a new attempt of a
/// finished task repeats its answer instead of asking again
/// ([`cases::a_new_attempt_of_a_finished_task_repeats_its_answer`] in place of
/// [`cases::erasing_twice_finds_nothing_the_second_time`]); every other case is the same.
#[macro_export]
macro_rules! connector_conformance {
    (@module $name:ident, $make:path, $twice:ident) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::connector_conformance!(@cases $make;
                cases::erasing_a_seeded_person_removes_everything,
                cases::$twice,
                cases::a_person_never_seeded_is_nothing_found,
                cases::other_people_are_untouched,
                runner_cases::the_runner_publishes_a_verifiable_acknowledgment,
                runner_cases::a_duplicate_work_order_replays_the_cached_acknowledgment,
                runner_cases::an_undecodable_message_is_a_permanent_error,
            );
        }
    };
    (@cases $make:path; $($module:ident :: $case:ident),+ $(,)?) => {
        $(
            #[::tokio::test]
            async fn $case() {
                let subject = $make().await;
                $crate::kit::$module::$case(&subject).await;
            }
        )+
    };
    ($name:ident, $make:path, recipient) => {
        $crate::connector_conformance!(@module $name, $make,
            a_new_attempt_of_a_finished_task_repeats_its_answer);
    };
    ($name:ident, $make:path) => {
        $crate::connector_conformance!(@module $name, $make,
            erasing_twice_finds_nothing_the_second_time);
    };
}

/// Like [`connector_conformance!`](crate::connector_conformance), for a kind that reports
/// rather than erases: one `#[tokio::test]` per case of [`report_cases`] in a module named
/// `$name`, each on a fresh subject made by `$make` (an `async fn() -> impl ReportSubject`).
#[macro_export]
macro_rules! report_conformance {
    ($name:ident, $make:path) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::connector_conformance!(@cases $make;
                report_cases::a_populated_system_is_reported,
                report_cases::reporting_twice_gives_the_same_answer,
                report_cases::an_empty_system_is_nothing_found,
                report_cases::the_runner_signs_the_report,
                report_cases::a_duplicate_order_replays_the_report,
            );
        }
    };
}

/// One `#[tokio::test]` per case of [`failure_cases`] in a module named `$name`, each on a
/// fresh subject made by `$make` (an `async fn() -> impl FailingSubject`).
#[macro_export]
macro_rules! failure_conformance {
    ($name:ident, $make:path) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::connector_conformance!(@cases $make;
                failure_cases::an_unreachable_system_is_a_retryable_failure,
                failure_cases::a_mismatched_configuration_is_a_permanent_failure,
                failure_cases::a_retryable_failure_is_signed_and_asked_again,
                failure_cases::a_permanent_failure_is_signed_and_replayed,
            );
        }
    };
}
