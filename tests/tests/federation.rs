//! Federation over OpenDSR, with two real `erasure serve` processes on loopback (embedded,
//! each its own data directory): B serves the OpenDSR endpoints for its controllers over
//! its example systems; A's only system is B, through the processor connector's OpenDSR
//! profile. A request at A becomes B's request for controller `ctrl-a`; A's certificate
//! nests B's signed status and B's certificate, and `erasure verify` checks them with B's
//! trust file. Tokens are minted here as an identity provider would.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use erasure_proof::KeyPair;
use erasure_proof::keys::KeyFile;
use erasure_proto::v1 as pb;
use erasure_tests::*;
use jsonwebtoken::{EncodingKey, Header, encode};
use prost::Message;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const SECRET: &str = "federation test secret, at least thirty-two bytes";
const ISSUER: &str = "https://idp.test";
const AUDIENCE: &str = "erasure";
const SYSTEM: &str = "processor-b";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// A token of B's identity provider.
fn token(sub: &str, roles: &[&str], controller: Option<&str>) -> String {
    let mut claims =
        json!({"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 3600, "roles": roles});
    if let Some(c) = controller {
        claims["controller"] = json!(c);
    }
    let key = EncodingKey::from_secret(SECRET.as_bytes()).expect("key");
    encode(&Header::default(), &claims, &key).expect("token")
}

/// B: the embedded example as an OpenDSR processor for two controllers.
fn start_b(dir: &Path, http: u16) -> Server {
    let example = include_str!("../../deploy/examples/embedded.toml");
    let secret = dir.join("jwt.secret");
    std::fs::write(&secret, SECRET).expect("secret");
    let config = format!(
        "controllers = [\"ctrl-a\", \"ctrl-other\"]\n{}\n\
         [auth]\nissuer = \"{ISSUER}\"\naudience = \"{AUDIENCE}\"\nhs256_secret_file = \"{}\"\n\n\
         [opendsr]\npublic_url = \"http://127.0.0.1:{http}/opendsr/v1\"\ndomain = \"b.test\"\ncallback_interval_ms = 200\n",
        example.replacen(
            "[server]\n",
            &format!("[server]\nhttp_listen = \"127.0.0.1:{http}\"\n"),
            1
        ),
        secret.display()
    );
    let path = dir.join("b.toml");
    std::fs::write(&path, config).expect("config");
    let path = path.display().to_string();
    Server::start(&dir.join("b"), &["--config", &path, "--with-example-data"])
}

/// A: one system, B, told over OpenDSR with a controller token of B's provider.
fn start_a(dir: &Path, http: u16, b_data: &Path) -> Server {
    let token_file = dir.join("a-to-b.token");
    std::fs::write(
        &token_file,
        token("controller-a-client", &["controller"], Some("ctrl-a")),
    )
    .expect("token");
    let callback = free_port();
    let config = format!(
        r#"[retention]
default_jurisdiction = "FI"

[[systems]]
id = "{SYSTEM}"
description = "B Oy: smart-home data we hand to them (OpenDSR, an erasure orchestrator)"
categories = ["contact"]

[systems.recipient]
name = "B Oy"
role = "processor"

[systems.connector]
kind = "processor"
state = "connectors/b-processor.sqlite"
allow_http = true
max_wait_secs = 3
poll_interval_ms = 200
poll_interval_max_secs = 1
follow_up_secs = 1
follow_up_max_secs = 2

[systems.connector.opendsr]
base_url = "http://127.0.0.1:{http}/opendsr/v1"
processor_domain = "b.test"
certificate_file = "{cert}"

[systems.connector.auth.bearer]
token = {{ file = "{token}" }}

[systems.connector.callback]
listen = "127.0.0.1:{callback}"
public_url = "http://127.0.0.1:{callback}/callbacks/b"
"#,
        cert = b_data.join("keys/opendsr/certificate.pem").display(),
        token = token_file.display(),
    );
    let path = dir.join("a.toml");
    std::fs::write(&path, config).expect("config");
    let path = path.display().to_string();
    Server::start(&dir.join("a"), &["--config", &path])
}

fn verify(file: &Path, a: &Path, b: Option<&Path>) -> std::process::Output {
    let (file, trust) = (
        file.display().to_string(),
        a.join("trust.json").display().to_string(),
    );
    let mut args = vec!["verify".to_owned(), file, "--trust".into(), trust];
    if let Some(b) = b {
        args.push("--processor-trust".into());
        args.push(format!("{SYSTEM}={}", b.join("trust.json").display()));
    }
    cli(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The line of `erasure verify`'s output that names `check`.
fn check_line(out: &std::process::Output, check: &str) -> String {
    let text = stdout(out) + &stderr(out);
    text.lines()
        .find(|l| l.contains(check))
        .unwrap_or_else(|| panic!("no {check:?} line in:\n{text}"))
        .to_owned()
}

fn key(data: &Path, file: &str) -> KeyPair {
    let text = std::fs::read_to_string(data.join("keys").join(file)).expect("key file");
    let file: KeyFile = serde_json::from_str(&text).expect("key json");
    KeyPair::from_file(&file).expect("key")
}

/// A's certificate with one byte of B's nested status changed, and A's own signatures made
/// again over it with A's keys: only the nested part is wrong.
fn tamper(a_data: &Path, certificate: &Value) -> Value {
    let bytes = B64
        .decode(certificate["signed_certificate"].as_str().expect("b64"))
        .expect("b64");
    let signed = pb::SignedCertificate::decode(bytes.as_slice()).expect("signed");
    let mut cert = pb::Certificate::decode(signed.certificate.as_slice()).expect("certificate");
    let result = cert
        .systems
        .iter_mut()
        .find(|s| s.system_id == SYSTEM)
        .expect("system");
    let signed_ack = result.acknowledgment.as_mut().expect("acknowledged");
    let mut ack = pb::Acknowledgment::decode(signed_ack.ack.as_slice()).expect("ack");
    let proof = ack.processor_proof.as_mut().expect("a nested proof");
    let text = String::from_utf8(proof.status_body.clone()).expect("utf-8");
    proof.status_body = text
        .replacen("\"results_count\":", "\"results_count\":1", 1)
        .into_bytes();
    assert_ne!(proof.status_body, text.as_bytes(), "changed");
    let connector = key(a_data, &format!("connectors/{SYSTEM}.json"));
    signed_ack.ack = ack.encode_to_vec();
    signed_ack.signature = connector.sign(erasure_proof::ACK_CONTEXT, &signed_ack.ack);
    let coordinator = key(a_data, "coordinator.json");
    let body = cert.encode_to_vec();
    let resigned = pb::SignedCertificate {
        signature: coordinator.sign(erasure_proof::CERTIFICATE_CONTEXT, &body),
        certificate: body,
        key_id: coordinator.key_id().to_owned(),
    };
    let mut tampered = certificate.clone();
    tampered["signed_certificate"] = B64.encode(resigned.encode_to_vec()).into();
    tampered
}

async fn http_status(url: &str, token: Option<&str>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut request = client.get(url);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let answer = request.send().await.expect("answer");
    let code = answer.status().as_u16();
    let body = answer.bytes().await.expect("body");
    (code, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_at_a_is_erased_by_b_and_a_certificate_nests_b_proof() {
    let tmp = tempfile::tempdir().expect("tmp");
    let http = free_port();
    let b = start_b(tmp.path(), http);
    let a = start_a(tmp.path(), http, &b.data_dir);
    let crm = b.data_dir.join("example/crm.sqlite");
    let others_before = count(
        &crm,
        "SELECT count(*) FROM customers WHERE customer_number != 'C-1001'",
    );
    assert_eq!(
        count(
            &crm,
            "SELECT count(*) FROM customers WHERE customer_number = 'C-1001'"
        ),
        1
    );

    let id = ok(&a.cli(&[
        "submit",
        "--email",
        "Aino.Virtanen@example.com",
        "--customer-id",
        "C-1001",
    ]));
    wait_for_status(&a, &id, "certificate  available").await;

    // B's own systems really erased the person, and nobody else.
    assert_eq!(
        count(
            &crm,
            "SELECT count(*) FROM customers WHERE customer_number = 'C-1001'"
        ),
        0
    );
    assert_eq!(
        count(
            &crm,
            "SELECT count(*) FROM customers WHERE customer_number != 'C-1001'"
        ),
        others_before
    );

    // A's certificate verifies, the nested part with B's trust file.
    let file = tmp.path().join("a-certificate.json");
    ok(&a.cli(&["certificate", &id, "-o", &file.display().to_string()]));
    let verified = verify(&file, &a.data_dir, Some(&b.data_dir));
    ok(&verified);
    let nested = check_line(&verified, "processor proof of processor-b");
    assert!(nested.contains("controller ctrl-a"), "{nested}");

    // Without B's keys, the nested part is not taken on trust.
    let unchecked = verify(&file, &a.data_dir, None);
    assert!(!unchecked.status.success());
    assert!(check_line(&unchecked, "processor proof of").contains("--processor-trust"));

    // B's request: scoped to controller ctrl-a, under A's subject_request_id.
    let certificate = json_file(&file);
    let recipients = certificate["certificate"]["recipients"]
        .as_array()
        .expect("recipients");
    let subject_request_id = recipients[0]["reference"]
        .as_str()
        .expect("reference")
        .to_owned();
    let url = format!("http://127.0.0.1:{http}/opendsr/v1/opengdpr_requests/{subject_request_id}");
    let a_token = token("controller-a-client", &["controller"], Some("ctrl-a"));
    let (code, status) = http_status(&url, Some(&a_token)).await;
    assert_eq!(code, 200, "{status}");
    assert_eq!(status["controller_id"], "ctrl-a");
    assert_eq!(status["request_status"], "completed");
    let b_id = status["extensions"]["b.test"]["request_id"]
        .as_str()
        .expect("B's id")
        .to_owned();
    let operator = token("liisa", &["operator"], None);
    let b_status = ok(&cli_with(
        &["--server", &b.addr, "status", &b_id],
        &[("ERASURE_TOKEN", operator.clone())],
    ));
    assert!(b_status.contains("controller   ctrl-a"), "{b_status}");
    assert!(b_status.contains("channel opendsr"), "{b_status}");

    // The same subject_request_id posted again is the same request, not a second one;
    // posted for another person it is refused.
    let post = |identities: Value| {
        let body = json!({
            "subject_request_id": subject_request_id, "subject_request_type": "erasure",
            "regulation": "gdpr", "submitted_time": "2026-10-02T15:00:00Z",
            "subject_identities": identities,
        });
        reqwest::Client::new()
            .post(format!(
                "http://127.0.0.1:{http}/opendsr/v1/opengdpr_requests"
            ))
            .bearer_auth(&a_token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let raw = |t: &str, v: &str| json!({"identity_type": t, "identity_value": v, "identity_format": "raw"});
    let same = post(json!([
        raw("email", "aino.virtanen@example.com"),
        raw("controller_customer_id", "C-1001")
    ]));
    assert_eq!(same.await.expect("answer").status().as_u16(), 201);
    let other = post(json!([raw("controller_customer_id", "C-1002")]));
    assert_eq!(other.await.expect("answer").status().as_u16(), 409);
    let list = ok(&cli_with(
        &["--server", &b.addr, "list"],
        &[("ERASURE_TOKEN", operator)],
    ));
    assert_eq!(list.matches(&b_id).count(), 1, "{list}");
    let requests = list
        .lines()
        .filter(|l| l.contains("completed") || l.contains("in-progress"));
    assert_eq!(requests.count(), 1, "one request at B:\n{list}");

    // Discovery is public, and signed under the specification's old names too.
    let discovery = reqwest::get(format!("http://127.0.0.1:{http}/opendsr/v1/discovery"))
        .await
        .expect("discovery");
    assert_eq!(discovery.status().as_u16(), 200);
    for header in ["x-opendsr-signature", "x-opengdpr-signature"] {
        assert!(discovery.headers().contains_key(header), "{header}");
    }

    // Refused at B: no token, another controller's token, a controller it does not serve.
    let (code, _) = http_status(&url, None).await;
    assert_eq!(code, 401);
    let other = token(
        "controller-other-client",
        &["controller"],
        Some("ctrl-other"),
    );
    let (code, _) = http_status(&url, Some(&other)).await;
    assert_eq!(code, 404, "another controller's request is not found");
    let stranger = token("stranger", &["controller"], Some("ctrl-unknown"));
    let (code, _) = http_status(&url, Some(&stranger)).await;
    assert_eq!(code, 403);
    let (code, _) = http_status(&url, Some(&token("liisa", &["operator"], None))).await;
    assert_eq!(
        code, 403,
        "staff roles do not post or read controllers' requests"
    );

    // B called A back, signed, and A's connector took it (it refuses a bad signature).
    let ledger = b.data_dir.join("opendsr.sqlite");
    let notified = "SELECT count(*) FROM opendsr_requests WHERE notified = 'completed'";
    eventually(Duration::from_secs(20), || async {
        (count(&ledger, notified) == 1).then_some(())
    })
    .await
    .unwrap_or_else(|| panic!("B's completion callback was not taken:\n{}", b.log_text()));

    // A tampered nested answer fails, and says so.
    let tampered = tmp.path().join("tampered.json");
    std::fs::write(&tampered, tamper(&a.data_dir, &certificate).to_string()).expect("write");
    let refused = verify(&tampered, &a.data_dir, Some(&b.data_dir));
    assert!(!refused.status.success());
    let line = check_line(&refused, "processor proof of processor-b");
    assert!(line.contains("signed status does not verify"), "{line}");
}
