//! An OpenDSR processor: discovery, its certificate (the test root's, under
//! `tests/fixtures/`), erasure requests, signed answers and statuses, and signed callbacks.
//! It holds the people's e-mail addresses as SHA-256 hex (what its discovery document asks
//! for) and their customer numbers raw; a request completes after a number of status reads,
//! or when the test says so (then it calls back).

use super::customers::json_answer;
use super::{Data, Log, serve};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub const DOMAIN: &str = "processor.test";

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).expect("fixture")
}

/// A key that signs like a processor's.
pub enum Key {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

impl Key {
    /// The key of a fixture (`processor-ec`, `processor-rsa`, `self-signed`).
    pub fn fixture(name: &str) -> Self {
        let pem = fixture(&format!("{name}.key"));
        let der = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).expect("PKCS#8");
        if name.contains("rsa") {
            Self::Rsa(RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).expect("RSA key"))
        } else {
            Self::ec(der.secret_pkcs8_der())
        }
    }

    /// A key nobody certified.
    pub fn stranger() -> Self {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).expect("generate");
        Self::ec(pkcs8.as_ref())
    }

    fn ec(pkcs8: &[u8]) -> Self {
        let alg = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;
        Self::Ec(EcdsaKeyPair::from_pkcs8(alg, pkcs8, &SystemRandom::new()).expect("EC key"))
    }

    /// Base64 of the signature of `body` (SHA-256).
    pub fn sign(&self, body: &[u8]) -> String {
        let rng = SystemRandom::new();
        let bytes = match self {
            Self::Ec(key) => key.sign(&rng, body).expect("sign").as_ref().to_vec(),
            Self::Rsa(key) => {
                let mut out = vec![0; key.public().modulus_len()];
                key.sign(&signature::RSA_PKCS1_SHA256, &rng, body, &mut out)
                    .expect("sign");
                out
            }
        };
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}

#[derive(Debug, Clone)]
pub struct Request {
    pub body: Value,
    pub status: &'static str,
    pub reads_left: u32,
    pub results: Option<u64>,
}

pub struct OpenDsrProcessor {
    pub key: Key,
    /// The PEM served at `/v1/cert.pem`.
    pub certificate: String,
    /// Holds SHA-256 hex of e-mail addresses and raw customer numbers.
    pub data: Data,
    pub requests: Mutex<BTreeMap<String, Request>>,
    pub log: Log,
    /// How many status reads a request stays pending.
    pub reads: u32,
    /// Sign answers with a stranger's key.
    pub forge_answers: AtomicBool,
    /// As another erasure orchestrator: the certificate file a completed request's status
    /// names by `certificate_sha256` (the digest given, which may be wrong on purpose).
    pub nested: Mutex<Option<(String, String)>>,
    base: Mutex<String>,
}

impl std::fmt::Debug for OpenDsrProcessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenDsrProcessor").finish_non_exhaustive()
    }
}

impl OpenDsrProcessor {
    /// A processor signing with the fixture `name` (`processor-ec`, `processor-rsa`,
    /// `self-signed`), serving its certificate.
    pub fn new(name: &str, reads: u32) -> Arc<Self> {
        Arc::new(Self {
            key: Key::fixture(name),
            certificate: fixture(&format!("{name}.pem")),
            data: Data::default(),
            requests: Mutex::default(),
            log: Log::default(),
            reads,
            forge_answers: AtomicBool::new(false),
            nested: Mutex::default(),
            base: Mutex::default(),
        })
    }

    /// Starts it; its OpenDSR base URL (`…/v1`).
    pub async fn start(self: &Arc<Self>) -> String {
        let router = Router::new()
            .route("/v1/discovery", get(discovery))
            .route("/v1/cert.pem", get(certificate))
            .route("/v1/opengdpr_requests", post(submit))
            .route("/v1/opengdpr_requests/{id}", get(status))
            .route(
                "/v1/opengdpr_requests/{id}/certificate",
                get(certificate_file),
            )
            .with_state(Arc::clone(self));
        let base = format!("{}/v1", serve(router).await);
        *self.base.lock().expect("base") = base.clone();
        base
    }

    /// Holds `email` (hashed) and `customer_id` (raw).
    pub fn hold(&self, email: &str, customer_id: &str) {
        let hashed = hex::encode(Sha256::digest(email.as_bytes()));
        self.data.hold([hashed, customer_id.to_owned()]);
    }

    pub fn holds_email(&self, email: &str) -> bool {
        self.data
            .holds(&hex::encode(Sha256::digest(email.as_bytes())))
    }

    pub fn request(&self, id: &str) -> Request {
        self.requests.lock().expect("requests")[id].clone()
    }

    pub fn only_request_id(&self) -> String {
        let requests = self.requests.lock().expect("requests");
        assert_eq!(requests.len(), 1, "one request at the processor");
        requests.keys().next().cloned().expect("one")
    }

    /// A signed answer.
    fn signed(&self, status: StatusCode, body: Value) -> Response {
        let text = body.to_string();
        let signature = if self.forge_answers.load(Ordering::SeqCst) {
            Key::stranger().sign(text.as_bytes())
        } else {
            self.key.sign(text.as_bytes())
        };
        let mut response = json_answer(status, body);
        let headers = response.headers_mut();
        headers.insert(
            "x-opendsr-processor-domain",
            HeaderValue::from_static(DOMAIN),
        );
        headers.insert(
            "x-opendsr-signature",
            HeaderValue::from_str(&signature).expect("b64"),
        );
        response
    }

    fn status_body(&self, id: &str, request: &Request) -> Value {
        let mut body = json!({
            "controller_id": "erasure-test-controller",
            "expected_completion_time": "2026-12-01T00:00:00Z",
            "subject_request_id": id,
            "request_status": request.status,
            "api_version": "1.0",
        });
        if let Some(results) = request.results {
            body["results_count"] = json!(results);
        }
        if let Some((_, digest)) = self.nested.lock().expect("nested").as_ref()
            && request.status == "completed"
        {
            let base = self.base.lock().expect("base").clone();
            body["results_url"] = json!(format!("{base}/opengdpr_requests/{id}/certificate"));
            body["extensions"] = json!({DOMAIN: {"certificate_sha256": digest}});
        }
        body
    }

    /// Erases what request `id` names.
    fn fulfil(&self, request: &mut Request) {
        let identities = request.body["subject_identities"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let removed = identities
            .iter()
            .filter_map(|i| i["identity_value"].as_str())
            .filter(|v| self.data.remove(v))
            .count();
        request.status = "completed";
        request.results = Some(removed as u64);
    }

    /// Calls back about request `id` saying it is completed (and completes it first when
    /// `fulfil`), signed with `key` (the processor's own when `None`; no signature header
    /// unless `signed`), the body changed by `alter`; the listener's status code.
    pub async fn call_back(
        &self,
        id: &str,
        key: Option<&Key>,
        alter: impl FnOnce(&mut Value),
        signed: bool,
        fulfil: bool,
    ) -> u16 {
        let (url, mut body) = {
            let mut requests = self.requests.lock().expect("requests");
            let request = requests.get_mut(id).expect("request");
            let mut shown = request.clone();
            if fulfil {
                self.fulfil(request);
                shown = request.clone();
            } else {
                shown.status = "completed";
                shown.results = Some(2);
            }
            let request = &shown;
            let url = request.body["status_callback_urls"][0]
                .as_str()
                .expect("a callback URL")
                .to_owned();
            let mut body = self.status_body(id, request);
            body["status_callback_url"] = json!(url);
            (url, body)
        };
        alter(&mut body);
        let text = body.to_string();
        let signature = key.unwrap_or(&self.key).sign(text.as_bytes());
        let mut post = reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header("x-opendsr-processor-domain", DOMAIN);
        if signed {
            post = post.header("x-opendsr-signature", signature);
        }
        let answer = post.body(text).send().await.expect("the listener answers");
        answer.status().as_u16()
    }
}

async fn discovery(State(p): State<Arc<OpenDsrProcessor>>) -> Response {
    let base = p.base.lock().expect("base").clone();
    json_answer(
        StatusCode::OK,
        json!({
            "api_version": "1.0",
            "supported_identities": [
                {"identity_type": "email", "identity_format": "sha256"},
                {"identity_type": "controller_customer_id", "identity_format": "raw"}
            ],
            "supported_subject_request_types": ["erasure"],
            "processor_certificate": format!("{base}/cert.pem"),
        }),
    )
}

async fn certificate(State(p): State<Arc<OpenDsrProcessor>>) -> Response {
    (StatusCode::OK, p.certificate.clone()).into_response()
}

async fn submit(
    State(p): State<Arc<OpenDsrProcessor>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    p.log.push("POST", &uri, &headers, &body);
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return json_answer(StatusCode::BAD_REQUEST, json!({"error": {"code": 400}}));
    };
    let id = request["subject_request_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let valid = uuid::Uuid::parse_str(&id).is_ok_and(|u| u.get_version_num() == 4)
        && id == id.to_lowercase()
        && request["subject_request_type"] == "erasure"
        && request["regulation"] == "gdpr"
        && request["submitted_time"]
            .as_str()
            .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
        && request["subject_identities"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
    let mut requests = p.requests.lock().expect("requests");
    if !valid || requests.contains_key(&id) {
        return json_answer(StatusCode::BAD_REQUEST, json!({"error": {"code": 400}}));
    }
    let stored = Request {
        body: request,
        status: "pending",
        reads_left: p.reads,
        results: None,
    };
    requests.insert(id.clone(), stored);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&body);
    p.signed(
        StatusCode::CREATED,
        json!({
            "controller_id": "erasure-test-controller",
            "expected_completion_time": "2026-12-01T00:00:00Z",
            "received_time": "2026-11-20T10:00:00Z",
            "encoded_request": encoded,
            "subject_request_id": id,
        }),
    )
}

async fn status(
    State(p): State<Arc<OpenDsrProcessor>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    p.log.push("GET", &uri, &headers, b"");
    let mut requests = p.requests.lock().expect("requests");
    let Some(request) = requests.get_mut(&id) else {
        return json_answer(StatusCode::NOT_FOUND, json!({"error": {"code": 404}}));
    };
    if request.status != "completed" {
        if request.reads_left == 0 {
            p.fulfil(request);
        } else {
            request.reads_left -= 1;
            request.status = "in_progress";
        }
    }
    let body = p.status_body(&id, request);
    drop(requests);
    p.signed(StatusCode::OK, body)
}

async fn certificate_file(State(p): State<Arc<OpenDsrProcessor>>) -> Response {
    match p.nested.lock().expect("nested").clone() {
        Some((file, _)) => (StatusCode::OK, file).into_response(),
        None => json_answer(StatusCode::NOT_FOUND, json!({"error": {"code": 404}})),
    }
}
