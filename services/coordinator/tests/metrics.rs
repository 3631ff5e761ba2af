//! The coordinator's metrics as `/metrics` renders them: answers counted by system and
//! outcome, rejected acknowledgments by reason class (never their content), requests by
//! state. A process of its own: it installs the global meter provider.

use erasure_bus::{Message, topics};
use erasure_coordinator::submit::SubmitInput;
use erasure_coordinator::vault::Vault;
use erasure_coordinator::{Coordinator, SystemClock};
use erasure_core::Identifiers;
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_proof::ack::sign_ack;
use erasure_proof::{KeyPair, TrustStore};
use erasure_proto::v1 as pb;
use erasure_store::sqlite::SqliteStore;
use prost::Message as _;
use std::sync::Arc;

fn coordinator(crm: &KeyPair, cameras: &KeyPair) -> Arc<Coordinator> {
    let store = Arc::new(SqliteStore::open_in_memory().expect("store"));
    let mut trust = TrustStore::default();
    trust.add_connector("crm", &crm.public());
    trust.add_connector("cameras", &cameras.public());
    let inventory = Inventory::new(["crm", "cameras"].map(|id| SystemSpec {
        id: id.into(),
        ..SystemSpec::default()
    }));
    Arc::new(Coordinator::new(
        store,
        Vault::from_master(&[9; 32]),
        inventory,
        KeyPair::from_seed([3; 32]),
        trust,
        Arc::new(SystemClock),
    ))
}

async fn submit(c: &Coordinator, email: &str) -> String {
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
    c.submit(input).await.expect("submit").request_id
}

fn ack(request: &str, system: &str) -> pb::Acknowledgment {
    pb::Acknowledgment {
        request_id: request.into(),
        task_id: format!("{request}/{system}"),
        system_id: system.into(),
        attempt: 1,
        outcome: pb::Outcome::Erased as i32,
        items_affected: 1,
        ..Default::default()
    }
}

fn message(key: &str, signed: &pb::SignedAcknowledgment) -> Message {
    Message::new(topics::ACKS, key, signed.encode_to_vec())
}

/// The value of the sample `series` (name and labels, as rendered); 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().expect("a number"))
}

#[tokio::test]
async fn rejected_acknowledgments_are_counted_by_reason_class() {
    let metrics = erasure_telemetry::metrics::install(true).expect("metrics");
    let (crm, cameras) = (KeyPair::from_seed([1; 32]), KeyPair::from_seed([2; 32]));
    let c = coordinator(&crm, &cameras);
    let r1 = submit(&c, "aino@example.com").await;
    let r2 = submit(&c, "mikko@example.com").await;

    let genuine = sign_ack(&crm, &ack(&r1, "crm"));
    c.ingest(&message(&r1, &genuine)).await.expect("ingest");
    c.ingest(&message(&r1, &genuine))
        .await
        .expect("a replay, harmless");
    let rogue = KeyPair::from_seed([66; 32]);
    let forged = sign_ack(&rogue, &ack(&r1, "cameras"));
    c.ingest(&message(&r1, &forged)).await.expect("recorded");
    let misdirected = sign_ack(&cameras, &ack(&r1, "cameras"));
    c.ingest(&message(&r2, &misdirected))
        .await
        .expect("recorded");
    let garbage = Message::new(topics::ACKS, "x", b"aino@example.com".to_vec());
    c.ingest(&garbage).await.expect("recorded");

    let text = metrics.render().expect("a registry");
    let rejected = |reason: &str| {
        value(
            &text,
            &format!("erasure_acks_rejected_total{{reason=\"{reason}\"}}"),
        )
    };
    assert_eq!(rejected("invalid"), 1.0, "the forged one:\n{text}");
    assert_eq!(
        rejected("wrong_request"),
        1.0,
        "the misdirected one:\n{text}"
    );
    assert_eq!(rejected("unattributed"), 1.0, "the garbage:\n{text}");
    assert_eq!(
        value(
            &text,
            "erasure_tasks_total{outcome=\"erased\",system=\"crm\"}"
        ),
        1.0,
        "the genuine answer, once:\n{text}"
    );
    assert_eq!(
        value(
            &text,
            "erasure_tasks_total{outcome=\"erased\",system=\"cameras\"}"
        ),
        0.0,
        "nothing forged is counted:\n{text}"
    );
    assert!(!text.contains("aino"), "no content of a message:\n{text}");
}
