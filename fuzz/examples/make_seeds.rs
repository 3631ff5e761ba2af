//! Writes the seed corpora to `fuzz/seeds/<target>/` from documents made with the test
//! keys (see the crate docs), the repository's example configurations and rules file:
//! `cargo +nightly run --example make_seeds` in `fuzz/`. The seeds are committed; run this
//! again when a format changes.

use erasure_fuzz as f;
use erasure_proof::{ack, certificate, resolution};
use erasure_proto::v1::{Identifiers, Purpose, WorkOrder};
use prost::Message;
use std::path::Path;

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    std::fs::create_dir_all(&dir).expect("seed directory");
    std::fs::write(dir.join(name), bytes).expect("seed file");
}

fn with_mode(mode: u8, bytes: &[u8]) -> Vec<u8> {
    [&[mode][..], bytes].concat()
}

fn joined(parts: &[&str]) -> Vec<u8> {
    parts.join("\0").into_bytes()
}

fn main() {
    let ack = f::acknowledgment();
    let signed_ack = ack::sign_ack(&f::connector_key(), &ack).encode_to_vec();
    write("ack", "signed", &with_mode(0, &signed_ack));
    write("ack", "content", &with_mode(1, &ack.encode_to_vec()));

    let res = f::resolution();
    let signed_res = resolution::sign_resolution(&f::connector_key(), &res).encode_to_vec();
    write("resolution", "signed", &with_mode(0, &signed_res));
    write("resolution", "content", &with_mode(1, &res.encode_to_vec()));

    let order = WorkOrder {
        request_id: f::REQUEST.into(),
        task_id: format!("{}/{}", f::REQUEST, f::SYSTEM),
        system_id: f::SYSTEM.into(),
        attempt: 1,
        identifiers: Some(Identifiers {
            email: vec!["person@example.org".into()],
            phone: vec!["+358401234567".into()],
            customer_id: vec!["c-1".into()],
            ..Default::default()
        }),
        categories: vec!["contact".into()],
        deadline: "2026-01-30".into(),
        issued_at_ms: f::AT_MS,
        as_of: "2026-01-01".into(),
        ..Default::default()
    };
    write("work_order", "erase", &order.encode_to_vec());
    let resolve = WorkOrder {
        purpose: Purpose::Resolve as i32,
        ..order
    };
    write("work_order", "resolve", &resolve.encode_to_vec());

    let cert = f::certificate();
    let cert_file = f::certificate_file(&cert).expect("certificate file");
    let signed_cert = certificate::sign_certificate(&f::coordinator_key(), &cert);
    let supp = f::supplement_of(&signed_cert);
    let supp_file = f::supplement_file(&supp).expect("supplement file");
    write("certificate_file", "certificate", cert_file.as_bytes());
    write(
        "certificate_file",
        "supplement",
        &joined(&[&supp_file, &cert_file]),
    );
    write(
        "certificate_signed",
        "certificate",
        &with_mode(0, &cert.encode_to_vec()),
    );
    write(
        "certificate_signed",
        "supplement",
        &with_mode(1, &supp.encode_to_vec()),
    );

    let (a, b, proof) = f::tree_heads();
    write("tree_heads", "consistent", &joined(&[&a, &b, &proof]));
    write("tree_heads", "no-proof", &joined(&[&b, &a]));

    let rules = include_str!("../../deploy/rules/retention.toml");
    write("rules", "retention", rules.as_bytes());
    let embedded = include_str!("../../deploy/examples/embedded.toml");
    write("config", "embedded", embedded.as_bytes());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/examples/distributed");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_stem().expect("file name").to_string_lossy();
            write("config", &name, &std::fs::read(&path).expect("example"));
        }
    }
    // A processor's completed status naming the certificate file it nests (the
    // processor's controller is the one the nested certificate is for).
    let nested = erasure_proto::v1::Certificate {
        controller: "ctrl-a".into(),
        ..f::certificate()
    };
    let nested_file = f::certificate_file(&nested).expect("nested certificate file");
    let file: serde_json::Value = serde_json::from_str(&nested_file).expect("JSON");
    let signed = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        file["signed_certificate"].as_str().expect("signed part"),
    )
    .expect("base64");
    let status = serde_json::json!({
        "controller_id": "ctrl-a",
        "subject_request_id": "a7551968-d5d6-44b2-9831-815ac9017798",
        "request_status": "completed",
        "api_version": "1.0",
        "extensions": {"processor.test": {
            "request_id": f::REQUEST,
            "certificate_sha256": hex::encode(erasure_proof::sha256(&signed)),
        }},
    });
    write(
        "processor_proof",
        "completed",
        &joined(&[&status.to_string(), &nested_file]),
    );
    write("merkle_proofs", "own", &[1; 64]);
    write("merkle_proofs", "arbitrary", &[0; 200]);
}
