//! An asynchronous API: a job followed by polling until done, a long job answered
//! "accepted" and followed up by later attempts without being submitted again, a failed
//! job.

use crate::support::jobs::Jobs;
use crate::support::{build, evidence};
use chrono::Utc;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{alice, assert_no_personal_data, job};
use erasure_core::events::Outcome;

pub fn polled(base: &str, max_wait_secs: u64) -> String {
    format!(
        r#"state = "state/processor.sqlite"
        allow_http = true
        max_wait_secs = {max_wait_secs}
        poll_interval_ms = 10
        [request]
        method = "POST"
        url = "{base}/v1/erasures"
        body = {{ email = "{{email}}" }}
        [success]
        status = [202]
        [job]
        id = "/job/id"
        poll_url = "{base}/v1/erasures/{{job_id}}"
        status = "/state"
        done = ["done"]
        nothing_found = ["no_data"]
        failed = ["error"]
        count = "/deleted""#
    )
}

#[tokio::test]
async fn a_job_is_followed_until_the_processor_says_done() {
    let api = Jobs::new(3);
    api.data.hold(["alice@example.com"]);
    let built = build(&polled(&api.start().await, 30), &[], &[]);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 1),
        "{}",
        report.detail
    );
    assert_eq!(report.reference, "job-1");
    assert!(!api.data.holds("alice@example.com"));
    assert_eq!(api.log.count("POST", "/v1/erasures"), 1);
    assert_eq!(
        api.log.count("GET", "/v1/erasures/job-1"),
        4,
        "3 running, then done"
    );
    let evidence = evidence(&report);
    assert_eq!(evidence["calls"][0]["reference"], "job-1");
    assert_eq!(evidence["calls"][0]["status"]["source"], "poll");
    assert_eq!(evidence["calls"][0]["submitted"]["status"], 202);
    assert_no_personal_data(&report, &alice());
}

#[tokio::test]
async fn a_long_job_is_accepted_and_each_follow_up_carries_on_with_it() {
    let api = Jobs::new(3);
    api.data.hold(["alice@example.com"]);
    let built = build(&polled(&api.start().await, 0), &[], &[]);

    let mut answers = Vec::new();
    for attempt in 1..=10 {
        let before = Utc::now();
        let report = built
            .connector
            .erase(&job(&alice(), "req-1", attempt))
            .await;
        let done = report.outcome != Outcome::Accepted;
        if !done {
            let follow_up = report
                .follow_up_at
                .expect("an accepted answer says when to follow up");
            assert!(follow_up > before, "follow-up in the past");
            assert_eq!(report.reference, "job-1");
            assert!(
                report
                    .evidence_summary
                    .ends_with("1 pending at the processor"),
                "{}",
                report.evidence_summary
            );
        }
        answers.push(report);
        if done {
            break;
        }
    }

    let outcomes: Vec<Outcome> = answers.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Accepted,
            Outcome::Accepted,
            Outcome::Accepted,
            Outcome::Erased
        ],
        "one poll per work order: three running, then done"
    );
    assert_eq!(
        api.log.count("POST", "/v1/erasures"),
        1,
        "the job was submitted again"
    );
    let last = answers.last().expect("answers");
    let again = built.connector.erase(&job(&alice(), "req-1", 5)).await;
    assert_eq!(
        &again, last,
        "a later attempt did not repeat the final answer"
    );
    assert_eq!(api.log.count("GET", "/v1/erasures/job-1"), 4);
}

#[tokio::test]
async fn the_follow_up_interval_doubles_up_to_its_maximum() {
    let api = Jobs::new(100);
    api.data.hold(["alice@example.com"]);
    let config = polled(&api.start().await, 0).replace(
        "max_wait_secs = 0",
        "max_wait_secs = 0\nfollow_up_secs = 100\nfollow_up_max_secs = 300",
    );
    let built = build(&config, &[], &[]);

    let mut waits = Vec::new();
    for attempt in 1..=4 {
        let before = Utc::now();
        let report = built
            .connector
            .erase(&job(&alice(), "req-1", attempt))
            .await;
        let wait = report.follow_up_at.expect("accepted") - before;
        // Whole hundreds of seconds: the erase itself takes well under one.
        waits.push((wait.num_milliseconds() + 50_000) / 100_000 * 100);
    }

    assert_eq!(waits, [100, 200, 300, 300]);
}

#[tokio::test]
async fn a_job_the_processor_reports_failed_is_a_permanent_failure() {
    let mut api = Jobs::default();
    api.failing.insert("alice@example.com".into());
    let api = std::sync::Arc::new(api);
    let built = build(&polled(&api.start().await, 30), &[], &[]);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert_eq!(
        report.detail,
        "the processor reports the job failed (a job.failed status)"
    );
}

#[tokio::test]
async fn after_a_restart_the_follow_up_carries_on_with_the_same_job() {
    let api = Jobs::new(1);
    api.data.hold(["alice@example.com"]);
    let config = polled(&api.start().await, 0);
    let built = build(&config, &[], &[]);
    let accepted = built.connector.erase(&job(&alice(), "req-1", 1)).await;
    assert_eq!(accepted.outcome, Outcome::Accepted, "{}", accepted.detail);
    let config: erasure_connector_processor::Config = toml::from_str(&config).expect("config");
    let dir = built.dir;
    drop(built.connector); // the process stops; its state file stays

    let restarted = erasure_connector_processor::ProcessorConnector::new(&config, dir.path())
        .expect("the same configuration");
    let report = restarted.erase(&job(&alice(), "req-1", 2)).await;

    assert_eq!(
        (report.outcome, report.reference.as_str()),
        (Outcome::Erased, "job-1"),
        "{}",
        report.detail
    );
    assert_eq!(
        api.log.count("POST", "/v1/erasures"),
        1,
        "submitted again after the restart"
    );
}
