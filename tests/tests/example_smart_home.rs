//! The smart-home example (`deploy/examples/smart-home/`) end to end against real servers:
//! its register and sensor data in PostgreSQL databases of this test's own, its camera
//! video and images in an S3 bucket of its own, its four processors a local stand-in that
//! records what it was told, its paper records a manual task. Authentication is on, as in
//! production: the app's "delete my data" button is its backend calling Submit with
//! channel `app` and the backend's own token; an operator closes the paper-records task.
//! Then the systems themselves are read: the customer is gone everywhere, her invoices
//! are kept restricted with the end date the Accounting Act gives, the other customers
//! are untouched, and the certificate verifies.

use erasure_proto::v1 as pb;
use erasure_runtime::client::{Target, connect};
use erasure_tests::distributed::pg;
use erasure_tests::examples::{self, pg_rows};
use erasure_tests::processor_stub::Processors;
use erasure_tests::s3::{self, Bucket};
use erasure_tests::*;
use jsonwebtoken::{EncodingKey, Header, encode};
use std::path::Path;
use std::time::Duration;

const SECRET: &str = "smart-home example test secret, thirty-two bytes or more";
const ISSUER: &str = "https://login.smarthome.example";

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// A token as the operator's identity provider would issue it.
fn token(sub: &str, role: &str) -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 600;
    let claims = serde_json::json!({"sub": sub, "iss": ISSUER, "aud": "erasure", "exp": exp, "roles": [role]});
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()).expect("key"),
    )
    .expect("token")
}

/// The bucket, filled from `data/s3/smarthome-cameras/` as `deploy/examples/setup` does.
async fn cameras() -> Bucket {
    let bucket = Bucket::unique();
    bucket.create().await;
    let root = examples::dir("smart-home").join("data/s3/smarthome-cameras");
    for key in examples::keys_under(&root) {
        bucket
            .put(&key, std::fs::read(root.join(&key)).expect("object"))
            .await;
    }
    bucket
}

/// `erasure ARGS` against `server` with `token`.
fn cli_as(server: &Server, token: &str, args: &[&str]) -> std::process::Output {
    cli_with(
        &[&["--server", server.addr.as_str()], args].concat(),
        &[("ERASURE_TOKEN", token.to_owned())],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn smart_home_app_button_erases_a_customer_from_postgres_s3_and_processors() {
    let register = examples::postgres_database("smart-home", "smarthome_register").await;
    let sensors = examples::postgres_database("smart-home", "smarthome_sensors").await;
    let bucket = cameras().await;
    let processors = Processors::start().await;

    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("jwt.secret"), SECRET).expect("secret");
    let config = examples::config("smart-home")
        .replace(
            "postgres://erasure@127.0.0.1:5432/smarthome_register",
            &register,
        )
        .replace(
            "postgres://erasure@127.0.0.1:5432/smarthome_sensors",
            &sensors,
        )
        .replace("\"smarthome-cameras\"", &format!("\"{}\"", bucket.name))
        .replace("http://127.0.0.1:9000", &bucket.endpoint)
        .replace(examples::PROCESSORS, &processors.base);
    let auth = format!(
        "\n[auth]\nissuer = \"{ISSUER}\"\naudience = \"erasure\"\nhs256_secret_file = \"{}\"\n",
        path(&tmp.path().join("jwt.secret"))
    );
    let file = tmp.path().join("config.toml");
    std::fs::write(&file, format!("{config}{auth}")).expect("config");
    let envs: Vec<(&str, String)> = s3::credentials();
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let data = tmp.path().join("data");
    let server = Server::start_with(&data, &["--config", path(&file)], &envs);

    let (reg, sen) = (pg(&register).await, pg(&sensors).await);
    let others = [
        (
            &reg,
            "SELECT * FROM customers WHERE customer_number <> 'K-3001' ORDER BY id",
        ),
        (
            &reg,
            "SELECT * FROM homes WHERE customer_id <> 1 ORDER BY id",
        ),
        (
            &reg,
            "SELECT * FROM invoices WHERE customer_number <> 'K-3001' ORDER BY id",
        ),
        (
            &sen,
            "SELECT * FROM devices WHERE customer_number <> 'K-3001' ORDER BY id",
        ),
        (
            &sen,
            "SELECT * FROM readings WHERE device_id > 2 ORDER BY id",
        ),
        (
            &sen,
            "SELECT * FROM locations WHERE customer_number <> 'K-3001' ORDER BY id",
        ),
    ];
    let mut before = Vec::new();
    for (db, q) in &others {
        before.push(pg_rows(db, q).await);
    }
    let objects_of_others = (
        bucket.versions("images/K-3002/").await,
        bucket.versions("video/K-3003/").await,
    );
    assert_eq!(bucket.versions("images/K-3001/").await, 4, "example data");

    // The app's "delete my data" button: the app's backend submits for the signed-in
    // customer, with channel "app", under its own token.
    let app = token("smart-home-app-backend", "operator");
    let mut client = connect(&Target {
        token: Some(app),
        ..Target::new(server.addr.clone())
    })
    .await
    .expect("connected");
    let id = client
        .submit(pb::SubmitRequest {
            idempotency_key: "app-delete-my-data-K-3001-1".into(),
            identifiers: Some(pb::Identifiers {
                customer_id: vec!["K-3001".into()],
                ..Default::default()
            }),
            channel: "app".into(),
            verified_by: "signed in to the app".into(),
            ..Default::default()
        })
        .await
        .expect("submitted")
        .into_inner()
        .request_id;

    // Every system but the paper archive answers; an operator shreds the folder.
    let operator = token("maija.virtanen", "operator");
    let waiting = eventually(Duration::from_secs(60), || async {
        let text = stdout(&cli_as(&server, &operator, &["task", "list"]));
        text.contains(&id).then_some(text)
    })
    .await
    .unwrap_or_else(|| panic!("no paper-records task:\n{}", server.log_text()));
    assert!(waiting.contains("paper-records"), "{waiting}");
    ok(&cli_as(
        &server,
        &operator,
        &[
            "task",
            "complete",
            &id,
            "--system",
            "paper-records",
            "--by",
            "Maija Virtanen",
            "--evidence",
            "Folder shredded, receipt 2026-118",
        ],
    ));
    let status = eventually(Duration::from_secs(60), || async {
        let text = stdout(&cli_as(&server, &operator, &["status", &id]));
        text.contains("certificate  available").then_some(text)
    })
    .await
    .unwrap_or_else(|| panic!("never completed:\n{}", server.log_text()));
    assert!(status.contains("status       completed"), "{status}");
    assert!(status.contains("jurisdiction FI   channel app"), "{status}");

    // Gone, in the systems themselves.
    for (db, q) in [
        (
            &reg,
            "SELECT * FROM customers WHERE customer_number = 'K-3001' OR national_id = '131052-308T'",
        ),
        (&reg, "SELECT * FROM homes WHERE customer_id = 1"),
        (
            &sen,
            "SELECT * FROM devices WHERE customer_number = 'K-3001'",
        ),
        (&sen, "SELECT * FROM readings WHERE device_id IN (1, 2)"),
        (
            &sen,
            "SELECT * FROM locations WHERE customer_number = 'K-3001'",
        ),
    ] {
        assert!(pg_rows(db, q).await.is_empty(), "{q}");
    }
    assert_eq!(bucket.versions("images/K-3001/").await, 0);
    assert_eq!(bucket.versions("video/K-3001/").await, 0);
    // Her invoices are kept for the books, restricted.
    let held = pg_rows(
        &reg,
        "SELECT issued_on, restricted FROM invoices WHERE customer_number = 'K-3001' ORDER BY id",
    )
    .await;
    assert_eq!(held, ["(2024-06-30,1)", "(2025-11-30,1)"]);
    let latest_year: i32 = held
        .iter()
        .map(|r| r[1..5].parse::<i32>().expect("year"))
        .max()
        .expect("held");
    // Untouched: everyone else.
    let mut after = Vec::new();
    for (db, q) in &others {
        after.push(pg_rows(db, q).await);
    }
    assert_eq!(before, after, "other customers untouched");
    assert_eq!(
        objects_of_others,
        (
            bucket.versions("images/K-3002/").await,
            bucket.versions("video/K-3003/").await
        )
    );
    // The processors were told about her, by her customer number and the phone and
    // e-mail the register resolved, and about nobody else.
    let told = |prefix: &str| processors.calls_to(prefix);
    assert!(told("/hosting/")[0].body.contains("K-3001"));
    assert_eq!(told("/analytics/")[0].path, "/analytics/api/users/K-3001");
    assert_eq!(told("/sms/")[0].path, "/sms/v1/recipients/%2B358401234567");
    assert!(
        told("/errors/")[0]
            .body
            .contains("aino.virtanen@example.com")
    );
    let all = format!("{:?}", processors.calls());
    assert!(!all.contains("K-3002") && !all.contains("mikko"), "{all}");

    // The certificate: the invoices' exception with the Accounting Act's end date (6 years
    // from the end of 2025, the year of her last invoice), the recipients, and it verifies.
    let cert = tmp.path().join("certificate.json");
    ok(&cli_as(
        &server,
        &operator,
        &["certificate", &id, "-o", path(&cert)],
    ));
    let trust = data.join("trust.json");
    ok(&cli(&["verify", path(&cert), "--trust", path(&trust)]));
    let c = json_file(&cert);
    let exceptions = c["certificate"]["exceptions"]
        .as_array()
        .expect("exceptions");
    assert_eq!(exceptions.len(), 1, "{c:#}");
    assert_eq!(exceptions[0]["system_id"], "billing");
    assert_eq!(exceptions[0]["rule_id"], "fi-kpl-vouchers");
    assert_eq!(
        exceptions[0]["retained_until"],
        format!("{}-12-31", latest_year + 6).as_str()
    );
    let recipients = c["certificate"]["recipients"]
        .as_array()
        .expect("recipients");
    assert_eq!(recipients.len(), 4, "{c:#}");
}
