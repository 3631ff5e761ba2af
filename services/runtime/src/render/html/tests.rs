use super::*;
use erasure_coordinator::report::REPORT_FORMAT;
use erasure_core::report::{ExtensionLine, RuleLine, SystemLine};
use erasure_proof::ack::sign_ack;
use erasure_proof::certificate::{CERTIFICATE_FORMAT, sign_certificate, to_file};
use erasure_proof::merkle::MerkleTree;
use erasure_proof::supplement::{SUPPLEMENT_FORMAT, sign_supplement, supplement_to_file};
use erasure_proof::transparency::{LogProof, log_proof, sign_tree_head, tree_head_file};
use erasure_proof::{KeyPair, TrustStore};
use erasure_proto::v1::{
    Acknowledgment, Certificate, CertificateSupplement, DeadlineExtension, Outcome, Retention,
    RetentionException, SystemResult,
};

pub(super) const HOSTILE: &str = "<script>alert(1)</script> R&D";
pub(super) const SOURCE: &str = "https://www.finlex.fi/fi/laki/ajantasa/1997/19971336";

pub(super) struct Keys {
    pub coordinator: KeyPair,
    pub crm: KeyPair,
    pub ledger: KeyPair,
}

pub(super) fn keys() -> Keys {
    Keys {
        coordinator: KeyPair::from_seed([1; 32]),
        crm: KeyPair::from_seed([2; 32]),
        ledger: KeyPair::from_seed([3; 32]),
    }
}

pub(super) fn trust(k: &Keys) -> TrustStore {
    let mut trust = TrustStore::default();
    trust.add_coordinator(&k.coordinator.public());
    trust.add_connector("crm", &k.crm.public());
    trust.add_connector("ledger", &k.ledger.public());
    trust
}

pub(super) fn answer(key: &KeyPair, system: &str, outcome: Outcome, summary: &str) -> SystemResult {
    let ack = Acknowledgment {
        processor_proof: None,
        reference: String::new(),
        follow_up_at_ms: 0,
        backups: Vec::new(),
        request_id: "r-42".into(),
        task_id: format!("r-42/{system}"),
        system_id: system.into(),
        attempt: 1,
        outcome: outcome as i32,
        items_affected: 4,
        evidence_digest: vec![9; 32],
        evidence_summary: summary.into(),
        completed_at_ms: 1_790_000_000_000,
        detail: String::new(),
        retained: if outcome == Outcome::Retained {
            vec![vouchers()]
        } else {
            vec![]
        },
    };
    SystemResult {
        attestation: None,
        system_id: system.into(),
        outcome: outcome as i32,
        acknowledgment: Some(sign_ack(key, &ack)),
    }
}

fn vouchers() -> Retention {
    Retention {
        rule_id: "fi-kpl-vouchers".into(),
        category: "invoices".into(),
        items: 3,
        latest_reference_date: "2025-06-30".into(),
        retained_until: "2031-12-31".into(),
    }
}

fn exception(source: &str) -> RetentionException {
    RetentionException {
        system_id: "ledger".into(),
        rule_id: "fi-kpl-vouchers".into(),
        category: "invoices".into(),
        items: 3,
        retained_until: "2031-12-31".into(),
        statute: "Kirjanpitolaki (Accounting Act) 1336/1997".into(),
        section: "ch. 2 § 10(2)".into(),
        ground: "legal-obligation".into(),
        source: source.into(),
        title: "Accounting vouchers".into(),
    }
}

/// crm erased (with a hostile evidence summary); the ledger kept vouchers; the deadline
/// was extended (with a hostile reason).
pub(super) fn proto(k: &Keys, source: &str) -> Certificate {
    Certificate {
        backups: vec![],
        recipients: vec![],
        recipients_requested: false,
        controller: "acme".into(),
        resolutions: vec![erasure_proto::v1::IdentityResolution {
            system_id: "crm".into(),
            found: vec![erasure_proto::v1::KindCount {
                kind: "customer_id".into(),
                count: 2,
            }],
        }],
        format: CERTIFICATE_FORMAT.into(),
        request_id: "r-42".into(),
        jurisdiction: "FI".into(),
        received_at_ms: 1_786_267_800_000,
        deadline: "2026-11-09".into(),
        completed_at_ms: 1_790_000_000_000,
        identifier_commitment: vec![7; 32],
        systems: vec![
            answer(&k.crm, "crm", Outcome::Erased, HOSTILE),
            answer(&k.ledger, "ledger", Outcome::Retained, "invoices: 3 kept"),
        ],
        coordinator_key_id: k.coordinator.key_id().into(),
        issued_at_ms: 1_790_000_000_500,
        exceptions: vec![exception(source)],
        extension: Some(DeadlineExtension {
            months: 2,
            reason: format!("complex request {HOSTILE}"),
            original_deadline: "2026-09-09".into(),
            extended_at_ms: 1_787_220_000_000,
        }),
    }
}

/// Leaf 1 of a log of 3 (the leaves are placeholders: pages do not verify).
pub(super) fn logged(k: &Keys) -> LogProof {
    let mut tree = MerkleTree::new();
    for leaf in [b"a".as_slice(), b"b", b"c"] {
        tree.push(leaf);
    }
    let root = tree.root(3).expect("root");
    let head = sign_tree_head(&k.coordinator, 3, &root, 1_790_000_001_000);
    let proof = tree.inclusion_proof(1, 3).expect("proof");
    log_proof(&head, 1, &proof).expect("log proof")
}

fn certificate_file(k: &Keys, log: Option<LogProof>) -> CertificateFile {
    let signed = sign_certificate(&k.coordinator, &proto(k, SOURCE));
    to_file(&signed, trust(k), log).expect("file")
}

fn supplement_file(k: &Keys, request_id: &str, sequence: u32) -> SupplementFile {
    let s = CertificateSupplement {
        aged_out: vec![],
        backups_remaining: vec![],
        format: SUPPLEMENT_FORMAT.into(),
        request_id: request_id.into(),
        certificate_hash: vec![5; 32],
        sequence,
        systems: vec![answer(
            &k.ledger,
            "ledger",
            Outcome::Erased,
            "invoices: 3 deleted",
        )],
        ended: vec![exception(SOURCE)],
        remaining: vec![],
        coordinator_key_id: k.coordinator.key_id().into(),
        issued_at_ms: 1_956_000_000_500,
    };
    let signed = sign_supplement(&k.coordinator, &s);
    supplement_to_file(&signed, trust(k), Some(logged(k))).expect("file")
}

pub(super) fn assert_self_contained_and_escaped(page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script"), "no script, hostile or not");
    assert!(!page.contains("R&D"), "a bare & is escaped");
    assert!(page.contains("alert(1)"), "hostile text is shown, escaped");
    for external in [" src=", "<link", "@import", "url("] {
        assert!(!page.contains(external), "nothing fetched: {external}");
    }
}

#[test]
fn a_certificate_page_shows_the_request_systems_hold_extension_and_keys() {
    let k = keys();
    let file = certificate_file(&k, Some(logged(&k)));
    let page = certificate(&file, &[]).expect("page");
    for text in [
        "Erasure certificate",
        "r-42",
        "crm",
        "ledger",
        "Kirjanpitolaki (Accounting Act) 1336/1997, ch. 2 § 10(2)",
        "2031-12-31",
        "GDPR Art. 17(3)(b) legal obligation",
        "complex request",
        "for controller <code>acme</code>",
        "<code>crm</code>: 2 customer_id",
        "Original deadline</dt><dd>2026-09-09",
        "Extended deadline</dt><dd>2026-11-09",
        "2 months",
        k.coordinator.key_id(),
        k.crm.key_id(),
        &hex::encode([7; 32]),
        "erasure verify certificate.json --trust keys.json",
        "<summary>The signed certificate file (JSON)</summary>",
        &file.signed_certificate,
    ] {
        assert!(page.contains(text), "missing {text:?}");
    }
    assert!(page.contains(&format!(r#"<a href="{SOURCE}">"#)));
    assert!(!page.contains("carries no proof"), "the log proof is there");
    assert_self_contained_and_escaped(&page);
}

#[test]
fn a_certificate_without_a_log_proof_says_so() {
    let k = keys();
    let page = certificate(&certificate_file(&k, None), &[]).expect("page");
    assert!(page.contains("carries no proof"));
    assert!(page.contains("No supplement accompanies this page"));
}

#[test]
fn a_source_that_is_not_a_web_address_is_not_linked() {
    let k = keys();
    let signed = sign_certificate(&k.coordinator, &proto(&k, "javascript:alert(2)"));
    let file = to_file(&signed, trust(&k), None).expect("file");
    let page = certificate(&file, &[]).expect("page");
    assert!(page.contains("javascript:alert(2)"), "shown as text");
    assert!(!page.contains(r#"href="javascript"#));
}

#[test]
fn supplements_are_shown_in_order_with_their_ended_holds() {
    let k = keys();
    let file = certificate_file(&k, Some(logged(&k)));
    let supplements = [
        supplement_file(&k, "r-42", 2),
        supplement_file(&k, "r-42", 1),
    ];
    let page = certificate(&file, &supplements).expect("page");
    let first = page.find("<h3>Supplement 1</h3>").expect("first");
    let second = page.find("<h3>Supplement 2</h3>").expect("second");
    assert!(first < second);
    assert!(page.contains("invoices: 3 deleted"));
    assert!(page.contains("None: nothing is kept any longer."));
    assert!(page.contains("The signed supplement file (JSON)"));
    assert!(!page.contains("not for this certificate"));
}

#[test]
fn a_supplement_for_another_request_is_shown_with_a_warning() {
    let k = keys();
    let file = certificate_file(&k, Some(logged(&k)));
    let page = certificate(&file, &[supplement_file(&k, "r-9", 1)]).expect("page");
    assert!(page.contains("not for this certificate"));
    assert!(page.contains("<code>r-9</code>"));
}

fn report_file(k: &Keys, tree_head: bool) -> ReportFile {
    let date = |s: &str| s.parse().expect("date");
    let head = tree_head.then(|| {
        let signed = sign_tree_head(&k.coordinator, 7, &[4; 32], 1_790_000_001_000);
        tree_head_file(&signed, trust(k)).expect("head")
    });
    ReportFile {
        format: REPORT_FORMAT.into(),
        generated_at: "2026-07-01T08:00:00Z".into(),
        report: Report {
            from: date("2026-03-01"),
            to: date("2026-03-31"),
            as_of: date("2026-06-30"),
            received: 12,
            completed_on_time: 7,
            completed_late: 1,
            open: 3,
            open_overdue: 2,
            failed: 1,
            rejected: 1,
            actions_by_role: [("supervisor".to_owned(), 2)].into(),
            on_time_rate: Some(7.0 / 8.0),
            extensions: vec![ExtensionLine {
                request_id: "r-7".into(),
                months: 2,
                reason: HOSTILE.into(),
                original_deadline: date("2026-04-10"),
                deadline: date("2026-06-10"),
            }],
            exceptions_by_rule: vec![RuleLine {
                rule_id: "fi-kpl-vouchers".into(),
                requests: 2,
                items: 9,
                running: 2,
                latest_until: date("2032-12-31"),
            }],
            failures_by_system: vec![SystemLine {
                system_id: "cameras".into(),
                failed_tasks: 1,
            }],
        },
        tree_head: head,
    }
}

#[test]
fn a_report_page_shows_the_figures_lines_and_tree_head() {
    let k = keys();
    let page = report(&report_file(&k, true)).expect("page");
    for text in [
        "2026-03-01",
        "2026-03-31",
        "2026-06-30",
        r#"<th>Received</th><td class="num">12</td>"#,
        r#"<th>Completed on time</th><td class="num">7</td>"#,
        r#"<th>Completed late</th><td class="num">1</td>"#,
        "87.5 %",
        r#"<th>Open</th><td class="num">3</td>"#,
        r#"<th>Open and overdue</th><td class="num">2</td>"#,
        r#"<th>Failed</th><td class="num">1</td>"#,
        r#"<th>Rejected</th><td class="num">1</td>"#,
        r#"<tr><td>supervisor</td><td class="num">2</td></tr>"#,
        "r-7",
        "2026-04-10 → 2026-06-10",
        "fi-kpl-vouchers",
        "2032-12-31",
        "cameras",
        &hex::encode([4; 32]),
        k.coordinator.key_id(),
        "<summary>The report file (JSON)</summary>",
    ] {
        assert!(page.contains(text), "missing {text:?}");
    }
    assert_self_contained_and_escaped(&page);
}

#[test]
fn a_report_without_a_tree_head_says_so() {
    let k = keys();
    let mut file = report_file(&k, false);
    file.report.on_time_rate = None;
    let page = report(&file).expect("page");
    assert!(page.contains("No tree head"));
    assert!(page.contains("none completed yet"));
}

#[test]
fn times_read_as_utc_and_anything_else_as_it_is() {
    assert_eq!(when("2026-09-21T12:53:20.000Z"), "2026-09-21 12:53:20 UTC");
    assert_eq!(when("2026-09-21T14:53:20+02:00"), "2026-09-21 12:53:20 UTC");
    assert_eq!(when("invalid time 5"), "invalid time 5");
    assert_eq!(percent(&Some(1.0)), "100.0 %");
    assert_eq!(months(&1), "1 month");
    assert_eq!(link("HTTPS://example.org"), Some("HTTPS://example.org"));
    assert_eq!(link("data:text/html,x"), None);
}
