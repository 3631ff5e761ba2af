//! `erasure verify` refuses signed bytes that are not the canonical encoding of what they
//! decode to, even when signed with the right keys (`docs/proof-format.md`, §1).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use erasure_proof::KeyPair;
use erasure_proof::keys::KeyFile;
use erasure_proto::v1 as pb;
use erasure_tests::*;
use prost::Message;
use std::path::Path;
use std::time::Duration;

fn key(data: &Path, file: &str) -> KeyPair {
    let text = std::fs::read_to_string(data.join("keys").join(file)).expect("key file");
    let file: KeyFile = serde_json::from_str(&text).expect("key json");
    KeyPair::from_file(&file).expect("key")
}

/// A certificate file of a completed request, and its decoded signed certificate.
async fn certificate(server: &Server, dir: &Path) -> (serde_json::Value, pb::Certificate) {
    let id = stdout(&server.cli(&["submit", "--customer-id", "C-1001"]))
        .trim()
        .to_owned();
    eventually(Duration::from_secs(60), || async {
        stdout(&server.cli(&["status", &id]))
            .contains("certificate  available")
            .then_some(())
    })
    .await
    .unwrap_or_else(|| panic!("{id} never completed:\n{}", server.log_text()));
    let file = dir.join("genuine.json").display().to_string();
    assert!(
        server
            .cli(&["certificate", &id, "-o", &file])
            .status
            .success()
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    let bytes = B64
        .decode(json["signed_certificate"].as_str().expect("b64"))
        .expect("b64");
    let signed = pb::SignedCertificate::decode(bytes.as_slice()).expect("signed");
    let cert = pb::Certificate::decode(signed.certificate.as_slice()).expect("cert");
    (json, cert)
}

/// Puts `bytes`, signed with the coordinator's key, in the file; runs `erasure verify`.
fn verify_with(data: &Path, dir: &Path, mut json: serde_json::Value, bytes: Vec<u8>) -> String {
    let coordinator = key(data, "coordinator.json");
    let signed = pb::SignedCertificate {
        signature: coordinator.sign(erasure_proof::CERTIFICATE_CONTEXT, &bytes),
        certificate: bytes,
        key_id: coordinator.key_id().to_owned(),
    };
    json["signed_certificate"] = B64.encode(signed.encode_to_vec()).into();
    let file = dir.join("tampered.json");
    std::fs::write(&file, json.to_string()).expect("write");
    let trust = data.join("trust.json").display().to_string();
    let out = cli(&["verify", &file.display().to_string(), "--trust", &trust]);
    assert!(!out.status.success(), "verified: {}", stdout(&out));
    stdout(&out) + &stderr(&out)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_with_its_jurisdiction_encoded_twice_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let server = Server::start(&data, &[]);
    let (json, cert) = certificate(&server, tmp.path()).await;
    // Signed as it is first: the genuine bytes verify.
    let trust = data.join("trust.json").display().to_string();
    let genuine = tmp.path().join("genuine.json").display().to_string();
    assert!(
        cli(&["verify", &genuine, "--trust", &trust])
            .status
            .success()
    );
    let mut bytes = cert.encode_to_vec();
    bytes.extend(
        pb::Certificate {
            jurisdiction: "DE".into(),
            ..Default::default()
        }
        .encode_to_vec(),
    );
    let out = verify_with(&data, tmp.path(), json, bytes);
    assert!(
        out.lines()
            .any(|l| l.contains("signed certificate encoding") && l.contains("canonical")),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_acknowledgment_with_an_unknown_field_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let server = Server::start(&data, &[]);
    let (json, mut cert) = certificate(&server, tmp.path()).await;
    let system = cert
        .systems
        .iter_mut()
        .find(|s| s.acknowledgment.is_some())
        .expect("a system with an acknowledgment");
    let name = system.system_id.clone();
    let connector = key(&data, &format!("connectors/{name}.json"));
    let signed = system.acknowledgment.as_mut().expect("ack");
    let mut ack = signed.ack.clone();
    // Field 1000, a varint: unknown to the schema.
    ack.extend([0xc0, 0x3e, 0x01]);
    *signed = pb::SignedAcknowledgment {
        signature: connector.sign(erasure_proof::ACK_CONTEXT, &ack),
        ack,
        key_id: connector.key_id().to_owned(),
    };
    let out = verify_with(&data, tmp.path(), json, cert.encode_to_vec());
    assert!(
        out.lines()
            .any(|l| l.contains(&format!("acknowledgment of {name}")) && l.contains("canonical")),
        "{out}"
    );
}
