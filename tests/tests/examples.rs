//! The four example inventories that run on the embedded default (`deploy/examples/`:
//! smart-lock, alarm-app, customer-service, survey-processor), each set up from its own
//! data scripts, served with its own configuration, and asked to erase one example person.
//! Each test then reads the systems themselves (the SQLite files and directories) to
//! check that the person is gone, that held data is restricted and the certificate gives
//! it the end date the rule gives, that the other people are untouched, and that the
//! certificate verifies. The processors are a local stand-in that records what it was told.
//! (The smart-home example, on PostgreSQL and S3, is `example_smart_home.rs`.)

use erasure_tests::examples::{self, keys_under, one, rows};
use erasure_tests::processor_stub::Processors;
use erasure_tests::*;
use std::path::{Path, PathBuf};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// An example set up in a temporary directory and served.
struct Example {
    tmp: tempfile::TempDir,
    server: Server,
}

impl Example {
    /// Sets up `name`'s systems, points its processors at `processors` (if it has any),
    /// and starts `erasure serve --config` with it.
    fn start(name: &str, processors: Option<&Processors>) -> Self {
        Self::start_file(name, "config.toml", processors)
    }

    /// Like [`Example::start`], with another configuration file of the example.
    fn start_file(name: &str, file: &str, processors: Option<&Processors>) -> Self {
        let mut config = examples::config_file(name, file);
        if let Some(p) = processors {
            assert!(config.contains(examples::PROCESSORS), "{name}: processors");
            config = config.replace(examples::PROCESSORS, &p.base);
        }
        Self::start_config(name, config)
    }

    /// `name`'s systems, served with `config`.
    fn start_config(name: &str, config: String) -> Self {
        let tmp = tempfile::tempdir().expect("tmp");
        let data = tmp.path().join("data");
        examples::set_up_local(name, &data);
        let file = tmp.path().join("config.toml");
        std::fs::write(&file, config).expect("config");
        let server = Server::start(&data, &["--config", path(&file)]);
        Self { tmp, server }
    }

    fn db(&self, name: &str) -> PathBuf {
        self.server.data_dir.join("systems").join(name)
    }

    /// Submits with `args`, waits for the certificate, and returns the request id.
    async fn erase(&self, args: &[&str]) -> String {
        let id = ok(&self.server.cli(&[&["submit"], args].concat()));
        let status = wait_for_status(&self.server, &id, "certificate  available").await;
        assert!(status.contains("status       completed"), "{status}");
        id
    }

    /// The certificate, after `erasure verify` accepted it with the server's trust file.
    fn verified_certificate(&self, id: &str) -> serde_json::Value {
        let cert = self.tmp.path().join("certificate.json");
        ok(&self.server.cli(&["certificate", id, "-o", path(&cert)]));
        let trust = self.server.data_dir.join("trust.json");
        let verified = ok(&cli(&["verify", path(&cert), "--trust", path(&trust)]));
        assert!(verified.contains("is valid"), "{verified}");
        json_file(&cert)
    }
}

/// The certificate's exceptions as (system, rule, retained until).
fn exceptions(c: &serde_json::Value) -> Vec<(String, String, String)> {
    let none = Vec::new();
    let mut found: Vec<(String, String, String)> = c["certificate"]["exceptions"]
        .as_array()
        .unwrap_or(&none)
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (text("system_id"), text("rule_id"), text("retained_until"))
        })
        .collect();
    found.sort();
    found
}

/// An expected exception.
fn held(system: &str, rule: &str, until: String) -> (String, String, String) {
    (system.to_owned(), rule.to_owned(), until)
}

/// The last day a backup set in the catalog may exist.
fn last_backup(catalog: &Path) -> String {
    one(catalog, "SELECT max(expires) FROM backup_sets")
}

/// The date `years` after the end of the calendar year of the latest `YYYY-MM-DD` date
/// `sql` selects: the Accounting Acts' periods for an operator whose financial year is
/// the calendar year.
fn years_after_end_of_latest_year(db: &Path, sql: &str, years: i32) -> String {
    let latest: i32 = rows(db, sql)
        .iter()
        .map(|r| r[..4].parse::<i32>().expect("year"))
        .max()
        .expect("a dated row");
    format!("{}-12-31", latest + years)
}

fn assert_backups_until(c: &serde_json::Value, until: &str) {
    let backups = c["certificate"]["backups"].as_array().expect("backups");
    assert_eq!(backups.len(), 1, "{c:#}");
    assert_eq!(backups[0]["until"], until, "{c:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn smart_lock_erases_a_customer_and_keeps_her_invoices_restricted() {
    let processors = Processors::start().await;
    let ex = Example::start("smart-lock", Some(&processors));
    let (crm, locks, sensors, billing) = (
        ex.db("crm.sqlite"),
        ex.db("locks.sqlite"),
        ex.db("sensors.sqlite"),
        ex.db("billing.sqlite"),
    );
    let others = [
        (
            &crm,
            "SELECT * FROM customers WHERE customer_number <> 'C-2001'",
        ),
        (&crm, "SELECT * FROM contracts WHERE customer_id <> 1"),
        (&locks, "SELECT * FROM lock_events WHERE lock_id > 2"),
        (&sensors, "SELECT * FROM readings WHERE sensor_id = 3"),
        (
            &billing,
            "SELECT * FROM invoices WHERE customer_number <> 'C-2001'",
        ),
    ];
    let before: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    let camera = ex.db("key-camera");
    let camera_before = keys_under(&camera);
    let held_until = years_after_end_of_latest_year(
        &billing,
        "SELECT issued_on FROM invoices WHERE customer_number = 'C-2001'",
        6,
    );

    // Customer service erases Aino, who called and gave her e-mail address: the CRM
    // resolves it to her customer number, under which every other system files her.
    let id = ex
        .erase(&[
            "--email",
            "aino.virtanen@example.com",
            "--channel",
            "phone",
            "--verified-by",
            "agent-7",
        ])
        .await;

    let gone = [
        (
            &crm,
            "SELECT count(*) FROM customers WHERE customer_number = 'C-2001'",
        ),
        (
            &crm,
            "SELECT count(*) FROM contracts WHERE holder_name = 'Aino Virtanen' OR customer_id = 1",
        ),
        (
            &locks,
            "SELECT count(*) FROM locks WHERE customer_number = 'C-2001'",
        ),
        (
            &locks,
            "SELECT count(*) FROM lock_events WHERE lock_id IN (1, 2)",
        ),
        (
            &sensors,
            "SELECT count(*) FROM sensors WHERE customer_number = 'C-2001'",
        ),
        (
            &sensors,
            "SELECT count(*) FROM readings WHERE sensor_id IN (1, 2)",
        ),
    ];
    for (db, q) in gone {
        assert_eq!(count(db, q), 0, "{q}");
    }
    assert_eq!(
        count(&crm, "SELECT count(*) FROM contracts"),
        4,
        "contracts are kept, anonymised"
    );
    let camera_after = keys_under(&camera);
    assert!(
        !camera_after.iter().any(|k| k.contains("C-2001")),
        "{camera_after:?}"
    );
    let others_pictures: Vec<String> = camera_before
        .into_iter()
        .filter(|k| !k.contains("C-2001"))
        .collect();
    assert_eq!(
        camera_after, others_pictures,
        "nobody else's pictures touched"
    );

    // Her invoices are kept for the books, restricted; nobody else's rows changed.
    assert_eq!(
        count(
            &billing,
            "SELECT count(*) FROM invoices WHERE customer_number = 'C-2001' AND restricted = 1"
        ),
        2
    );
    let after: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    assert_eq!(before, after, "other people untouched");

    // The processors were told, about her and nobody else.
    let payments = processors.calls_to("/payments/");
    assert_eq!(payments.len(), 1, "{payments:?}");
    assert_eq!(payments[0].method, "DELETE");
    assert_eq!(payments[0].path, "/payments/v1/customers/C-2001");
    let marketing = processors.calls_to("/marketing/");
    assert_eq!(marketing.len(), 1, "{marketing:?}");
    assert!(
        marketing[0].body.contains("aino.virtanen@example.com"),
        "{marketing:?}"
    );
    let all = format!("{:?}", processors.calls());
    assert!(!all.contains("C-2002") && !all.contains("mikko"), "{all}");

    let c = ex.verified_certificate(&id);
    assert_eq!(
        exceptions(&c),
        [held("billing", "fi-kpl-vouchers", held_until)]
    );
    assert_backups_until(&c, &last_backup(&ex.db("backup-catalog.sqlite")));
    let recipients = c["certificate"]["recipients"]
        .as_array()
        .expect("recipients");
    assert_eq!(recipients.len(), 2, "{c:#}");
}

/// The same company as a processor: a housing company instructs it to erase a resident,
/// who also works at an office that uses the service; the office's copy stays.
#[tokio::test(flavor = "multi_thread")]
async fn smart_lock_business_side_erases_a_resident_for_one_housing_company_only() {
    let ex = Example::start_file("smart-lock", "business.toml", None);
    let access = ex.db("business-access.sqlite");
    let others = [
        (&access, "SELECT * FROM users WHERE id <> 1"),
        (&access, "SELECT * FROM access_events WHERE user_id <> 1"),
    ];
    let before: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    let camera = ex.db("business-key-camera");
    let mut expected_files = keys_under(&camera);
    expected_files.retain(|k| !k.starts_with("sites/koivukuja/pictures/U-101/"));

    let id = ex
        .erase(&[
            "--controller",
            "koivukuja",
            "--phone",
            "040 123 4567",
            "--channel",
            "client-instruction",
            "--verified-by",
            "As Oy Koivukuja, board decision 12/2026",
        ])
        .await;

    assert_eq!(count(&access, "SELECT count(*) FROM users WHERE id = 1"), 0);
    assert_eq!(
        count(
            &access,
            "SELECT count(*) FROM access_events WHERE user_id = 1"
        ),
        0
    );
    assert_eq!(keys_under(&camera), expected_files);
    let after: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    assert_eq!(
        before, after,
        "other people, and the office's copy of her, untouched"
    );
    let c = ex.verified_certificate(&id);
    assert_eq!(c["certificate"]["controller"], "koivukuja", "{c:#}");
    let kept = exceptions(&c);
    assert!(
        kept.is_empty(),
        "the processor keeps nothing of hers: {kept:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn alarm_app_erases_an_account_by_its_mobile_number() {
    let processors = Processors::start().await;
    let ex = Example::start("alarm-app", Some(&processors));
    let (accounts, telemetry, billing) = (
        ex.db("accounts.sqlite"),
        ex.db("telemetry.sqlite"),
        ex.db("billing.sqlite"),
    );
    let others = [
        (
            &accounts,
            "SELECT * FROM accounts WHERE account_id <> 'A-5001'",
        ),
        (
            &accounts,
            "SELECT * FROM alarm_contacts WHERE account_ref <> 1",
        ),
        (&accounts, "SELECT * FROM sensors WHERE account_ref <> 1"),
        (
            &telemetry,
            "SELECT * FROM sensor_events WHERE account_id <> 'A-5001'",
        ),
        (
            &billing,
            "SELECT * FROM invoices WHERE account_id <> 'A-5001'",
        ),
    ];
    let before: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    assert!(
        count(
            &telemetry,
            "SELECT count(*) FROM sensor_events WHERE account_id = 'A-5001'"
        ) > 0
    );
    // HGB § 257 / AO § 147: 8 years from the end of the calendar year of the invoice.
    let held_until = years_after_end_of_latest_year(
        &billing,
        "SELECT issued_on FROM invoices WHERE account_id = 'A-5001'",
        8,
    );

    // Lena writes from her phone; the number in national format is read as German.
    let id = ex
        .erase(&[
            "--phone",
            "0151 2345 6789",
            "--channel",
            "email",
            "--verified-by",
            "sms code",
        ])
        .await;

    for (db, q) in [
        (
            &accounts,
            "SELECT count(*) FROM accounts WHERE phone = '+4915123456789'",
        ),
        (
            &accounts,
            "SELECT count(*) FROM alarm_contacts WHERE account_ref = 1",
        ),
        (
            &accounts,
            "SELECT count(*) FROM sensors WHERE account_ref = 1",
        ),
        (
            &telemetry,
            "SELECT count(*) FROM sensor_events WHERE account_id = 'A-5001'",
        ),
    ] {
        assert_eq!(count(db, q), 0, "{q}");
    }
    assert_eq!(
        count(
            &billing,
            "SELECT count(*) FROM invoices WHERE account_id = 'A-5001' AND restricted = 1"
        ),
        2
    );
    let after: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    assert_eq!(before, after, "other people untouched");

    let told = |prefix: &str| processors.calls_to(prefix);
    assert_eq!(told("/payments/")[0].path, "/payments/v1/customers/A-5001");
    assert_eq!(told("/sms/")[0].path, "/sms/v1/recipients/%2B4915123456789");
    let support = told("/support/");
    assert_eq!(support.len(), 1, "{support:?}");
    assert!(
        support[0].body.contains("lena.schmidt@example.de"),
        "{support:?}"
    );
    assert_eq!(processors.calls().len(), 3, "each processor told once");

    let c = ex.verified_certificate(&id);
    assert_eq!(
        exceptions(&c),
        [held("billing", "de-hgb-vouchers", held_until)]
    );
    assert_eq!(c["certificate"]["jurisdiction"], "DE", "{c:#}");
}

/// `called_at` of Aino's recordings that `filter` selects, plus `months`.
fn months_after(db: &Path, filter: &str, months: u32) -> String {
    let day = one(
        db,
        &format!("SELECT called_at FROM recordings WHERE caller = '+358401234567' AND {filter}"),
    );
    let date = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").expect("date");
    (date + chrono::Months::new(months)).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn customer_service_erases_by_national_id_and_holds_recent_recordings() {
    let ex = Example::start("customer-service", None);
    let (contacts, checks, recordings, chatbot) = (
        ex.db("contacts.sqlite"),
        ex.db("identity-checks.sqlite"),
        ex.db("recordings.sqlite"),
        ex.db("chatbot.sqlite"),
    );
    let others = [
        (&contacts, "SELECT * FROM contacts WHERE id <> 1"),
        (&contacts, "SELECT * FROM cases WHERE contact_id <> 1"),
        (
            &checks,
            "SELECT * FROM verifications WHERE national_id <> '131052-308T'",
        ),
        (
            &recordings,
            "SELECT * FROM recordings WHERE caller <> '+358401234567'",
        ),
        (&chatbot, "SELECT * FROM conversations WHERE id = 3"),
        (&chatbot, "SELECT * FROM messages WHERE conversation_id = 3"),
    ];
    let before: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    // Kept 3 months from the call; 12 while her complaint is open.
    let recent = months_after(
        &recordings,
        "complaint_open = 0 AND called_at > date('now', '-90 days')",
        3,
    );
    let complaint = months_after(&recordings, "complaint_open = 1", 12);

    let id = ex
        .erase(&[
            "--national-id",
            "131052-308T",
            "--channel",
            "phone",
            "--verified-by",
            "strong electronic identification",
        ])
        .await;

    for (db, q) in [
        (
            &contacts,
            "SELECT count(*) FROM contacts WHERE national_id = '131052-308T'",
        ),
        (&contacts, "SELECT count(*) FROM cases WHERE contact_id = 1"),
        (
            &checks,
            "SELECT count(*) FROM verifications WHERE national_id = '131052-308T'",
        ),
        // Found through the e-mail and the phone number the register resolved.
        (
            &chatbot,
            "SELECT count(*) FROM conversations WHERE id IN (1, 2)",
        ),
        (
            &chatbot,
            "SELECT count(*) FROM messages WHERE conversation_id IN (1, 2)",
        ),
    ] {
        assert_eq!(count(db, q), 0, "{q}");
    }
    // The old recording is gone; the recent one and the complaint's are kept, restricted.
    let hers = "SELECT count(*) FROM recordings WHERE caller = '+358401234567'";
    assert_eq!(count(&recordings, hers), 2);
    assert_eq!(count(&recordings, &format!("{hers} AND restricted = 1")), 2);
    let after: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    assert_eq!(before, after, "other people untouched");

    let c = ex.verified_certificate(&id);
    assert_eq!(
        exceptions(&c),
        [
            held("recordings", "cs-call-recordings", recent),
            held("recordings", "cs-call-recordings-complaint", complaint),
        ]
    );
    assert_backups_until(&c, &last_backup(&ex.db("backup-catalog.sqlite")));
}

#[tokio::test(flavor = "multi_thread")]
async fn survey_processor_erases_one_clients_respondent_only() {
    let ex = Example::start("survey-processor", None);
    let (respondents, rewards) = (ex.db("respondents.sqlite"), ex.db("rewards.sqlite"));
    let others = [
        (&respondents, "SELECT * FROM respondents WHERE id <> 1"),
        (
            &respondents,
            "SELECT * FROM answers WHERE respondent_id <> 1",
        ),
        (
            &rewards,
            "SELECT * FROM rewards WHERE NOT (client_id = 'acme' AND respondent_number = 'R-7001')",
        ),
    ];
    let before: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    let attachments = ex.db("attachments");
    let files_before = keys_under(&attachments);
    let held_until = years_after_end_of_latest_year(
        &rewards,
        "SELECT paid_on FROM rewards WHERE client_id = 'acme' AND respondent_number = 'R-7001'",
        6,
    );

    // Acme instructs the survey company to erase Aino; she also answers for Globex.
    let id = ex
        .erase(&[
            "--controller",
            "acme",
            "--email",
            "aino.virtanen@example.com",
            "--channel",
            "client-instruction",
            "--verified-by",
            "acme ticket 5521",
        ])
        .await;

    assert_eq!(
        count(
            &respondents,
            "SELECT count(*) FROM respondents WHERE id = 1"
        ),
        0
    );
    assert_eq!(
        count(
            &respondents,
            "SELECT count(*) FROM answers WHERE respondent_id = 1"
        ),
        0
    );
    assert_eq!(
        count(
            &respondents,
            "SELECT count(*) FROM respondents WHERE client_id = 'globex' AND email = 'aino.virtanen@example.com'"
        ),
        1,
        "Globex's copy of her stays"
    );
    let mut expected_files = files_before;
    expected_files.retain(|k| !k.starts_with("clients/acme/respondents/R-7001/"));
    assert_eq!(keys_under(&attachments), expected_files);
    assert_eq!(
        count(
            &rewards,
            "SELECT count(*) FROM rewards WHERE client_id = 'acme' AND respondent_number = 'R-7001' AND restricted = 1"
        ),
        1
    );
    let after: Vec<Vec<String>> = others.iter().map(|(db, q)| rows(db, q)).collect();
    assert_eq!(
        before, after,
        "other people, and other clients' copies, untouched"
    );

    let c = ex.verified_certificate(&id);
    assert_eq!(c["certificate"]["controller"], "acme", "{c:#}");
    assert_eq!(
        exceptions(&c),
        [held("rewards", "fi-kpl-vouchers", held_until)]
    );
    // Backups are gone within 30 days of the request.
    let until = last_backup(&ex.db("backup-catalog.sqlite"));
    assert_backups_until(&c, &until);
    let until = chrono::NaiveDate::parse_from_str(&until, "%Y-%m-%d").expect("date");
    assert!(
        until <= chrono::Utc::now().date_naive() + chrono::Days::new(30),
        "{until}"
    );
}

/// The survey company's configuration with its OpenDSR block uncommented, as its README
/// says: `http_listen` on `port`, `[auth]` with the HS256 secret in `secret`.
fn survey_processor_over_opendsr(port: u16, secret: &Path) -> String {
    let config = examples::config("survey-processor");
    let (head, block) = config
        .split_once("\n# [auth]\n")
        .expect("the OpenDSR block at the end");
    let block: String = std::iter::once("[auth]")
        .chain(block.lines().map(|l| l.strip_prefix("# ").unwrap_or("")))
        .map(|l| format!("{l}\n"))
        .collect();
    let head = head.replace("# http_listen = ", "http_listen = ");
    format!("{head}\n{block}")
        .replace("127.0.0.1:8081", &format!("127.0.0.1:{port}"))
        .replace("/etc/erasure/jwt.secret", path(secret))
}

/// A client's instruction over OpenDSR: Acme posts the erasure of a respondent itself, with
/// its controller token; Acme's copy goes, Globex's stays, and Acme fetches a certificate
/// that verifies.
#[tokio::test(flavor = "multi_thread")]
async fn survey_processor_takes_a_clients_instruction_over_opendsr() {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let keys = tempfile::tempdir().expect("tmp");
    let secret = keys.path().join("jwt.secret");
    let key = "the survey company's identity provider, 32 bytes or more";
    std::fs::write(&secret, key).expect("secret");
    let port = free_port();
    let ex = Example::start_config(
        "survey-processor",
        survey_processor_over_opendsr(port, &secret),
    );
    let exp = jiff::Timestamp::now().as_second() + 600;
    let claims = serde_json::json!({"sub": "acme-integration", "iss": "https://login.surveys.example",
        "aud": "erasure", "exp": exp, "roles": ["controller"], "controller": "acme"});
    let token = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(key.as_bytes()).expect("key"),
    )
    .expect("token");

    let base = format!("http://127.0.0.1:{port}/opendsr/v1/opengdpr_requests");
    let subject_request_id = uuid::Uuid::new_v4().to_string();
    let body = serde_json::json!({"subject_request_id": subject_request_id,
        "subject_request_type": "erasure", "regulation": "gdpr",
        "submitted_time": jiff::Timestamp::now().to_string(),
        "subject_identities": [{"identity_type": "email",
            "identity_value": "aino.virtanen@example.com", "identity_format": "raw"}]});
    let http = reqwest::Client::new();
    let posted = http
        .post(&base)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(posted.status(), 201, "{:?}", posted.text().await);
    assert!(posted.headers().contains_key("x-opendsr-signature"));

    let status_url = format!("{base}/{subject_request_id}");
    let status = eventually(std::time::Duration::from_secs(60), || async {
        let answer = http
            .get(&status_url)
            .bearer_auth(&token)
            .send()
            .await
            .ok()?;
        let status: serde_json::Value = serde_json::from_slice(&answer.bytes().await.ok()?).ok()?;
        (status["request_status"] == "completed").then_some(status)
    })
    .await
    .unwrap_or_else(|| panic!("never completed:\n{}", ex.server.log_text()));
    assert_eq!(status["controller_id"], "acme", "{status:#}");

    let certificate = http
        .get(status["results_url"].as_str().expect("results_url"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("certificate")
        .bytes()
        .await
        .expect("body");
    let file = ex.tmp.path().join("acme-certificate.json");
    std::fs::write(&file, &certificate).expect("file");
    let trust = ex.server.data_dir.join("trust.json");
    let verified = ok(&cli(&["verify", path(&file), "--trust", path(&trust)]));
    assert!(verified.contains("is valid"), "{verified}");
    assert_eq!(json_file(&file)["certificate"]["controller"], "acme");

    let respondents = ex.db("respondents.sqlite");
    let copies = |client: &str| {
        count(
            &respondents,
            &format!(
                "SELECT count(*) FROM respondents WHERE client_id = '{client}' AND email = 'aino.virtanen@example.com'"
            ),
        )
    };
    assert_eq!((copies("acme"), copies("globex")), (0, 1));
}
