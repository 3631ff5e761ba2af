//! The transparency log over a real (SQLite) event store: certificates become leaves once
//! each, in order, whichever of several coordinators gets there first; heads are signed
//! over the whole log; proofs check against them; a restart rebuilds the same tree.

use chrono::Utc;
use erasure_coordinator::transparency::LOG_STREAM;
use erasure_coordinator::vault::Vault;
use erasure_coordinator::{Coordinator, SystemClock, codec};
use erasure_core::Event;
use erasure_core::inventory::Inventory;
use erasure_proof::consistency::verify_tree_heads;
use erasure_proof::merkle::{self, Hash};
use erasure_proof::transparency::{consistency_file, tree_head_file};
use erasure_proof::{KeyPair, TrustStore, sha256};
use erasure_store::sqlite::SqliteStore;
use erasure_store::{AppendBatch, EventStore};
use std::sync::Arc;

fn coordinator(store: &Arc<SqliteStore>) -> Arc<Coordinator> {
    Arc::new(Coordinator::new(
        store.clone(),
        Vault::from_master(&[9; 32]),
        Inventory::new([]),
        KeyPair::from_seed([3; 32]),
        TrustStore::default(),
        Arc::new(SystemClock),
    ))
}

/// Records a certificate in its request's stream, as completing a request does.
async fn issue(store: &SqliteStore, request: &str) -> Hash {
    let signed = format!("signed certificate of {request}").into_bytes();
    let hash = sha256(&signed);
    let event = Event::CertificateIssued {
        certificate_hash: hash.to_vec(),
        signed_certificate: signed,
        at: Utc::now(),
    };
    store
        .append(AppendBatch {
            stream_id: request.into(),
            expected_version: 0,
            events: vec![codec::encode(&event)],
            outbox: Vec::new(),
        })
        .await
        .expect("append");
    hash
}

#[tokio::test]
async fn two_coordinators_log_each_certificate_once_in_one_order() {
    let store = Arc::new(SqliteStore::open_in_memory().expect("store"));
    let (a, b) = (
        coordinator(&store).transparency_log(),
        coordinator(&store).transparency_log(),
    );
    let mut leaves = Vec::new();
    for i in 0..10 {
        leaves.push(issue(&store, &format!("r{i}")).await);
        // Both race to log every certificate.
        let (ra, rb) = tokio::join!(a.advance(), b.advance());
        ra.expect("a");
        rb.expect("b");
    }
    a.advance().await.expect("a");
    b.advance().await.expect("b");
    let logged = store.read_stream(LOG_STREAM).await.expect("log");
    assert_eq!(logged.len(), 10, "each certificate is one leaf");
    assert_eq!((a.tree_size(), b.tree_size()), (10, 10));
    let mut expected = merkle::MerkleTree::new();
    for leaf in &leaves {
        expected.push(leaf);
    }
    let head = a.publish().await.expect("publish").expect("head");
    assert_eq!(head.tree_size, 10);
    assert_eq!(
        head.root,
        expected.root(10).expect("root"),
        "leaves in issue order"
    );
    b.advance().await.expect("b");
    assert_eq!(b.head(None).expect("b sees a's head").root, head.root);
}

#[tokio::test]
async fn heads_prove_inclusion_and_consistency_and_survive_a_restart() {
    let store = Arc::new(SqliteStore::open_in_memory().expect("store"));
    let coordinator = coordinator(&store);
    let log = coordinator.transparency_log();
    let mut leaves = Vec::new();
    for i in 0..6 {
        leaves.push(issue(&store, &format!("r{i}")).await);
    }
    let early = log.proof_for(&leaves[2]).await.expect("proof");
    assert_eq!(early.leaf_index, 2);
    assert_eq!(early.tree_head.tree_size, 6, "a head signed on demand");
    let old = log.head(Some(6)).expect("head of 6");
    for i in 6..13 {
        leaves.push(issue(&store, &format!("r{i}")).await);
    }
    log.advance().await.expect("advance");
    // The latest head does not cover leaf 12 yet: fetching its proof signs one.
    let late = log.proof_for(&leaves[12]).await.expect("proof");
    let new = log.head(None).expect("latest");
    assert_eq!((late.tree_head.tree_size, new.tree_size), (13, 13));
    let proof: Vec<Hash> = late
        .inclusion_proof
        .iter()
        .map(|h| hex::decode(h).expect("hex").try_into().expect("32 bytes"))
        .collect();
    merkle::verify_inclusion(&merkle::leaf_hash(&leaves[12]), 12, 13, &proof, &new.root)
        .expect("inclusion");

    // Offline, as a regulator would: the two heads' files and the proof between them.
    let keys = coordinator.public_keys();
    let file = |h: &erasure_coordinator::transparency::Head| {
        serde_json::to_string(&tree_head_file(&h.signed, keys.clone()).expect("file"))
            .expect("json")
    };
    let consistency = log.consistency(6, 13).expect("consistency");
    let proof_json = serde_json::to_string(&consistency_file(6, 13, &consistency)).expect("json");
    let v = verify_tree_heads(&file(&old), &file(&new), Some(&proof_json), Some(&keys));
    assert!(v.is_valid(), "{:?}", v.failures().collect::<Vec<_>>());

    // A restarted coordinator reads the same log back.
    let restarted = coordinator.transparency_log();
    restarted.advance().await.expect("advance");
    assert_eq!(restarted.tree_size(), 13);
    assert_eq!(restarted.head(None).expect("head").root, new.root);
    assert_eq!(restarted.head(Some(6)).expect("old head").root, old.root);
    assert!(restarted.consistency(6, 13).expect("proof") == consistency);
}

#[tokio::test]
async fn nothing_logged_means_no_head_and_a_clear_answer() {
    let store = Arc::new(SqliteStore::open_in_memory().expect("store"));
    let log = coordinator(&store).transparency_log();
    log.advance().await.expect("advance");
    assert!(log.publish().await.expect("publish").is_none());
    let err = log.head(None).expect_err("no head");
    assert!(err.to_string().contains("no tree head"), "{err}");
    let err = log.consistency(3, 5).expect_err("beyond the log");
    assert!(err.to_string().contains('5'), "{err}");
}
