//! The web console in headless Chromium, driven over WebDriver as a person would use it:
//! sign in with a token, submit a request and watch it complete, close a manual task,
//! download the certificate and verify it with `erasure verify`; extend a deadline as a
//! supervisor, where an operator sees no such control and the API refuses it anyway;
//! find a request by an identifier typed in. Writes screenshots of the main pages
//! (`erasure_tests::browser::screenshot_dir`).

use erasure_tests::browser::Browser;
use erasure_tests::*;
use fantoccini::Locator;
use jsonwebtoken::{EncodingKey, Header, encode};
use std::path::PathBuf;

const SECRET: &str = "console test secret, at least thirty-two bytes long";
const ISSUER: &str = "https://idp.test";
const AUDIENCE: &str = "erasure";
const EMAIL: &str = "aino.virtanen@example.com";

/// A server on the embedded default with the console on `[server] http_listen`, tokens
/// (`[auth]`) and one manual system (a paper archive an operator closes).
struct Console {
    server: Server,
    http: u16,
    _dir: tempfile::TempDir,
}

impl Console {
    fn start() -> Self {
        Self::start_with("")
    }

    /// With `extra` configuration sections.
    fn start_with(extra: &str) -> Self {
        let dir = tempfile::tempdir().expect("tmp");
        let http = free_port();
        std::fs::write(dir.path().join("jwt.secret"), SECRET).expect("secret");
        let config = include_str!("../../deploy/examples/embedded.toml").replacen(
            "[server]\n",
            &format!("[server]\nhttp_listen = \"127.0.0.1:{http}\"\n"),
            1,
        );
        let auth = format!(
            "[auth]\nissuer = \"{ISSUER}\"\naudience = \"{AUDIENCE}\"\nhs256_secret_file = \"{}\"\n\n\
             [[systems]]\nid = \"paper-archive\"\ndescription = \"Signed forms (paper archive)\"\n\
             categories = [\"contact\"]\n\
             manual = {{ instructions = \"Shred the folder and note the receipt number.\" }}\n",
            dir.path().join("jwt.secret").display()
        );
        let path: PathBuf = dir.path().join("erasure.toml");
        std::fs::write(&path, format!("{config}\n{auth}\n{extra}")).expect("config");
        let server = Server::start(
            &dir.path().join("data"),
            &[
                "--config",
                path.to_str().expect("utf-8"),
                "--with-example-data",
            ],
        );
        Self {
            server,
            http,
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http)
    }

    /// `POST /api/v1/{method}` with `token`: the HTTP status and the JSON answer.
    async fn api(
        &self,
        method: &str,
        token: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .post(self.url(&format!("/api/v1/{method}")))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("gateway call");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        (status, json)
    }
}

/// A token for `sub` with `roles`, as the identity provider would issue it.
fn token(sub: &str, roles: &[&str]) -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 600;
    let claims =
        serde_json::json!({"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "exp": exp, "roles": roles});
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()).expect("key"),
    )
    .expect("token")
}

/// Signs in on the console's form (which shows first when nobody is signed in).
async fn sign_in(browser: &Browser, token: &str) {
    browser.type_into("input[name=token]", token).await;
    browser.click_text("Sign in").await;
    browser.find("#who button").await;
}

async fn sign_out(browser: &Browser) {
    browser.click_text("Sign out").await;
    browser.find("input[name=token]").await;
}

/// The error shown next to the field named `name`.
async fn field_error(browser: &Browser, name: &str) -> String {
    let css = format!(".field:has([name={name}]) .error");
    browser.wait_text(&css, |t| !t.is_empty()).await
}

#[tokio::test]
async fn an_operator_submits_watches_closes_the_manual_task_and_the_certificate_verifies() {
    let console = Console::start();
    let browser = Browser::start().await;
    browser.goto(&console.url("/")).await;
    browser.find("input[name=token]").await;
    browser.screenshot("console-sign-in").await;

    // A wrong token is refused next to the field.
    browser.type_into("input[name=token]", "not-a-token").await;
    browser.click_text("Sign in").await;
    let refused = field_error(&browser, "token").await;
    assert!(refused.contains("invalid token"), "{refused}");

    sign_in(&browser, &token("olli", &["operator"])).await;
    assert_eq!(browser.text("#who span").await, "olli (operator)");
    // By keyboard: the form starts at the first identifier and Tab goes on to the next.
    browser.find("input[name=email]").await;
    assert_eq!(focused(&browser).await, "email");
    browser
        .find("input[name=email]")
        .await
        .send_keys("\u{E004}")
        .await
        .expect("tab");
    assert_eq!(focused(&browser).await, "phone");

    // Inline validation: a malformed identity code is named next to its field, before
    // anything is sent; no identifier at all is refused too.
    browser.find("input[name=email]").await;
    browser
        .type_into("input[name=national-id]", "131052-308X")
        .await;
    browser.click_text("Submit request").await;
    let wrong = field_error(&browser, "national-id").await;
    assert!(wrong.contains("check character"), "{wrong}");
    assert!(
        field_error(&browser, "verified-by")
            .await
            .contains("verified")
    );
    assert!(
        !wrong.contains("131052"),
        "the error never echoes the value"
    );

    browser.screenshot("console-submit").await;

    browser.type_into("input[name=national-id]", "").await;
    browser.type_into("input[name=email]", EMAIL).await;
    browser.type_into("input[name=phone]", "040 123 4567").await;
    browser
        .type_into("input[name=verified-by]", "bank ID")
        .await;
    browser.click_text("Submit request").await;
    let id = browser.wait_text("#submitted-id", |t| !t.is_empty()).await;
    let deadline = browser.text("#submitted-deadline").await;
    assert!(deadline.contains("days left"), "{deadline}");

    // The request's page follows it live: the connectors answer, the manual task waits.
    browser.click("#submitted-id").await;
    browser
        .wait_text("tr[data-system=crm] td:nth-child(2)", |t| t == "done")
        .await;
    browser
        .wait_text("tr[data-system=paper-archive] td:nth-child(2)", |t| {
            t == "pending"
        })
        .await;
    assert!(browser.text(".summary").await.contains("in progress"));
    assert!(browser.text(".live").await.starts_with("Live"));
    // Live updates rewrite cells in place: the manual task's row now is the row later.
    let row = browser.find("tr[data-system=paper-archive]").await;

    // The operator closes it with evidence; the page turns to completed by itself.
    browser
        .type_into(
            "#complete-paper-archive textarea[name=evidence]",
            "Folder shredded, receipt SR-2211",
        )
        .await;
    browser
        .click("#complete-paper-archive button[type=submit]")
        .await;
    browser
        .wait_text(".summary", |t| t.contains("completed"))
        .await;
    let closed = browser
        .wait_text("tr[data-system=paper-archive] td:nth-child(7)", |t| {
            t.contains("closed by olli (operator)")
        })
        .await;
    assert!(!closed.is_empty());
    let same_row = row
        .text()
        .await
        .expect("the row shown before is still on the page");
    assert!(same_row.contains("closed by olli"), "{same_row}");
    browser.find("#download-certificate").await;
    assert!(
        !browser.has("#extend").await && !browser.has("#reject").await,
        "an operator is offered no supervisor action"
    );
    browser.screenshot("console-request").await;

    // The certificate, downloaded as the operator would, verifies offline.
    browser.click("#download-certificate").await;
    let file = browser.downloaded(&format!("certificate-{id}")).await;
    let trust = console.server.data_dir.join("trust.json");
    let verified = cli(&[
        "verify",
        file.to_str().expect("utf-8"),
        "--trust",
        trust.to_str().expect("utf-8"),
    ]);
    let out = ok(&verified);
    assert!(out.contains("is valid"), "{out}");
    assert!(out.contains("paper-archive"), "{out}");

    // The receipt for the person, in Finnish, and the certificate as a page.
    browser.select("select[name=language]", "fi").await;
    browser.click_text("Receipt for the person").await;
    let receipt = browser.downloaded(&format!("receipt-{id}-fi")).await;
    let receipt = std::fs::read_to_string(receipt).expect("receipt");
    assert!(receipt.contains("lang=\"fi\""), "a Finnish page");
    assert!(receipt.contains(&id), "it names the request");
    browser.click_text("Certificate (HTML)").await;
    let page = browser.downloaded(&format!("certificate-{id}.html")).await;
    let page = std::fs::read_to_string(page).expect("certificate page");
    assert!(page.contains("paper-archive") && page.contains(&id));
    browser.close().await;

    let log = console.server.log_text();
    assert!(!log.contains(EMAIL), "the e-mail address reached the log");
    assert!(
        !log.contains("401234567"),
        "the phone number reached the log"
    );
}

#[tokio::test]
async fn a_supervisor_extends_a_deadline_an_operator_has_no_such_control_and_identifiers_find_requests()
 {
    let console = Console::start();
    let operator = token("olli", &["operator"]);
    let submit = serde_json::json!({
        "identifiers": {"email": [EMAIL]},
        "channel": "email",
        "verifiedBy": "bank ID",
    });
    let (status, submitted) = console.api("Submit", &operator, submit).await;
    assert_eq!(status, 200, "{submitted}");
    let id = submitted["requestId"]
        .as_str()
        .expect("request id")
        .to_owned();

    // The API refuses an operator's extension, as the gRPC API does.
    let extend = serde_json::json!({"requestId": id, "months": 1, "reason": "complex"});
    let (status, refused) = console.api("Extend", &operator, extend).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["code"], "PERMISSION_DENIED");
    let message = refused["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Extend needs the supervisor role"),
        "{message}"
    );

    let browser = Browser::start().await;
    browser.goto(&console.url("/")).await;
    sign_in(&browser, &operator).await;
    browser
        .goto(&console.url(&format!("/#/request/{id}")))
        .await;
    browser
        .wait_text(".summary", |t| t.contains("Deadline"))
        .await;
    browser.find("tr[data-system=crm]").await;
    assert!(
        !browser.has("#extend").await,
        "an operator sees no extension"
    );
    assert!(!browser.has("#reject").await, "an operator sees no refusal");
    sign_out(&browser).await;

    // A supervisor extends it on the page, with a reason.
    sign_in(&browser, &token("sam", &["supervisor"])).await;
    browser
        .goto(&console.url(&format!("/#/request/{id}")))
        .await;
    browser.select("#extend select[name=months]", "2").await;
    browser.click("#extend button[type=submit]").await;
    assert!(field_error(&browser, "reason").await.contains("Required"));
    browser
        .type_into("#extend textarea[name=reason]", "the request is complex")
        .await;
    browser.click("#extend button[type=submit]").await;
    let summary = browser
        .wait_text(".summary", |t| t.contains("Extended"))
        .await;
    assert!(summary.contains("by 2 month(s)"), "{summary}");
    assert!(summary.contains("sam (supervisor)"), "{summary}");
    assert!(!browser.has("#extend").await, "a deadline is extended once");
    let (_, view) = console
        .api("Get", &operator, serde_json::json!({"requestId": id}))
        .await;
    assert_eq!(view["extendedMonths"], 2, "{view}");
    assert_eq!(view["extendedBy"], "sam (supervisor)");

    // The queue finds the request by an identifier typed in (in another case: it is
    // normalised as a submit is), sent in the body and never put in the address.
    browser.goto(&console.url("/#/queue")).await;
    browser
        .wait_text("table.list caption", |t| t.contains("request"))
        .await;
    browser.select("select[name=kind]", "email").await;
    browser
        .type_into("input[name=value]", "AINO.Virtanen@Example.com")
        .await;
    browser.click_text("Find").await;
    let caption = browser
        .wait_text("table.list caption", |t| t.contains("searched for"))
        .await;
    assert!(caption.starts_with("1 request"), "{caption}");
    assert_eq!(browser.text("table.list tbody td a").await, id);
    let url = browser.client.current_url().await.expect("url");
    assert!(!url.as_str().to_lowercase().contains("aino"), "{url}");
    browser.screenshot("console-queue").await;

    // Someone else's identifier finds nothing.
    browser
        .type_into("input[name=value]", "mikko.korhonen@example.com")
        .await;
    browser.click_text("Find").await;
    browser
        .wait_text("table.list caption", |t| t.starts_with("0 request"))
        .await;
    sign_out(&browser).await;

    // An auditor sees the auditor's page only.
    sign_in(&browser, &token("aud", &["auditor"])).await;
    browser.find("input[name=request_id]").await;
    let nav: Vec<String> = visible_nav(&browser).await;
    assert_eq!(nav, ["Auditor"], "an auditor reads proofs only");
    browser.screenshot("console-auditor").await;
    // The period report, as `erasure report` writes it, counts the supervisor's action.
    browser.click_text("Report (JSON)").await;
    let report = json_file(&browser.downloaded("report-").await);
    assert_eq!(
        report["report"]["actions_by_role"]["supervisor"], 1,
        "{report}"
    );
    browser.close().await;

    let log = console.server.log_text();
    assert!(
        !log.to_lowercase().contains("aino"),
        "an identifier reached the log"
    );
}

#[test]
fn in_open_mode_only_the_consoles_own_pages_may_call() {
    let tmp = tempfile::tempdir().expect("tmp");
    let http = free_port();
    let addr = format!("127.0.0.1:{http}");
    let _server = Server::start(&tmp.path().join("data"), &["--http-listen", &addr]);
    let list = r#"{"status": "REQUEST_STATUS_IN_PROGRESS"}"#;
    let json = "Content-Type: application/json";
    // The console itself (same origin), and a program (no Origin), may.
    let own = format!("Origin: http://{addr}");
    assert_eq!(post(http, &addr, &[json, &own], list).0, 200);
    assert_eq!(post(http, &addr, &[json], list).0, 200);
    // A page on another site may not: not with its own origin, not as a form or text
    // (no preflight), not through a name rebound to 127.0.0.1.
    let (status, body) = post(http, &addr, &[json, "Origin: https://evil.example"], list);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("PERMISSION_DENIED"), "{body}");
    let (status, body) = post(http, &addr, &["Content-Type: text/plain"], list);
    assert_eq!(status, 400, "{body}");
    let (status, _) = post(http, &format!("evil.example:{http}"), &[json], list);
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_pages_load_however_busy_while_calls_are_limited_per_user() {
    let console = Console::start_with("[rate_limit]\nper_second = 1\nburst = 2\n");
    for _ in 0..3 {
        for file in [
            "/",
            "/console/app.js",
            "/console/console.css",
            "/console/api.js",
        ] {
            assert_eq!(http_get(console.http, file, None).0, 200, "{file}");
        }
    }
    let operator = token("olli", &["operator"]);
    let list = || console.api("List", &operator, serde_json::json!({}));
    assert_eq!(list().await.0, 200);
    assert_eq!(list().await.0, 200);
    let (status, refused) = list().await;
    assert_eq!(status, 429, "{refused}");
    assert_eq!(refused["code"], "RESOURCE_EXHAUSTED");
    // Another user has an allowance of their own.
    let other = token("sam", &["supervisor"]);
    assert_eq!(
        console.api("List", &other, serde_json::json!({})).await.0,
        200
    );
}

/// `POST /api/v1/List` with `Host: host` and `headers`: the status and the body.
fn post(port: u16, host: &str, headers: &[&str], body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let headers: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    write!(
        stream,
        "POST /api/v1/List HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_owned())
}

/// The name of the focused field.
async fn focused(browser: &Browser) -> String {
    let name = browser
        .client
        .execute("return document.activeElement.name || ''", vec![])
        .await
        .expect("script");
    name.as_str().unwrap_or_default().to_owned()
}

/// The navigation links shown.
async fn visible_nav(browser: &Browser) -> Vec<String> {
    let mut shown = Vec::new();
    for link in browser
        .client
        .find_all(Locator::Css("#nav a"))
        .await
        .expect("links")
    {
        if link.is_displayed().await.expect("displayed") {
            shown.push(link.text().await.expect("text"));
        }
    }
    shown
}

#[test]
fn the_console_is_served_with_a_strict_content_security_policy() {
    let console = Console::start();
    let (status, headers, page) = http_get_with_headers(console.http, "/", None);
    assert_eq!(status, 200);
    assert!(page.contains("<script type=\"module\" src=\"/console/app.js\">"));
    let headers = headers.to_lowercase();
    assert!(
        headers.contains("content-security-policy: default-src 'none'; script-src 'self';"),
        "{headers}"
    );
    assert!(
        headers.contains("x-content-type-options: nosniff"),
        "{headers}"
    );
    // Who is signed in needs a token, as every call of the API does.
    let (status, body) = http_get(console.http, "/console/session", None);
    assert_eq!(status, 401, "{body}");
    let (status, body) = http_get(
        console.http,
        "/console/session",
        Some(&token("aud", &["auditor"])),
    );
    assert_eq!(status, 200, "{body}");
    let session: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        session["methods"],
        serde_json::json!([
            "GetCertificate",
            "GetReport",
            "GetTreeHead",
            "GetConsistencyProof"
        ])
    );
}
