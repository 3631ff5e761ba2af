//! Authentication as the processor checks it: a bearer token from a file or the
//! environment, an HMAC signature over the body, OAuth2 client credentials with the token
//! kept until it is refused.

use crate::support::customers::{Customers, json_answer};
use crate::support::{Built, Log, build, serve};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{delete, post};
use base64::Engine;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{alice, bob, job};
use erasure_core::events::Outcome;
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

fn config(base: &str, auth: &str) -> String {
    format!(
        r#"state = "state.sqlite"
        allow_http = true
        [request]
        method = "DELETE"
        url = "{base}/v1/customers/{{customer_id}}"
        [nothing_found]
        status = [404]
        {auth}"#
    )
}

async fn api_with(bearer: Option<&str>, hmac_key: Option<&str>) -> (Arc<Customers>, String) {
    let api = Arc::new(Customers {
        bearer: bearer.map(str::to_owned),
        hmac_key: hmac_key.map(str::to_owned),
        ..Customers::default()
    });
    api.data.hold(["C-1001"]);
    let base = api.start().await;
    (api, base)
}

#[tokio::test]
async fn a_bearer_token_is_read_from_a_file() {
    let (api, base) = api_with(Some("file-t0ken"), None).await;
    let auth = "[auth.bearer]\ntoken = { file = \"secrets/token\" }";
    let built = build(
        &config(&base, auth),
        &[("secrets/token", "file-t0ken\n")],
        &[],
    );

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::Erased, "{}", report.detail);
    assert!(!api.data.holds("C-1001"));
    assert!(!String::from_utf8_lossy(&report.evidence).contains("file-t0ken"));
}

#[tokio::test]
async fn a_bearer_token_is_read_from_the_environment_and_a_wrong_one_is_refused_for_good() {
    let (api, base) = api_with(Some("env-t0ken"), None).await;
    let auth = "[auth.bearer]\ntoken = { env = \"PAYMENTS_TOKEN\" }";
    let right = build(
        &config(&base, auth),
        &[],
        &[("PAYMENTS_TOKEN", "env-t0ken")],
    );
    let wrong = build(&config(&base, auth), &[], &[("PAYMENTS_TOKEN", "stale")]);

    refused_then_erased(&wrong, &right).await;
    assert!(!api.data.holds("C-1001"));
}

#[tokio::test]
async fn an_hmac_signature_over_the_body_is_what_the_processor_checks() {
    let (api, base) = api_with(None, Some("sh4red-key")).await;
    api.data.hold(["alice@example.com"]);
    let signed = |secret: &str| {
        format!(
            r#"state = "state.sqlite"
            allow_http = true
            [request]
            method = "POST"
            url = "{base}/v1/people/forget"
            body = {{ emails = "{{email[]}}" }}
            [success]
            field = "/result"
            values = ["deleted"]
            [auth.hmac]
            header = "X-Signature"
            secret = {{ file = "{secret}" }}"#
        )
    };
    let files = [("right.key", "sh4red-key\n"), ("wrong.key", "guess")];
    let wrong = build(&signed("wrong.key"), &files, &[]);
    let right = build(&signed("right.key"), &files, &[]);

    refused_then_erased(&wrong, &right).await;
    assert!(!api.data.holds("alice@example.com"));
}

/// The processor refuses the `wrong` credentials for good (401) and erases with the
/// `right` ones.
async fn refused_then_erased(wrong: &Built, right: &Built) {
    let refused = wrong.connector.erase(&job(&alice(), "req-1", 1)).await;
    let report = right.connector.erase(&job(&alice(), "req-2", 1)).await;

    assert_eq!(
        (refused.outcome, refused.detail.as_str()),
        (Outcome::FailedPermanent, "submit: HTTP 401")
    );
    assert_eq!(report.outcome, Outcome::Erased, "{}", report.detail);
}

/// A token endpoint that issues `token-<n>` and counts what it was asked; an API that
/// takes only the latest token.
#[derive(Debug, Default)]
struct OAuthApi {
    issued: AtomicU32,
    token_requests: Log,
    valid: Mutex<Option<String>>,
}

async fn token(
    State(api): State<Arc<OAuthApi>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    api.token_requests.push("POST", &uri, &headers, &body);
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("erasure:cl1ent-secret")
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&expected) {
        return json_answer(StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"}));
    }
    let n = api.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let token = format!("token-{n}");
    *api.valid.lock().expect("valid") = Some(token.clone());
    json_answer(
        StatusCode::OK,
        json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600}),
    )
}

async fn forget(State(api): State<Arc<OAuthApi>>, headers: HeaderMap) -> Response {
    let valid = api.valid.lock().expect("valid").clone();
    let presented = headers.get("authorization").and_then(|v| v.to_str().ok());
    match valid {
        Some(token) if presented == Some(&format!("Bearer {token}")) => {
            json_answer(StatusCode::OK, json!({"result": "deleted"}))
        }
        _ => json_answer(StatusCode::UNAUTHORIZED, json!({})),
    }
}

#[tokio::test]
async fn oauth2_tokens_are_kept_until_refused_then_renewed() {
    let api = Arc::new(OAuthApi::default());
    let router = Router::new()
        .route("/oauth2/token", post(token))
        .route("/v1/customers/{id}", delete(forget))
        .with_state(Arc::clone(&api));
    let base = serve(router).await;
    let auth = format!(
        "[auth.oauth2]\ntoken_url = \"{base}/oauth2/token\"\nclient_id = \"erasure\"\n\
         client_secret = {{ env = \"CLIENT_SECRET\" }}\nscope = \"gdpr.delete\""
    );
    let built = build(
        &config(&base, &auth),
        &[],
        &[("CLIENT_SECRET", "cl1ent-secret")],
    );

    let first = built.connector.erase(&job(&alice(), "req-1", 1)).await;
    let second = built.connector.erase(&job(&bob(), "req-2", 1)).await;
    assert_eq!(
        (first.outcome, second.outcome),
        (Outcome::Erased, Outcome::Erased),
        "{}",
        first.detail
    );
    assert_eq!(api.token_requests.all().len(), 1, "the token was not kept");
    let form = String::from_utf8(api.token_requests.all()[0].body.clone()).expect("form");
    assert_eq!(form, "grant_type=client_credentials&scope=gdpr.delete");

    *api.valid.lock().expect("valid") = None; // the processor revokes the token
    let third = built.connector.erase(&job(&alice(), "req-3", 1)).await;

    assert_eq!(third.outcome, Outcome::Erased, "{}", third.detail);
    assert_eq!(
        api.token_requests.all().len(),
        2,
        "a refused token was not renewed"
    );
}
