//! Crypto-shredding through the coordinator: after completion plus the proof-retention
//! period a tick destroys the request's data key and records `IdentifiersShredded` once;
//! the certificate still verifies, the identifiers cannot be opened, and commands that
//! would send them again are refused with a message that says why.

use chrono::{Duration, Utc};
use erasure_bus::{Message, topics};
use erasure_coordinator::clock::ManualClock;
use erasure_coordinator::submit::SubmitInput;
use erasure_coordinator::vault::Vault;
use erasure_coordinator::{Coordinator, CoordinatorError};
use erasure_core::decide::Policy;
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_core::{Identifiers, RequestStatus, SystemId};
use erasure_proof::KeyPair;
use erasure_proof::TrustStore;
use erasure_proof::ack::sign_ack;
use erasure_proto::v1 as pb;
use erasure_store::sqlite::SqliteStore;
use erasure_store::{EventStore, KeyStore};
use prost::Message as _;
use std::sync::Arc;

const RETENTION_DAYS: i64 = 30;

struct World {
    coordinator: Arc<Coordinator>,
    store: Arc<SqliteStore>,
    clock: Arc<ManualClock>,
    crm: KeyPair,
}

fn world() -> World {
    let store = Arc::new(SqliteStore::open_in_memory().expect("store"));
    let crm = KeyPair::from_seed([1; 32]);
    let mut trust = TrustStore::default();
    trust.add_connector("crm", &crm.public());
    let inventory = Inventory::new([SystemSpec {
        id: "crm".into(),
        ..SystemSpec::default()
    }]);
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let coordinator = Coordinator::new(
        store.clone(),
        Vault::from_master(&[9; 32]),
        inventory,
        KeyPair::from_seed([3; 32]),
        trust,
        clock.clone(),
    )
    .with_policy(Policy {
        shred_identifiers_after: Some(Duration::days(RETENTION_DAYS)),
        warn_before_days: vec![],
        ..Policy::default()
    });
    World {
        coordinator: Arc::new(coordinator),
        store,
        clock,
        crm,
    }
}

/// Submits for the e-mail and has crm answer "erased": the request completes.
async fn completed(w: &World, email: &str) -> String {
    let input = SubmitInput {
        idempotency_key: None,
        identifiers: Identifiers::parse(Some(email), None, None).expect("ids"),
        jurisdiction: "FI".into(),
        channel: "test".into(),
        verified_by: "test".into(),
        scope: vec![],
        controller: None,
        disclose_recipients: false,
    };
    let id = w
        .coordinator
        .submit(input)
        .await
        .expect("submit")
        .request_id;
    let ack = pb::Acknowledgment {
        request_id: id.clone(),
        task_id: format!("{id}/crm"),
        system_id: "crm".into(),
        attempt: 1,
        outcome: pb::Outcome::Erased as i32,
        items_affected: 1,
        ..Default::default()
    };
    let signed = sign_ack(&w.crm, &ack);
    let message = Message::new(topics::ACKS, &id, signed.encode_to_vec());
    w.coordinator.ingest(&message).await.expect("ingest");
    let state = w.coordinator.get(&id).await.expect("state");
    assert_eq!(state.status, RequestStatus::Completed);
    id
}

async fn shredded_events(w: &World, id: &str) -> usize {
    let events = w.store.read_stream(id).await.expect("read");
    events
        .iter()
        .filter(|e| e.event_type == "IdentifiersShredded")
        .count()
}

#[tokio::test]
async fn a_tick_after_the_retention_period_shreds_once_and_the_certificate_still_verifies() {
    let w = world();
    let id = completed(&w, "shred.me@example.com").await;

    w.clock
        .advance(Duration::days(RETENTION_DAYS) - Duration::minutes(1));
    let state = w.coordinator.tick(&id).await.expect("tick");
    assert_eq!(
        state.shredded_at, None,
        "not before the retention period ends"
    );
    assert!(w.store.get_key(&id).await.expect("key").is_some());

    w.clock.advance(Duration::minutes(2));
    let state = w.coordinator.tick(&id).await.expect("tick");
    assert_eq!(state.shredded_at, Some(w.clock_now()));
    assert_eq!(
        w.store.get_key(&id).await.expect("key"),
        None,
        "key destroyed"
    );
    w.coordinator.tick(&id).await.expect("tick again");
    assert_eq!(shredded_events(&w, &id).await, 1, "recorded once");

    let error = w
        .coordinator
        .open_identifiers(&state)
        .await
        .expect_err("gone");
    assert!(error.to_string().contains("shredded"), "{error}");

    let log = w.coordinator.transparency_log();
    let json = w
        .coordinator
        .certificate_json(&id, &log)
        .await
        .expect("certificate");
    let v = erasure_proof::certificate::verify_file(&json, Some(&w.coordinator.public_keys()));
    assert!(v.is_valid(), "{:?}", v.failures().collect::<Vec<_>>());
}

#[tokio::test]
async fn retry_and_replay_after_shredding_are_refused_saying_so() {
    let w = world();
    let id = completed(&w, "gone@example.com").await;
    w.clock.advance(Duration::days(RETENTION_DAYS + 1));
    w.coordinator.tick(&id).await.expect("tick");

    let crm = SystemId::new("crm");
    let since = w.clock_now() - Duration::days(RETENTION_DAYS + 2);
    let replay = w
        .coordinator
        .commands()
        .replay(&id, "rp-1", std::slice::from_ref(&crm), since)
        .await;
    assert!(
        matches!(&replay, Err(CoordinatorError::FailedPrecondition(m)) if m.contains("shredded")),
        "{replay:?}"
    );
    let retry = w
        .coordinator
        .retry(
            &id,
            Some(&crm),
            "again",
            &erasure_core::access::Actor::unauthenticated(),
        )
        .await;
    assert!(
        matches!(&retry, Err(CoordinatorError::FailedPrecondition(m)) if m.contains("shredded")),
        "{retry:?}"
    );
}

impl World {
    fn clock_now(&self) -> chrono::DateTime<Utc> {
        use erasure_coordinator::clock::Clock as _;
        self.clock.now()
    }
}
