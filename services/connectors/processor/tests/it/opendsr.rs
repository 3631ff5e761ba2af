//! The OpenDSR profile against a processor that speaks it: one erasure request per task,
//! identities as its discovery document asks, every answer's signature checked against
//! its certificate (chained to the test root, or pinned), the status read until
//! `completed`, signed callbacks taken and forged ones refused, the signed status kept.

use crate::support::opendsr::{DOMAIN, Key, OpenDsrProcessor, fixture};
use crate::support::{Built, build, evidence, free_port};
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::runner_cases::Bench;
use erasure_connector_sdk::kit::{alice, assert_no_personal_data, job};
use erasure_core::Identifiers;
use erasure_core::events::Outcome;
use erasure_proto::v1 as proto;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;

pub fn config(base: &str, max_wait_secs: u64, extra: &str) -> String {
    format!(
        r#"state = "state.sqlite"
        allow_http = true
        max_wait_secs = {max_wait_secs}
        poll_interval_ms = 10
        {extra}
        [opendsr]
        base_url = "{base}"
        processor_domain = "{DOMAIN}"
        ca_file = "ca.pem""#
    )
}

pub fn opendsr(base: &str, max_wait_secs: u64) -> Built {
    build(
        &config(base, max_wait_secs, ""),
        &[("ca.pem", &fixture("ca.pem"))],
        &[],
    )
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[tokio::test]
async fn an_erasure_request_is_followed_until_completed_and_its_signed_status_kept() {
    let processor = OpenDsrProcessor::new("processor-ec", 2);
    processor.hold("alice@example.com", "C-1001");
    let built = opendsr(&processor.start().await, 30);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 2),
        "{}",
        report.detail
    );
    let id = processor.only_request_id();
    assert_eq!(report.reference, id);
    assert!(!processor.holds_email("alice@example.com"));
    let sent = processor.request(&id).body;
    assert_eq!(sent["subject_request_type"], "erasure");
    let identities = sent["subject_identities"].as_array().expect("identities");
    let identity = |t: &str| identities.iter().find(|i| i["identity_type"] == t).cloned();
    assert_eq!(
        identity("email").expect("email sent"),
        serde_json::json!({"identity_type": "email", "identity_format": "sha256",
                           "identity_value": sha256_hex("alice@example.com")})
    );
    assert_eq!(
        identity("controller_customer_id").expect("customer")["identity_value"],
        "C-1001"
    );
    assert_eq!(
        identities.len(),
        2,
        "the phone number has no identity type here"
    );
    assert!(
        sent.get("status_callback_urls").is_none(),
        "no callback configured"
    );

    let evidence = evidence(&report);
    let leaf = CertificateDer::from_pem_slice(fixture("processor-ec.pem").as_bytes()).expect("pem");
    assert_eq!(
        evidence["certificate_sha256"],
        hex::encode(Sha256::digest(leaf.as_ref()))
    );
    let status = &evidence["calls"][0]["status"];
    let body = status["body"].as_str().expect("the status as it came");
    let signature = status["headers"]["x-opendsr-signature"]
        .as_str()
        .expect("its signature");
    assert!(
        verifies(&leaf, body, signature),
        "the kept status does not verify"
    );
    assert_eq!(
        serde_json::from_str::<Value>(body).expect("JSON")["request_status"],
        "completed"
    );
    let submitted = &evidence["calls"][0]["submitted"];
    assert_eq!(
        submitted["left_out"],
        serde_json::json!(["encoded_request"])
    );
    assert!(
        !submitted["body"]
            .as_str()
            .expect("body")
            .contains("encoded_request")
    );
    assert_no_personal_data(&report, &alice());
}

/// A certificate file as an orchestrator serves it (only its signed part matters here),
/// and the digest of that part.
fn orchestrator_certificate() -> (String, String) {
    use base64::Engine;
    let signed = b"a signed certificate's bytes";
    let file = serde_json::json!({
        "format": "erasure-certificate-file/v1",
        "signed_certificate": base64::engine::general_purpose::STANDARD.encode(signed),
    });
    (file.to_string(), hex::encode(Sha256::digest(signed)))
}

#[tokio::test]
async fn an_orchestrators_certificate_and_signed_status_are_nested_in_the_acknowledgment() {
    let processor = OpenDsrProcessor::new("processor-ec", 0);
    processor.hold("alice@example.com", "C-1001");
    let (file, digest) = orchestrator_certificate();
    *processor.nested.lock().expect("nested") = Some((file.clone(), digest));
    let built = opendsr(&processor.start().await, 30);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::Erased, "{}", report.detail);
    let proof = report.processor_proof.expect("a nested proof");
    assert_eq!(proof.certificate_file, file.as_bytes());
    let leaf = CertificateDer::from_pem_slice(fixture("processor-ec.pem").as_bytes()).expect("pem");
    assert_eq!(proof.signing_certificate, leaf.as_ref());
    let status = String::from_utf8(proof.status_body).expect("utf-8");
    assert!(status.contains("\"certificate_sha256\""), "{status}");
    use base64::Engine;
    let signature = base64::engine::general_purpose::STANDARD.encode(&proof.status_signature);
    assert!(
        verifies(&leaf, &status, &signature),
        "the nested status verifies"
    );
    let again = built.connector.erase(&job(&alice(), "req-1", 2)).await;
    assert_eq!(
        again.processor_proof.map(|p| p.certificate_file),
        Some(file.into_bytes())
    );
}

#[tokio::test]
async fn a_certificate_other_than_the_one_the_status_names_fails_for_good() {
    let processor = OpenDsrProcessor::new("processor-ec", 0);
    processor.hold("alice@example.com", "C-1001");
    let (file, _) = orchestrator_certificate();
    *processor.nested.lock().expect("nested") = Some((file, "00".repeat(32)));
    let built = opendsr(&processor.start().await, 30);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert!(
        report
            .detail
            .contains("not the certificate the processor's signed status names"),
        "{}",
        report.detail
    );
}

/// Checks a signature with webpki, as anyone holding the certificate could.
fn verifies(leaf: &CertificateDer<'_>, body: &str, signature: &str) -> bool {
    use base64::Engine;
    let certificate = webpki::EndEntityCert::try_from(leaf).expect("certificate");
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .expect("b64");
    certificate
        .verify_signature(webpki::ring::ECDSA_P256_SHA256, body.as_bytes(), &signature)
        .is_ok()
}

#[tokio::test]
async fn a_signed_callback_finishes_the_request_and_forged_ones_are_refused() {
    let processor = OpenDsrProcessor::new("processor-ec", 1000);
    processor.hold("alice@example.com", "C-1001");
    let base = processor.start().await;
    let port = free_port();
    let callback = format!(
        "[callback]\nlisten = \"127.0.0.1:{port}\"\npublic_url = \"http://127.0.0.1:{port}/opendsr\""
    );
    let built = build(
        &config(&base, 0, &callback),
        &[("ca.pem", &fixture("ca.pem"))],
        &[],
    );
    let bench = Bench::start(built.connector.clone()).await;
    bench.deliver(&alice(), "req-1", 1).await;
    let accepted = &bench.acks(1).await[0];
    assert_eq!(
        accepted.outcome,
        proto::Outcome::Accepted as i32,
        "{}",
        accepted.detail
    );
    let id = processor.only_request_id();
    let urls = processor.request(&id).body["status_callback_urls"].clone();
    let url = urls[0].as_str().expect("one callback URL");
    let prefix = format!("http://127.0.0.1:{port}/opendsr/");
    assert!(url.starts_with(&prefix) && url.ends_with("/0"), "{url}");

    let stranger = Key::stranger();
    let forged = processor
        .call_back(&id, Some(&stranger), |_| {}, true, false)
        .await;
    let unsigned = processor.call_back(&id, None, |_| {}, false, false).await;
    let other = processor
        .call_back(
            &id,
            None,
            |b| b["subject_request_id"] = "0d2b4c1e-9f3a-4b7c-8d6e-5f4a3b2c1d0e".into(),
            true,
            false,
        )
        .await;
    let elsewhere = processor
        .call_back(
            &id,
            None,
            |b| b["status_callback_url"] = "https://elsewhere.example/cb".into(),
            true,
            false,
        )
        .await;
    assert_eq!((forged, unsigned, other, elsewhere), (403, 403, 400, 400));
    let still = built.connector.erase(&job(&alice(), "req-1", 2)).await;
    assert_eq!(
        still.outcome,
        Outcome::Accepted,
        "a refused callback was taken"
    );

    let genuine = processor.call_back(&id, None, |_| {}, true, true).await;

    assert_eq!(genuine, 202);
    let acks = bench.acks(2).await;
    assert_eq!(
        acks[1].outcome,
        proto::Outcome::Erased as i32,
        "{}",
        acks[1].detail
    );
    assert_eq!(
        (acks[1].attempt, acks[1].reference.as_str()),
        (1, id.as_str())
    );
    let kept = bench
        .runner
        .evidence("req-1")
        .await
        .expect("cache")
        .expect("kept");
    let kept: Value = serde_json::from_slice(&kept).expect("JSON");
    assert_eq!(kept["calls"][0]["status"]["source"], "callback");
    assert_eq!(processor.log.count("POST", "/v1/opengdpr_requests"), 1);
}

#[tokio::test]
async fn a_badly_signed_answer_fails_for_good_and_the_request_is_not_posted_twice() {
    let processor = OpenDsrProcessor::new("processor-ec", 0);
    processor.hold("alice@example.com", "C-1001");
    let built = opendsr(&processor.start().await, 30);
    processor.forge_answers.store(true, Ordering::SeqCst);

    let refused = built.connector.erase(&job(&alice(), "req-1", 1)).await;
    processor.forge_answers.store(false, Ordering::SeqCst);
    let retried = built.connector.erase(&job(&alice(), "req-1", 2)).await;

    assert_eq!(refused.outcome, Outcome::FailedPermanent);
    assert_eq!(
        refused.detail,
        "submit: the signature does not verify against the processor's certificate"
    );
    assert_eq!(retried.outcome, Outcome::Erased, "{}", retried.detail);
    assert_eq!(processor.log.count("POST", "/v1/opengdpr_requests"), 1);
    assert!(!processor.holds_email("alice@example.com"));
}

#[tokio::test]
async fn a_self_signed_certificate_is_not_trusted() {
    let processor = OpenDsrProcessor::new("self-signed", 0);
    let built = opendsr(&processor.start().await, 30);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert!(
        report
            .detail
            .starts_with("certificate: not issued by a trusted root"),
        "{}",
        report.detail
    );
}

#[tokio::test]
async fn a_pinned_rsa_certificate_checks_the_processors_signatures() {
    let processor = OpenDsrProcessor::new("processor-rsa", 0);
    processor.hold("alice@example.com", "C-1001");
    let base = processor.start().await;
    let config =
        config(&base, 30, "").replace("ca_file = \"ca.pem\"", "certificate_file = \"pinned.pem\"");
    let built = build(
        &config,
        &[("pinned.pem", &fixture("processor-rsa.pem"))],
        &[],
    );

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::Erased, "{}", report.detail);
}

#[tokio::test]
async fn a_person_with_no_identifier_the_processor_takes_is_nothing_sent() {
    let processor = OpenDsrProcessor::new("processor-ec", 0);
    let built = opendsr(&processor.start().await, 30);
    let phone_only = Identifiers::parse(None, Some("+358401234567"), None).expect("person");

    let report = built.connector.erase(&job(&phone_only, "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::NothingFound, "{}", report.detail);
    assert_eq!(
        report.evidence_summary,
        "nothing sent to the processor: the processor accepts none of the request's identifier kinds"
    );
    assert_eq!(processor.log.count("POST", "/v1/opengdpr_requests"), 0);
}

#[tokio::test]
async fn a_connector_check_reads_the_discovery_document_and_the_certificate() {
    let good = OpenDsrProcessor::new("processor-ec", 0);
    let built = opendsr(&good.start().await, 30);
    let mut config = config(&good.start().await, 30, "");
    config.push_str("\nidentities = { email = \"email\", phone = \"phone_number\" }");
    let unsupported = build(&config, &[("ca.pem", &fixture("ca.pem"))], &[]);
    let untrusted = OpenDsrProcessor::new("self-signed", 0);
    let untrusted = opendsr(&untrusted.start().await, 30);

    assert_eq!(built.connector.check().await, Vec::<String>::new());
    assert_eq!(
        unsupported.connector.check().await,
        [
            "connector.opendsr.identities: the processor does not accept identity type phone_number in any of opendsr.formats"
        ]
    );
    let problems = untrusted.connector.check().await;
    assert!(
        problems.len() == 1
            && problems[0].starts_with("connector.opendsr: certificate: not issued"),
        "{problems:?}"
    );
}
