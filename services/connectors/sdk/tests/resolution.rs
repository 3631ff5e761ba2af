//! The runner answers resolution orders: the connector's `resolve`, signed under the
//! resolution context, published on `erasure.v1.resolutions`; nothing is erased or cached.
//! A kind that cannot resolve answers with a permanent failure.

// The runner tests' bench; this file uses only part of it.
#[allow(dead_code)]
mod support;

use async_trait::async_trait;
use erasure_bus::conformance::Recorder;
use erasure_bus::{Subscription, Transport, topics};
use erasure_connector_sdk::kit::alice;
use erasure_connector_sdk::{Connector, Job, Report, Resolution};
use erasure_core::{IdentifierKind, Identifiers};
use erasure_proof::resolution::verify_resolution;
use erasure_proof::sealed::{Binding, RESOLUTION_CONTEXT, Sealed};
use erasure_proof::{KeyPair, TrustStore};
use erasure_proto::v1::{self as proto, SignedResolution};
use prost::Message as _;
use std::sync::Arc;
use support::{Bench, Scripted, order};

/// Knows the person by two customer numbers.
#[derive(Debug)]
struct Crm;

#[async_trait]
impl Connector for Crm {
    fn kind(&self) -> &'static str {
        "crm"
    }

    async fn erase(&self, _: &Job) -> Report {
        panic!("a resolution order must not erase")
    }

    async fn resolve(&self, job: &Job) -> Resolution {
        let mut found = Identifiers::parse(None, None, Some("C-1001")).expect("valid");
        let more = Identifiers::parse(None, None, Some("C-2002")).expect("valid");
        found.merge(&more).expect("merged");
        found.merge(&job.identifiers).expect("merged");
        Resolution::found(found)
    }
}

/// The coordinator's key, whose encryption key the answers are sealed to.
fn coordinator() -> KeyPair {
    KeyPair::from_seed([3; 32])
}

fn resolve_order() -> proto::WorkOrder {
    let reply_key = coordinator().public().encryption_key().expect("key");
    proto::WorkOrder {
        purpose: proto::Purpose::Resolve as i32,
        reply_key: reply_key.to_vec(),
        ..order(1)
    }
}

/// What the answer found, opened with the coordinator's key.
fn opened_found(answer: &proto::Resolution) -> proto::Identifiers {
    assert!(
        answer.found.is_none(),
        "found identifiers sent in plaintext"
    );
    let binding = Binding {
        context: RESOLUTION_CONTEXT,
        request_id: &answer.request_id,
        system_id: &answer.system_id,
        attempt: answer.attempt,
    };
    let sealed = Sealed {
        encapsulated_key: answer.found_encapsulated_key.clone(),
        ciphertext: answer.sealed_found.clone(),
    };
    let bytes = coordinator().open(&binding, &sealed).expect("opens");
    proto::Identifiers::decode(bytes.as_slice()).expect("decodes")
}

/// Records what the runner publishes on the resolutions topic (while the subscription is
/// held).
async fn resolutions(bench: &Bench) -> (Arc<Recorder>, Subscription) {
    let recorder = Recorder::failing_first(0);
    let sub = bench
        .transport
        .subscribe(topics::RESOLUTIONS, recorder.clone())
        .await
        .expect("subscribe");
    (recorder, sub)
}

fn verified(recorder: &Recorder, i: usize) -> proto::Resolution {
    let messages = recorder.messages();
    let signed = SignedResolution::decode(messages[i].payload.as_slice()).expect("decodes");
    let key = KeyPair::from_seed(erasure_connector_sdk::kit::runner_cases::KEY_SEED);
    let mut trust = TrustStore::default();
    trust.add_connector(support::SYSTEM, &key.public());
    verify_resolution(&trust, &signed).expect("verifies")
}

#[tokio::test]
async fn a_resolution_order_is_answered_signed_on_the_resolutions_topic() {
    let bench = Bench::start(Arc::new(Crm)).await;
    let (recorder, _sub) = resolutions(&bench).await;

    bench.deliver(resolve_order()).await.expect("handled");
    bench.deliver(resolve_order()).await.expect("handled again");

    let answer = verified(&recorder, 0);
    assert_eq!(answer.outcome, proto::ResolutionOutcome::Found as i32);
    let found = opened_found(&answer);
    assert_eq!(found.customer_id, ["C-1001", "C-2002"]);
    assert_eq!(
        found.email,
        alice().values(IdentifierKind::Email).collect::<Vec<_>>()
    );
    assert_eq!(
        recorder.messages().len(),
        2,
        "answered afresh, not from a cache"
    );
    assert!(bench.payloads().is_empty(), "no acknowledgment");
}

#[tokio::test]
async fn a_resolution_order_without_a_reply_key_is_answered_without_what_was_found() {
    let bench = Bench::start(Arc::new(Crm)).await;
    let (recorder, _sub) = resolutions(&bench).await;
    let order = proto::WorkOrder {
        reply_key: Vec::new(),
        ..resolve_order()
    };

    bench.deliver(order).await.expect("handled");

    let answer = verified(&recorder, 0);
    assert_eq!(
        answer.outcome,
        proto::ResolutionOutcome::FailedPermanent as i32
    );
    assert!(
        answer.detail.contains("no valid reply key"),
        "{}",
        answer.detail
    );
    assert!(answer.found.is_none() && answer.sealed_found.is_empty());
}

#[tokio::test]
async fn a_kind_that_cannot_resolve_says_so_permanently() {
    let connector = Scripted::new([]);
    let bench = Bench::start(connector.clone()).await;
    let (recorder, _sub) = resolutions(&bench).await;

    bench.deliver(resolve_order()).await.expect("handled");

    let answer = verified(&recorder, 0);
    assert_eq!(
        answer.outcome,
        proto::ResolutionOutcome::FailedPermanent as i32
    );
    assert!(
        answer.detail.contains("does not resolve"),
        "{}",
        answer.detail
    );
    assert_eq!(connector.calls(), 0, "nothing erased");
}
