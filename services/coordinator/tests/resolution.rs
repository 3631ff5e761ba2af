//! Identity resolution through the coordinator: the CRM is asked first, what it signs as
//! found is merged into the request's sealed identifiers (counts in the event, never a
//! value), every system then gets an erasure order; forged or misdirected resolutions are
//! recorded and never counted.

use erasure_bus::{Message, topics};
use erasure_coordinator::submit::SubmitInput;
use erasure_coordinator::vault::Vault;
use erasure_coordinator::{Coordinator, SystemClock};
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_core::{IdentifierKind, Identifiers};
use erasure_proof::resolution::sign_resolution;
use erasure_proof::{KeyPair, TrustStore};
use erasure_proto::v1 as pb;
use erasure_store::sqlite::SqliteStore;
use erasure_store::{EventStore, Outbox};
use prost::Message as _;
use std::sync::Arc;

struct World {
    coordinator: Arc<Coordinator>,
    store: Arc<SqliteStore>,
    crm: KeyPair,
    cameras: KeyPair,
}

fn world() -> World {
    let store = Arc::new(SqliteStore::open_in_memory().expect("store"));
    let (crm, cameras) = (KeyPair::from_seed([1; 32]), KeyPair::from_seed([2; 32]));
    let mut trust = TrustStore::default();
    trust.add_connector("crm", &crm.public());
    trust.add_connector("cameras", &cameras.public());
    let inventory =
        Inventory::new(
            [("crm", true), ("cameras", false)].map(|(id, resolves)| SystemSpec {
                id: id.into(),
                categories: vec![],
                resolves,
                ..SystemSpec::default()
            }),
        );
    let coordinator = Arc::new(Coordinator::new(
        store.clone(),
        Vault::from_master(&[9; 32]),
        inventory,
        KeyPair::from_seed([3; 32]),
        trust,
        Arc::new(SystemClock),
    ));
    World {
        coordinator,
        store,
        crm,
        cameras,
    }
}

async fn submit(w: &World) -> String {
    let input = SubmitInput {
        idempotency_key: None,
        identifiers: Identifiers::parse(Some("aino@example.com"), None, None).expect("ids"),
        jurisdiction: "FI".into(),
        channel: "test".into(),
        verified_by: "test".into(),
        scope: vec![],
        controller: None,
        disclose_recipients: false,
    };
    w.coordinator
        .submit(input)
        .await
        .expect("submit")
        .request_id
}

/// What the CRM found for the person: her e-mail, two customer numbers and a device.
fn found(request: &str) -> pb::Resolution {
    pb::Resolution {
        request_id: request.into(),
        task_id: format!("{request}/crm"),
        system_id: "crm".into(),
        attempt: 1,
        outcome: pb::ResolutionOutcome::Found as i32,
        found: Some(pb::Identifiers {
            email: vec!["aino@example.com".into()],
            customer_id: vec!["C-1001".into(), "C-2002".into()],
            device_id: vec!["SN-00042".into()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn message(key: &str, signed: &pb::SignedResolution) -> Message {
    Message::new(topics::RESOLUTIONS, key, signed.encode_to_vec())
}

/// (system, purpose) of the work orders waiting in the outbox.
async fn orders(w: &World) -> Vec<(String, i32)> {
    let due = w.store.due(i64::MAX, 100, &[]).await.expect("outbox");
    let mut orders: Vec<_> = due
        .iter()
        .map(|m| pb::WorkOrder::decode(m.payload.as_slice()).expect("order"))
        .map(|o| (o.system_id, o.purpose))
        .collect();
    orders.sort();
    orders
}

#[tokio::test]
async fn what_the_crm_finds_reaches_every_system_sealed() {
    let w = world();
    let r1 = submit(&w).await;
    let resolve = pb::Purpose::Resolve as i32;
    assert_eq!(orders(&w).await, [("crm".to_owned(), resolve)]);

    let signed = sign_resolution(&w.crm, &found(&r1));
    w.coordinator
        .ingest_resolution(&message(&r1, &signed))
        .await
        .expect("ingested");

    let state = w.coordinator.get(&r1).await.expect("state");
    assert_eq!(
        state.resolutions,
        [(
            "crm".into(),
            vec![
                (IdentifierKind::CustomerId, 2),
                (IdentifierKind::DeviceId, 1)
            ]
        )],
        "counts of what was new"
    );
    let erase = pb::Purpose::Erase as i32;
    assert_eq!(
        orders(&w).await,
        [
            ("cameras".to_owned(), erase),
            ("crm".to_owned(), erase),
            ("crm".to_owned(), resolve)
        ]
    );
    let current = w
        .coordinator
        .sealer()
        .open_current(&state)
        .await
        .expect("open");
    assert_eq!(current.customer_id, ["C-1001", "C-2002"]);
    assert_eq!(current.device_id, ["SN-00042"]);
    for needle in [&b"C-2002"[..], b"SN-00042", b"aino@"] {
        for e in w.store.read_all(0, 1000).await.expect("events") {
            assert!(
                !e.payload.windows(needle.len()).any(|x| x == needle),
                "{} holds an identifier in plaintext",
                e.event_type
            );
        }
    }
}

#[tokio::test]
async fn forged_or_misdirected_resolutions_are_recorded_and_not_counted() {
    let w = world();
    let r1 = submit(&w).await;
    // The cameras key signing for the CRM.
    let forged = sign_resolution(&w.cameras, &found(&r1));
    w.coordinator
        .ingest_resolution(&message(&r1, &forged))
        .await
        .expect("recorded");
    // A genuine resolution delivered under another request's key.
    let genuine = sign_resolution(&w.crm, &found(&r1));
    w.coordinator
        .ingest_resolution(&message("another-request", &genuine))
        .await
        .expect("recorded");
    // An acknowledgment's bytes on the resolutions topic.
    w.coordinator
        .ingest_resolution(&Message::new(topics::RESOLUTIONS, &r1, vec![0xde, 0xad]))
        .await
        .expect("recorded");

    let state = w.coordinator.get(&r1).await.expect("state");
    assert!(state.resolutions.is_empty(), "nothing counted");
    assert_eq!(
        state.rejected_acks, 1,
        "the forged one, on the request's stream"
    );
    let rejected = w
        .store
        .read_all(0, 1000)
        .await
        .expect("events")
        .iter()
        .filter(|e| e.event_type == "AckRejected")
        .count();
    assert_eq!(rejected, 3);
    let resolve = pb::Purpose::Resolve as i32;
    assert_eq!(
        orders(&w).await,
        [("crm".to_owned(), resolve)],
        "nothing dispatched to erase"
    );
}
