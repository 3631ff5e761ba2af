//! Ingesting acknowledgments: genuine ones count, forged, mis-signed, misdirected and
//! replayed ones are recorded and never counted; identifiers never appear in plaintext.

use erasure_bus::{Message, topics};
use erasure_coordinator::ingest::UNATTRIBUTED_ACKS_STREAM;
use erasure_coordinator::submit::SubmitInput;
use erasure_coordinator::vault::Vault;
use erasure_coordinator::{Coordinator, SystemClock};
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_core::{Identifiers, RequestStatus, TaskStatus};
use erasure_proof::ack::sign_ack;
use erasure_proof::keys::TrustedKey;
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
    world_with(|_| {})
}

/// A world whose trust is changed by `adjust` (after the connectors' keys are added).
fn world_with(adjust: impl FnOnce(&mut TrustStore)) -> World {
    let store = Arc::new(SqliteStore::open_in_memory().expect("store"));
    let (crm, cameras) = (KeyPair::from_seed([1; 32]), KeyPair::from_seed([2; 32]));
    let mut trust = TrustStore::default();
    trust.add_connector("crm", &crm.public());
    trust.add_connector("cameras", &cameras.public());
    adjust(&mut trust);
    let inventory = Inventory::new(["crm", "cameras"].map(|id| SystemSpec {
        id: id.into(),
        categories: vec![],
        resolves: false,
        ..SystemSpec::default()
    }));
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

async fn submit(w: &World, email: &str) -> String {
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
    w.coordinator
        .submit(input)
        .await
        .expect("submit")
        .request_id
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

#[tokio::test]
async fn only_genuine_acknowledgments_count() {
    let w = world();
    let r1 = submit(&w, "aino@example.com").await;
    let r2 = submit(&w, "mikko@example.com").await;

    let genuine_crm = sign_ack(&w.crm, &ack(&r1, "crm"));
    w.coordinator
        .ingest(&message(&r1, &genuine_crm))
        .await
        .expect("ingest");

    // Signed by a key nobody registered.
    let rogue = KeyPair::from_seed([66; 32]);
    w.coordinator
        .ingest(&message(&r1, &sign_ack(&rogue, &ack(&r1, "cameras"))))
        .await
        .expect("recorded");
    // The cameras key, but the signature does not match the bytes.
    let mut bad = sign_ack(&w.cameras, &ack(&r1, "cameras"));
    bad.signature[0] ^= 0xff;
    w.coordinator
        .ingest(&message(&r1, &bad))
        .await
        .expect("recorded");
    // The crm key signing for cameras.
    w.coordinator
        .ingest(&message(&r1, &sign_ack(&w.crm, &ack(&r1, "cameras"))))
        .await
        .expect("recorded");
    // A genuine acknowledgment of r1, delivered as if for r2.
    let genuine_cameras = sign_ack(&w.cameras, &ack(&r1, "cameras"));
    w.coordinator
        .ingest(&message(&r2, &genuine_cameras))
        .await
        .expect("recorded");
    // A replay of the crm acknowledgment already counted.
    w.coordinator
        .ingest(&message(&r1, &genuine_crm))
        .await
        .expect("harmless");
    // Garbage.
    w.coordinator
        .ingest(&Message::new(topics::ACKS, "x", vec![0xde, 0xad]))
        .await
        .expect("recorded");

    let s1 = w.coordinator.get(&r1).await.expect("r1");
    assert_eq!(
        s1.rejected_acks, 3,
        "rogue key, bad signature, wrong system's key"
    );
    assert_eq!(s1.tasks[&"crm".into()].status, TaskStatus::Done);
    assert_eq!(
        s1.tasks[&"cameras".into()].status,
        TaskStatus::Pending,
        "nothing forged was counted"
    );
    assert_eq!(s1.status, RequestStatus::InProgress);
    let s2 = w.coordinator.get(&r2).await.expect("r2");
    assert_eq!(
        s2.rejected_acks, 1,
        "the misdirected acknowledgment is recorded on the request it was sent for"
    );
    assert!(s2.tasks.values().all(|t| t.status == TaskStatus::Pending));
    assert_eq!(
        w.store
            .read_stream(UNATTRIBUTED_ACKS_STREAM)
            .await
            .expect("read")
            .len(),
        1
    );
    let accepted = w
        .store
        .read_stream(&r1)
        .await
        .expect("read")
        .iter()
        .filter(|e| e.event_type == "AckAccepted")
        .count();
    assert_eq!(accepted, 1, "the replay added nothing");

    // The genuine cameras acknowledgment completes r1 with exactly one certificate.
    w.coordinator
        .ingest(&message(&r1, &genuine_cameras))
        .await
        .expect("ingest");
    w.coordinator
        .ingest(&message(&r1, &genuine_cameras))
        .await
        .expect("duplicate");
    let s1 = w.coordinator.get(&r1).await.expect("r1");
    assert_eq!(s1.status, RequestStatus::Completed);
    let certs = w
        .store
        .read_stream(&r1)
        .await
        .expect("read")
        .iter()
        .filter(|e| e.event_type == "CertificateIssued")
        .count();
    assert_eq!(certs, 1);
    let log = w.coordinator.transparency_log();
    let json = w
        .coordinator
        .certificate_json(&r1, &log)
        .await
        .expect("certificate");
    let v = erasure_proof::certificate::verify_file(&json, Some(&w.coordinator.public_keys()));
    assert!(v.is_valid(), "{:?}", v.failures().collect::<Vec<_>>());
}

#[tokio::test]
async fn an_acknowledgment_signed_with_a_retired_key_is_refused_even_if_dated_before() {
    // crm's key was rotated out an hour ago (a new key took over); the ack claims to
    // have been signed two hours ago, while the key was still valid.
    let retired_at = chrono::Utc::now() - chrono::Duration::hours(1);
    let w = world_with(|trust| {
        let old = KeyPair::from_seed([1; 32]);
        trust.add_connector_entry(
            "crm",
            TrustedKey {
                valid_until: Some(retired_at.to_rfc3339()),
                ..TrustedKey::from(&old.public())
            },
        );
    });
    let r1 = submit(&w, "aino@example.com").await;
    let mut backdated = ack(&r1, "crm");
    backdated.completed_at_ms = (retired_at - chrono::Duration::hours(1)).timestamp_millis();
    w.coordinator
        .ingest(&message(&r1, &sign_ack(&w.crm, &backdated)))
        .await
        .expect("recorded");
    let s = w.coordinator.get(&r1).await.expect("r1");
    assert_eq!(s.rejected_acks, 1);
    assert_ne!(
        s.tasks.values().next().map(|t| t.status),
        Some(TaskStatus::Done)
    );
    let rejected = w.store.read_stream(&r1).await.expect("read");
    let reason = rejected
        .iter()
        .filter(|e| e.event_type == "AckRejected")
        .map(|e| {
            pb::AckRejected::decode(e.payload.as_slice())
                .expect("event")
                .reason
        })
        .next()
        .expect("a rejection");
    assert!(reason.contains("was not valid"), "{reason}");
}

#[tokio::test]
async fn identifiers_are_sealed_in_events_and_absent_from_the_outbox() {
    let w = world();
    let r1 = submit(&w, "secret.person@example.com").await;
    let needle = b"secret.person";
    for e in w.store.read_all(0, 1000).await.expect("events") {
        assert!(
            !e.payload.windows(needle.len()).any(|x| x == needle),
            "{} holds the e-mail in plaintext",
            e.event_type
        );
    }
    let due = w.store.due(i64::MAX, 100, &[]).await.expect("outbox");
    assert_eq!(due.len(), 2, "one work order per system");
    for m in &due {
        assert!(
            !m.payload.windows(needle.len()).any(|x| x == needle),
            "work order in the outbox holds the e-mail"
        );
        let order = pb::WorkOrder::decode(m.payload.as_slice()).expect("work order");
        assert_eq!(order.request_id, r1);
        assert!(order.identifiers.is_none());
    }
    // The relay can open them while the data key exists...
    let state = w.coordinator.get(&r1).await.expect("state");
    let opened = w.coordinator.open_identifiers(&state).await.expect("open");
    assert_eq!(opened.email, ["secret.person@example.com"]);
    // ...and nobody can once it is destroyed (crypto-shredding).
    use erasure_store::KeyStore;
    assert!(w.store.destroy_key(&r1).await.expect("destroy"));
    assert!(w.coordinator.open_identifiers(&state).await.is_err());
}

/// Signed by the right key over bytes that are not the canonical encoding of what they
/// decode to: recorded as refused, never counted (`docs/proof-format.md`).
#[tokio::test]
async fn an_acknowledgment_not_canonically_encoded_is_refused() {
    let w = world();
    let r1 = submit(&w, "aino@example.com").await;
    let canonical = ack(&r1, "crm").encode_to_vec();
    let mut unknown_field = canonical.clone();
    prost::encoding::encode_key(1000, prost::encoding::WireType::Varint, &mut unknown_field);
    unknown_field.push(1);
    let mut twice = canonical.clone();
    twice.extend(
        pb::Acknowledgment {
            items_affected: 7,
            ..Default::default()
        }
        .encode_to_vec(),
    );
    for bytes in [unknown_field, twice] {
        let signed = pb::SignedAcknowledgment {
            signature: w.crm.sign(erasure_proof::ACK_CONTEXT, &bytes),
            ack: bytes,
            key_id: w.crm.key_id().to_owned(),
        };
        w.coordinator
            .ingest(&message(&r1, &signed))
            .await
            .expect("recorded");
    }
    let s = w.coordinator.get(&r1).await.expect("r1");
    assert_eq!(s.tasks[&"crm".into()].status, TaskStatus::Pending);
    let reasons: Vec<String> = w
        .store
        .read_stream(UNATTRIBUTED_ACKS_STREAM)
        .await
        .expect("read")
        .iter()
        .filter(|e| e.event_type == "AckRejected")
        .map(|e| {
            pb::AckRejected::decode(e.payload.as_slice())
                .expect("event")
                .reason
        })
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons.iter().all(|r| r.contains("canonical encoding")),
        "{reasons:?}"
    );
}
