//! The receipt for the person (`erasure receipt`), against a real `erasure serve` with the
//! embedded example and a newsletter processor an operator tells by hand: a request with
//! held invoices (Finnish Accounting Act), copies in backups, a deadline extended with a
//! reason, and a recipient. Each language's receipt, text and HTML, must tell the person
//! those facts and hold none of their identifiers.

use erasure_proto::v1 as pb;
use erasure_tests::*;
use std::path::Path;
use std::time::Duration;

const EXAMPLE: &str = include_str!("../../deploy/examples/embedded.toml");

const NEWSLETTER: &str = r#"
[[systems]]
id = "newsletter"
description = "Newsletter mailing list at Postitus Oy"
categories = ["contact"]
manual = { instructions = "Ask Postitus Oy to remove the person from the list." }
recipient = { name = "Postitus Oy (newsletter mailing)", role = "processor" }
"#;

/// Aino's identifiers, as submitted and as the example systems file her.
const IDENTIFIERS: [&str; 6] = [
    "C-1001",
    "aino.virtanen@example.com",
    "+358401234567",
    "0401234567",
    "Aino",
    "Virtanen",
];

const REASON: &str = "Many systems, and a processor without an interface";

/// The facts every receipt tells, and the hold's end date as each language writes it.
fn facts(lang: &str) -> Vec<&'static str> {
    let until = match lang {
        "fi" => "31.12.2032",
        "sv" => "31 december 2032",
        "en" => "31 December 2032",
        _ => "31. Dezember 2032",
    };
    vec![
        "Customer register (SQLite)",
        "Camera pictures (local object store)",
        "Invoices (SQLite)",
        "Nightly backups of the CRM and the support desk",
        until,
        "Kirjanpitolaki (Accounting Act) 1336/1997, ch. 2 § 10(2)",
        REASON,
        "Postitus Oy (newsletter mailing)",
        "Tietosuojavaltuutetun toimisto",
        "https://tietosuoja.fi",
    ]
}

/// 2027-01-07 as Finnish writes it: 7.1.2027.
fn finnish_day(iso: &str) -> String {
    let parts: Vec<u32> = iso.split('-').map(|p| p.parse().expect("date")).collect();
    format!("{}.{}.{}", parts[2], parts[1], parts[0])
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

fn assert_no_identifier(lang: &str, text: &str) {
    for value in IDENTIFIERS {
        assert!(
            !text.contains(value),
            "{lang}: {value:?} in the receipt:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receipt_in_each_language_tells_the_facts_and_no_identifier() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = tmp.path().join("with-newsletter.toml");
    std::fs::write(&config, format!("{EXAMPLE}{NEWSLETTER}")).expect("config");
    let data = tmp.path().join("data");
    let server = Server::start(&data, &["--config", path(&config), "--with-example-data"]);

    let id = ok(&server.cli(&[
        "submit",
        "--customer-id",
        "C-1001",
        "--email",
        "aino.virtanen@example.com",
        "--phone",
        "+358401234567",
        "--jurisdiction",
        "FI",
        "--disclose-recipients",
    ]));
    // The newsletter waits for an operator: the request is in progress, and is extended.
    eventually(Duration::from_secs(60), || async {
        stdout(&server.cli(&["task", "list"]))
            .contains(&id)
            .then_some(())
    })
    .await
    .expect("the manual task is listed");
    ok(&server.cli(&["extend", &id, "--months", "2", "--reason", REASON]));

    // So far: what is done, the extension, the recipient still to be told.
    let interim = ok(&server.cli(&["receipt", &id, "--lang", "en"]));
    assert!(
        interim.starts_with("Your erasure request: what has been done so far"),
        "{interim}"
    );
    assert!(interim.contains(REASON), "{interim}");
    assert!(
        interim.contains(
            "Postitus Oy (newsletter mailing), who processes data on our behalf: being told"
        ),
        "{interim}"
    );

    ok(&server.cli(&[
        "task",
        "complete",
        &id,
        "--system",
        "newsletter",
        "--evidence",
        "Postitus Oy confirmed the removal",
        "--by",
        "Maija",
    ]));
    let status = wait_for_status(&server, &id, "certificate  available").await;
    let backups_until = status
        .split("in backups until ")
        .nth(1)
        .and_then(|s| s.get(..10))
        .expect("the example's backups hold the person");

    // The API's view tells each system's description, categories and when it answered.
    let view = server
        .client()
        .await
        .get(pb::GetRequest {
            request_id: id.clone(),
        })
        .await
        .expect("get")
        .into_inner();
    let crm = view
        .tasks
        .iter()
        .find(|t| t.system_id == "crm")
        .expect("crm");
    assert_eq!(crm.description, "Customer register (SQLite)");
    assert_eq!(crm.categories, ["contact", "contract", "support-ticket"]);
    assert!(
        !crm.answered_at.is_empty() && crm.answered_at <= view.completed_at,
        "{crm:?} {}",
        view.completed_at
    );

    for lang in ["fi", "sv", "en", "de"] {
        let text = ok(&server.cli(&["receipt", &id, "--lang", lang]));
        assert!(text.contains(&id), "{lang}: no request id\n{text}");
        for fact in facts(lang) {
            assert!(text.contains(fact), "{lang}: no {fact:?} in\n{text}");
        }
        assert_no_identifier(lang, &text);

        let file = tmp.path().join(format!("receipt-{lang}.html"));
        ok(&server.cli(&["receipt", &id, "--lang", lang, "--html", "-o", path(&file)]));
        let page = std::fs::read_to_string(&file).expect("page");
        assert!(page.starts_with("<!DOCTYPE html>"), "{lang}");
        assert!(page.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        assert!(page.trim_end().ends_with("</html>"), "{lang}");
        for tag in ["section", "ul", "li", "p", "h2"] {
            assert_eq!(
                page.matches(&format!("<{tag}>")).count()
                    + page.matches(&format!("<{tag} ")).count(),
                page.matches(&format!("</{tag}>")).count(),
                "{lang}: <{tag}> not closed"
            );
        }
        for fact in facts(lang) {
            assert!(page.contains(fact), "{lang}: no {fact:?} in the page");
        }
        assert!(
            page.contains("<a href=\"https://tietosuoja.fi\">"),
            "{lang}"
        );
        assert_no_identifier(lang, &page);
    }
    // The backups' end and the day the CRM erased, as Finnish writes a day.
    let fi = ok(&server.cli(&["receipt", &id, "--lang", "fi"]));
    let day = finnish_day(backups_until);
    assert!(fi.contains(&format!("{day} asti")), "no {day}:\n{fi}");
    let answered = finnish_day(&crm.answered_at[..10]);
    assert!(
        fi.contains(&format!("poistettu {answered}.")),
        "no {answered}:\n{fi}"
    );

    let refused = server.cli(&["receipt", &id, "--lang", "xx"]);
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(
        said.contains("unsupported language \"xx\": receipts are written in fi, sv, en, de"),
        "{said}"
    );
    let refused = one_error_line(&server.cli(&["receipt", "no-such-request", "--lang", "fi"]));
    assert!(refused.contains("not found"), "{refused}");
}
