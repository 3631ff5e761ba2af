//! Who may do what, as a client sees it: the authorisation matrix (each role against each
//! call), refused tokens, open mode and the bind refusal, TLS and mutual TLS, rate limits.
//! Tokens are minted here as an identity provider would, certificates as a CA would.

use erasure_proto::v1 as pb;
use erasure_runtime::client::{Client, Target, connect};
use erasure_tests::*;
use jsonwebtoken::{EncodingKey, Header, encode};
use std::path::{Path, PathBuf};
use tonic::Code;

const SECRET: &str = "access test secret, at least thirty-two bytes long";
const ISSUER: &str = "https://idp.test";
const AUDIENCE: &str = "erasure";

/// The embedded example with `extra` sections appended; returns its path.
fn config_with(dir: &Path, extra: &str) -> PathBuf {
    let example = include_str!("../../deploy/examples/embedded.toml");
    std::fs::write(dir.join("jwt.secret"), SECRET).expect("secret");
    let path = dir.join("erasure.toml");
    std::fs::write(&path, format!("{example}\n{extra}")).expect("config");
    path
}

fn auth_section(dir: &Path) -> String {
    format!(
        "[auth]\nissuer = \"{ISSUER}\"\naudience = \"{AUDIENCE}\"\nhs256_secret_file = \"{}\"\nleeway_seconds = 0\n",
        dir.join("jwt.secret").display()
    )
}

fn start(dir: &Path, extra: &str) -> Server {
    let config = config_with(dir, extra);
    let config = config.to_str().expect("utf-8 path");
    Server::start(
        &dir.join("data"),
        &["--config", config, "--with-example-data"],
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

fn mint(claims: serde_json::Value, secret: &str) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()).expect("key"),
    )
    .expect("token")
}

/// A valid token for `sub` with `roles`.
fn token(sub: &str, roles: &[&str]) -> String {
    mint(
        serde_json::json!({"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 600, "roles": roles}),
        SECRET,
    )
}

async fn client(server: &Server, token: Option<String>) -> Client {
    connect(&Target {
        token,
        ..Target::new(server.addr.clone())
    })
    .await
    .expect("connected")
}

const METHODS: [&str; 15] = [
    "Submit",
    "Get",
    "List",
    "Watch",
    "GetCertificate",
    "ListTasks",
    "CompleteTask",
    "Extend",
    "Retry",
    "Reject",
    "StartReplay",
    "GetReplay",
    "GetReport",
    "GetTreeHead",
    "GetConsistencyProof",
];

/// Calls `method` with a request that names nothing that exists; the code says whether
/// it got past authorisation (anything but UNAUTHENTICATED / PERMISSION_DENIED).
async fn call(c: &mut Client, method: &str) -> tonic::Status {
    let get = || pb::GetRequest {
        request_id: "req-that-does-not-exist".into(),
    };
    let r = match method {
        "Submit" => c.submit(pb::SubmitRequest::default()).await.map(drop),
        "Get" => c.get(get()).await.map(drop),
        "List" => c.list(pb::ListRequest::default()).await.map(drop),
        "Watch" => c.watch(get()).await.map(drop),
        "GetCertificate" => c.get_certificate(get()).await.map(drop),
        "ListTasks" => c
            .list_tasks(pb::ListTasksRequest::default())
            .await
            .map(drop),
        "CompleteTask" => c
            .complete_task(pb::CompleteTaskRequest::default())
            .await
            .map(drop),
        "Extend" => c.extend(pb::ExtendRequest::default()).await.map(drop),
        "Retry" => c.retry(pb::RetryRequest::default()).await.map(drop),
        "Reject" => c.reject(pb::RejectRequest::default()).await.map(drop),
        "StartReplay" => c
            .start_replay(pb::StartReplayRequest::default())
            .await
            .map(drop),
        "GetReplay" => c
            .get_replay(pb::GetReplayRequest::default())
            .await
            .map(drop),
        "GetReport" => c
            .get_report(pb::GetReportRequest::default())
            .await
            .map(drop),
        "GetTreeHead" => c
            .get_tree_head(pb::GetTreeHeadRequest::default())
            .await
            .map(drop),
        "GetConsistencyProof" => c
            .get_consistency_proof(pb::GetConsistencyProofRequest::default())
            .await
            .map(drop),
        other => panic!("no such method {other}"),
    };
    r.err().unwrap_or_else(|| tonic::Status::ok(""))
}

/// The roles the issue gives each call (a supervisor holds the operator's rights).
fn allowed(role: &str, method: &str) -> bool {
    let operator = [
        "Submit",
        "Get",
        "List",
        "Watch",
        "GetCertificate",
        "ListTasks",
        "CompleteTask",
    ];
    match role {
        "operator" => operator.contains(&method),
        "supervisor" => {
            operator.contains(&method) || ["Extend", "Retry", "Reject"].contains(&method)
        }
        "platform" => ["StartReplay", "GetReplay"].contains(&method),
        "auditor" => [
            "GetCertificate",
            "GetReport",
            "GetTreeHead",
            "GetConsistencyProof",
        ]
        .contains(&method),
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_may_make_its_calls_and_is_refused_the_others() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = start(tmp.path(), &auth_section(tmp.path()));
    for role in ["operator", "supervisor", "platform", "auditor", "intern"] {
        let mut c = client(&server, Some(token(&format!("{role}-1"), &[role]))).await;
        for method in METHODS {
            let status = call(&mut c, method).await;
            if allowed(role, method) {
                assert!(
                    ![Code::Unauthenticated, Code::PermissionDenied].contains(&status.code()),
                    "{role} may call {method}, got {status:?}"
                );
            } else {
                assert_eq!(status.code(), Code::PermissionDenied, "{role} {method}");
                assert!(
                    status
                        .message()
                        .starts_with(&format!("{method} needs the ")),
                    "{}",
                    status.message()
                );
            }
        }
    }
    // Several roles: the union.
    let mut both = client(&server, Some(token("pat", &["platform", "auditor"]))).await;
    assert_ne!(
        call(&mut both, "GetReplay").await.code(),
        Code::PermissionDenied
    );
    assert_ne!(
        call(&mut both, "GetReport").await.code(),
        Code::PermissionDenied
    );
    assert_eq!(
        call(&mut both, "Submit").await.code(),
        Code::PermissionDenied
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_without_a_valid_token_are_unauthenticated_and_never_echo_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = start(tmp.path(), &auth_section(tmp.path()));
    let claims = |exp: i64, iss: &str, aud: &str| serde_json::json!({"sub": "mallory", "iss": iss, "aud": aud, "exp": exp, "roles": ["supervisor"]});
    let other_secret = "not the server's secret, but just as long as it";
    let cases: [(Option<String>, &str); 6] = [
        (None, "authentication required"),
        (Some("nonsense".into()), "malformed token"),
        (
            Some(mint(claims(now() - 60, ISSUER, AUDIENCE), SECRET)),
            "expired",
        ),
        (
            Some(mint(claims(now() + 600, ISSUER, "other-api"), SECRET)),
            "audience",
        ),
        (
            Some(mint(
                claims(now() + 600, "https://evil.test", AUDIENCE),
                SECRET,
            )),
            "issuer",
        ),
        (
            Some(mint(claims(now() + 600, ISSUER, AUDIENCE), other_secret)),
            "signature",
        ),
    ];
    for (token, why) in cases {
        let mut c = client(&server, token.clone()).await;
        for method in METHODS {
            let status = call(&mut c, method).await;
            assert_eq!(status.code(), Code::Unauthenticated, "{why}: {method}");
            assert!(
                status.message().contains(why),
                "{why}: {}",
                status.message()
            );
            assert!(!status.message().contains('\n'));
            if let Some(t) = &token {
                assert!(
                    !status.message().contains(t.as_str()),
                    "the token is echoed"
                );
            }
        }
    }
    // The CLI says the same in one line.
    let o = server.cli(&["list"]);
    assert!(one_error_line(&o).contains("authentication required"));
    let file = tmp.path().join("token");
    std::fs::write(&file, token("olga", &["operator"])).expect("token file");
    let o = server.cli(&["--token-file", file.to_str().expect("utf-8"), "list"]);
    ok(&o);
    // Health checks need no token: probes carry none.
    let channel = tonic::transport::Channel::from_shared(server.addr.clone())
        .expect("address")
        .connect()
        .await
        .expect("connected");
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    health
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .expect("health without a token");
}

#[test]
fn without_auth_only_loopback_is_served_and_the_server_says_so() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let data = data.to_str().expect("utf-8");
    let port = free_port().to_string();
    let o = cli(&[
        "serve",
        "--data-dir",
        data,
        "--listen",
        &format!("0.0.0.0:{port}"),
    ]);
    let line = one_error_line(&o);
    assert!(line.contains("without authentication"), "{line}");
    assert!(line.contains("[auth]"), "{line}");

    let server = Server::start(&tmp.path().join("open"), &[]);
    assert!(
        server
            .log_text()
            .contains("open mode: no authentication, loopback only"),
        "{}",
        server.log_text()
    );
    // In open mode actions are recorded as unauthenticated.
    let id = ok(&server.cli(&["submit", "--customer-id", "C-1", "--system", "billing"]));
    let status = ok(&server.cli(&["status", &id]));
    assert!(status.contains("submitted by unauthenticated"), "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_principal_has_its_own_rate_limit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = format!(
        "{}\n[rate_limit]\nper_second = 1\nburst = 3\n",
        auth_section(tmp.path())
    );
    let server = start(tmp.path(), &extra);
    let mut alice = client(&server, Some(token("alice", &["operator"]))).await;
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(call(&mut alice, "Get").await);
    }
    let exhausted: Vec<_> = codes
        .iter()
        .filter(|s| s.code() == Code::ResourceExhausted)
        .collect();
    assert!(exhausted.len() >= 2, "{codes:?}");
    assert!(
        exhausted[0].message().contains("rate limit"),
        "{:?}",
        exhausted[0]
    );
    assert!(exhausted[0].message().contains("alice"));
    // Bob's calls are his own.
    let mut bob = client(&server, Some(token("bob", &["operator"]))).await;
    assert_eq!(call(&mut bob, "Get").await.code(), Code::NotFound);
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate named `client`.
fn certificates(dir: &Path, client: &str) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("CA");
    let issuer = Issuer::new(ca, ca_key);
    let write = |name: &str, text: String| std::fs::write(dir.join(name), text).expect("written");
    write("ca.pem", ca_cert.pem());
    for (name, sans, cn) in [
        ("server", vec!["127.0.0.1".to_owned()], "erasure server"),
        ("client", vec![], client),
    ] {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(sans).expect("params");
        params.distinguished_name.push(DnType::CommonName, cn);
        let cert = params.signed_by(&key, &issuer).expect("signed");
        write(&format!("{name}.pem"), cert.pem());
        write(&format!("{name}.key"), key.serialize_pem());
    }
}

#[test]
fn over_mutual_tls_a_client_certificate_is_the_principal() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    certificates(d, "etl-operator");
    let extra = format!(
        "{}[auth.client_certificates]\n\"etl-operator\" = [\"operator\"]\n\n[tls]\ncert_file = \"{}\"\nkey_file = \"{}\"\nclient_ca_file = \"{}\"\n",
        auth_section(d),
        d.join("server.pem").display(),
        d.join("server.key").display(),
        d.join("ca.pem").display(),
    );
    let server = start(d, &extra);
    let https = server.addr.replace("http://", "https://");
    let path = |n: &str| d.join(n).to_str().expect("utf-8").to_owned();
    let tls = |args: &[&str]| {
        let base = ["--server", &https, "--ca-cert", &path("ca.pem")];
        cli(&[&base[..], args].concat())
    };
    // With the client certificate: an operator, without any token.
    let with_cert = [
        "--client-cert",
        &path("client.pem"),
        "--client-key",
        &path("client.key"),
    ];
    ok(&tls(&[&with_cert[..], &["list"]].concat()));
    let line = one_error_line(&tls(&[
        &with_cert[..],
        &["report", "--from", "2026-01-01", "--to", "2026-01-31"],
    ]
    .concat()));
    assert!(line.contains("GetReport needs the auditor role"), "{line}");
    // Without one the handshake fails; plain HTTP/2 is not served.
    assert!(!tls(&["list"]).status.success());
    assert!(!server.cli(&["list"]).status.success());
}

#[test]
fn a_supervisor_rejects_a_request_and_status_and_report_say_who() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    // A manual system keeps the request open (nothing erased) until an operator acts.
    let manual = "[[systems]]\nid = \"paper-archive\"\ndescription = \"Paper archive\"\n\n[systems.manual]\ninstructions = \"Shred the folder.\"\n";
    let server = start(d, &format!("{manual}\n{}", auth_section(d)));
    let with = |sub: &str, role: &str| {
        let file = d.join(format!("{sub}.token"));
        std::fs::write(&file, token(sub, &[role])).expect("token file");
        file.to_str().expect("utf-8").to_owned()
    };
    let (olga, sam, ada) = (
        with("olga", "operator"),
        with("sam", "supervisor"),
        with("ada", "auditor"),
    );
    let id = ok(&server.cli(&[
        "--token-file",
        &olga,
        "submit",
        "--customer-id",
        "C-4242",
        "--system",
        "paper-archive",
    ]));
    // An operator may not reject; the error names the role needed.
    let line =
        one_error_line(&server.cli(&["--token-file", &olga, "reject", &id, "--reason", "spam"]));
    assert!(line.contains("Reject needs the supervisor role"), "{line}");
    // Nor without a reason.
    let line = one_error_line(&server.cli(&["--token-file", &sam, "reject", &id, "--reason", " "]));
    assert!(line.contains("reason"), "{line}");
    ok(&server.cli(&[
        "--token-file",
        &sam,
        "reject",
        &id,
        "--reason",
        "fourth identical request this week",
    ]));
    let status = ok(&server.cli(&["--token-file", &olga, "status", &id]));
    assert!(status.contains("status       rejected"), "{status}");
    assert!(status.contains("submitted by olga (operator)"), "{status}");
    assert!(
        status.contains("rejected by  sam (supervisor): fourth identical request this week"),
        "{status}"
    );
    // Final: no manual task left, no certificate, no second rejection.
    let tasks = ok(&server.cli(&["--token-file", &olga, "task", "list"]));
    assert!(!tasks.contains(&id), "{tasks}");
    assert!(
        !server
            .cli(&["--token-file", &olga, "certificate", &id])
            .status
            .success()
    );
    let line =
        one_error_line(&server.cli(&["--token-file", &sam, "reject", &id, "--reason", "again"]));
    assert!(line.contains("already rejected"), "{line}");
    // The report counts it, and the action by role.
    let date = chrono_today();
    let report = ok(&server.cli(&[
        "--token-file",
        &ada,
        "report",
        "--from",
        &date,
        "--to",
        &date,
        "--format",
        "json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&report).expect("report json");
    assert_eq!(json["report"]["rejected"], 1, "{report}");
    assert_eq!(
        json["report"]["actions_by_role"]["supervisor"], 1,
        "{report}"
    );
    assert_eq!(
        json["report"]["actions_by_role"]["operator"], 1,
        "the submission: {report}"
    );
}

#[test]
fn metrics_need_the_platform_or_auditor_role() {
    let tmp = tempfile::tempdir().expect("tmp");
    let port = free_port();
    config_with(tmp.path(), &auth_section(tmp.path()));
    let path = tmp.path().join("erasure.toml");
    let config = std::fs::read_to_string(&path).expect("config").replacen(
        "[server]\n",
        &format!("[server]\nhttp_listen = \"127.0.0.1:{port}\"\n"),
        1,
    );
    std::fs::write(&path, config).expect("config");
    let _server = Server::start(
        &tmp.path().join("data"),
        &[
            "--config",
            path.to_str().expect("utf-8"),
            "--with-example-data",
        ],
    );
    let (status, body) = http_get(port, "/metrics", None);
    assert_eq!(status, 401, "{body}");
    assert!(!body.contains("erasure_requests"), "{body}");
    let operator = token("olli", &["operator"]);
    let (status, body) = http_get(port, "/metrics", Some(&operator));
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("metrics needs the platform or auditor role"),
        "{body}"
    );
    for role in ["platform", "auditor"] {
        let (status, body) = http_get(port, "/metrics", Some(&token("prometheus", &[role])));
        assert_eq!(status, 200, "{role}: {body}");
        assert!(
            body.contains("erasure_requests{state=\"completed\"} 0"),
            "{body}"
        );
    }
}

fn chrono_today() -> String {
    chrono::Utc::now().date_naive().to_string()
}
