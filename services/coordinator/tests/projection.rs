//! The compact projection: of a settled request it keeps a summary, not the full state,
//! yet `List`, the report, the timers and a settled request changing again all answer as
//! if it held everything; a projection rebuilt from the log answers the same.

use chrono::{Duration, Utc};
use erasure_bus::{Message, topics};
use erasure_coordinator::Coordinator;
use erasure_coordinator::clock::{Clock as _, ManualClock};
use erasure_coordinator::projection::{Filter, Projection};
use erasure_coordinator::submit::SubmitInput;
use erasure_coordinator::vault::Vault;
use erasure_core::decide::Policy;
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_core::{Identifiers, RequestStatus};
use erasure_proof::ack::sign_ack;
use erasure_proof::{KeyPair, TrustStore};
use erasure_proto::v1 as pb;
use erasure_store::sqlite::SqliteStore;
use prost::Message as _;
use std::sync::Arc;

/// More than the projection keeps full states of once settled (512).
const REQUESTS: usize = 700;
const RETENTION_DAYS: i64 = 30;

async fn submit(coordinator: &Coordinator, email: &str) -> String {
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
    coordinator.submit(input).await.expect("submit").request_id
}

async fn complete(coordinator: &Coordinator, crm: &KeyPair, n: usize) -> String {
    let id = submit(coordinator, &format!("person.{n}@example.com")).await;
    let ack = pb::Acknowledgment {
        request_id: id.clone(),
        task_id: format!("{id}/crm"),
        system_id: "crm".into(),
        attempt: 1,
        outcome: pb::Outcome::Erased as i32,
        items_affected: 1,
        ..Default::default()
    };
    let message = Message::new(topics::ACKS, &id, sign_ack(crm, &ack).encode_to_vec());
    coordinator.ingest(&message).await.expect("ingest");
    id
}

/// Every request listed, newest first, a page at a time.
async fn list_all(projection: &Projection, filter: &Filter) -> Vec<(String, RequestStatus, bool)> {
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let page = projection
            .list(filter, 300, token.as_deref())
            .await
            .expect("list");
        all.extend(page.requests.iter().map(|s| {
            let id = s.received.request_id.to_string();
            (id, s.status, s.certificate.is_some())
        }));
        match page.next_token {
            Some(next) => token = Some(next),
            None => return all,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn settled_requests_are_summarised_and_still_answer_in_full() {
    let store = Arc::new(SqliteStore::open_in_memory().expect("store"));
    let crm = KeyPair::from_seed([1; 32]);
    let mut trust = TrustStore::default();
    trust.add_connector("crm", &crm.public());
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let policy = Policy {
        shred_identifiers_after: Some(Duration::days(RETENTION_DAYS)),
        warn_before_days: vec![],
        ..Policy::default()
    };
    let coordinator = Coordinator::new(
        store.clone(),
        Vault::from_master(&[9; 32]),
        Inventory::new([SystemSpec {
            id: "crm".into(),
            ..SystemSpec::default()
        }]),
        KeyPair::from_seed([3; 32]),
        trust,
        clock.clone(),
    )
    .with_policy(policy.clone());
    let mut ids = Vec::new();
    for n in 0..REQUESTS {
        ids.push(complete(&coordinator, &crm, n).await);
        clock.advance(Duration::milliseconds(7));
    }
    let one_open = submit(&coordinator, "open@example.com").await;

    let projection = Projection::new(coordinator.streams().clone(), Arc::new(policy.clone()));
    projection.catch_up().await.expect("catch up");

    // The oldest settled requests are summaries only; what is read on demand is whole.
    let oldest = &ids[0];
    assert!(
        projection.get(oldest).is_none(),
        "a settled request's state is not kept"
    );
    let state = projection
        .state(oldest)
        .await
        .expect("read")
        .expect("known");
    assert!(state.certificate.is_some());
    assert!(
        projection.get(&one_open).is_some(),
        "an open request is kept whole"
    );

    let listed = list_all(&projection, &Filter::default()).await;
    let mut expected: Vec<String> = ids.clone();
    expected.push(one_open.clone());
    expected.reverse();
    assert_eq!(
        listed.iter().map(|(id, ..)| id.clone()).collect::<Vec<_>>(),
        expected,
        "every request, newest first"
    );
    assert!(
        listed[1..]
            .iter()
            .all(|(_, status, certified)| *status == RequestStatus::Completed && *certified)
    );
    let in_progress = Filter {
        status: Some(RequestStatus::InProgress),
        ..Filter::default()
    };
    let open = list_all(&projection, &in_progress).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].0, one_open);

    // A person is found among the settled requests by their blind index, a system by its
    // bit; what no request has finds nothing.
    let person = |email: &str| {
        let ids = Identifiers::parse(Some(email), None, None).expect("ids");
        Filter {
            blind_indexes: Some(coordinator.sealer().vault().blind_indexes(&ids)),
            ..Filter::default()
        }
    };
    let found = list_all(&projection, &person("person.3@example.com")).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, ids[3]);
    assert!(
        list_all(&projection, &person("nobody@example.com"))
            .await
            .is_empty()
    );
    let system = |id: &str| Filter {
        system: Some(id.into()),
        ..Filter::default()
    };
    assert_eq!(
        list_all(&projection, &system("crm")).await.len(),
        REQUESTS + 1
    );
    assert!(list_all(&projection, &system("billing")).await.is_empty());

    let today = clock.now().date_naive();
    let report = projection
        .report(today - Duration::days(1), today, today)
        .await
        .expect("report");
    assert_eq!(report.received, REQUESTS as u64 + 1);
    assert_eq!(report.completed_on_time, REQUESTS as u64);
    assert_eq!(report.open, 1);

    // After the retention period every completed request has its shredding due, and the
    // open one its unanswered dispatch.
    clock.advance(Duration::days(RETENTION_DAYS + 1));
    let due = projection.due(clock.now());
    assert_eq!(due.len(), REQUESTS + 1);
    // A settled request changes again: the projection reads it and its timer is gone.
    let shredded = coordinator.tick(oldest).await.expect("tick");
    assert!(shredded.shredded_at.is_some());
    projection.catch_up().await.expect("catch up");
    let due = projection.due(clock.now());
    assert_eq!(due.len(), REQUESTS);
    assert!(!due.contains(oldest));
    let after = projection
        .state(oldest)
        .await
        .expect("read")
        .expect("known");
    let millis = |t: Option<chrono::DateTime<Utc>>| t.map(|t| t.timestamp_millis());
    assert_eq!(millis(after.shredded_at), millis(shredded.shredded_at));
    assert!(projection.last_change(oldest) > projection.last_change(&ids[1]));

    // Rebuilt from the log, it answers the same.
    let rebuilt = Projection::new(coordinator.streams().clone(), Arc::new(policy));
    rebuilt.catch_up().await.expect("rebuild");
    assert_eq!(list_all(&rebuilt, &Filter::default()).await, listed);
    assert_eq!(rebuilt.due(clock.now()), due);
    assert_eq!(
        rebuilt.counts(today).0,
        projection.counts(today).0,
        "the same counts by status"
    );
}
