//! A request's jurisdiction: an assigned ISO 3166-1 alpha-2 code, and one whose retention
//! rules are known for every category a system in scope holds that a rule keeps somewhere.

use chrono::{DateTime, TimeZone, Utc};
use erasure_core::decide::{self, Policy};
use erasure_core::events::RequestReceived;
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_core::retention::RuleBook;
use erasure_core::{IdentifierKind, Identifiers, Rejection, SystemId, deadline};

const RULES: &str = include_str!("../../../deploy/rules/retention.toml");

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
        .single()
        .expect("time")
}

fn policy(rules: RuleBook) -> Policy {
    Policy {
        rules,
        ..Policy::default()
    }
}

fn shipped() -> RuleBook {
    RuleBook::from_toml(RULES).expect("rules")
}

fn inventory() -> Inventory {
    Inventory::new([
        SystemSpec::new("crm", &["contact"]),
        SystemSpec::new("billing", &["accounting-voucher"]),
    ])
}

fn received(jurisdiction: &str, scope: &[&str]) -> RequestReceived {
    RequestReceived {
        disclose_recipients: false,
        request_id: "r1".into(),
        received_at: t0(),
        deadline: deadline::deadline_for(t0().date_naive()),
        jurisdiction: jurisdiction.into(),
        channel: "phone".into(),
        verified_by: "agent".into(),
        scope: scope.iter().map(|s| SystemId::new(*s)).collect(),
        sealed_identifiers: vec![1],
        blind_index: vec![vec![2]],
        idempotency_key_hash: vec![],
        identifier_commitment: vec![3],
        controller: None,
        submitted_by: Default::default(),
    }
}

fn receive(jurisdiction: &str, scope: &[&str], rules: RuleBook) -> Result<(), Rejection> {
    decide::receive(
        None,
        received(jurisdiction, scope),
        &inventory(),
        &policy(rules),
        t0(),
    )
    .map(|_| ())
}

#[test]
fn fi_and_de_have_rules_for_invoices_and_are_accepted() {
    assert_eq!(receive("FI", &[], shipped()), Ok(()));
    assert_eq!(receive("DE", &[], shipped()), Ok(()));
}

#[test]
fn a_code_iso_does_not_assign_is_refused() {
    for code in ["XX", "UK", "EU", "fi", "FIN"] {
        assert_eq!(
            receive(code, &[], shipped()),
            Err(Rejection::InvalidJurisdiction),
            "{code}"
        );
    }
}

#[test]
fn an_unlisted_jurisdiction_with_a_held_category_in_scope_is_refused() {
    let refused = receive("SE", &[], shipped()).expect_err("refused");
    assert_eq!(
        refused,
        Rejection::NoRetentionRule {
            jurisdiction: "SE".into(),
            categories: "accounting-voucher".into(),
        }
    );
    assert!(
        refused.to_string().contains("[[no_retention]]"),
        "{refused}"
    );
}

#[test]
fn an_unlisted_jurisdiction_is_accepted_when_no_system_in_scope_holds_a_kept_category() {
    // `contact` is held nowhere (no rule names it).
    assert_eq!(receive("SE", &["crm"], shipped()), Ok(()));
}

#[test]
fn the_rules_files_statement_of_no_retention_allows_it() {
    let text = format!(
        "{RULES}\n[[no_retention]]\njurisdiction = \"SE\"\ncategories = [\"accounting-voucher\"]\nnote = \"test: confirmed\"\n"
    );
    let rules = RuleBook::from_toml(&text).expect("rules");
    assert_eq!(receive("SE", &[], rules), Ok(()));
    // Only for that jurisdiction.
    let rules = RuleBook::from_toml(&text).expect("rules");
    assert!(matches!(
        receive("NO", &[], rules),
        Err(Rejection::NoRetentionRule { .. })
    ));
}

#[test]
fn a_no_retention_statement_is_checked_like_a_rule() {
    for (block, named) in [
        (
            "jurisdiction = \"XX\"\ncategories = [\"a\"]\nnote = \"n\"",
            "XX",
        ),
        (
            "jurisdiction = \"SE\"\ncategories = [\"a\"]\nnote = \" \"",
            "note",
        ),
        (
            "jurisdiction = \"SE\"\ncategories = []\nnote = \"n\"",
            "categories",
        ),
        (
            "jurisdiction = \"FI\"\ncategories = [\"accounting-voucher\"]\nnote = \"n\"",
            "has a rule there",
        ),
    ] {
        let text = format!("{RULES}\n[[no_retention]]\n{block}\n");
        let e = RuleBook::from_toml(&text).expect_err(named);
        assert!(e.to_string().contains(named), "{e}");
    }
}

#[test]
fn an_identifier_a_system_uses_as_a_path_segment_must_be_one() {
    let mut files = SystemSpec::new("files", &["upload"]);
    files.path_segments.insert(IdentifierKind::CustomerId);
    let inventory = Inventory::new([SystemSpec::new("crm", &["contact"]), files]);
    let dots = Identifiers::from_raw([(IdentifierKind::CustomerId, "..")], None).expect("valid");
    assert_eq!(
        inventory.check_identifiers(&[], &dots),
        Err(Rejection::UnsafeIdentifier {
            kind: IdentifierKind::CustomerId,
            system: "files".into(),
        })
    );
    // Out of scope, or another kind: no matter.
    assert_eq!(inventory.check_identifiers(&["crm".into()], &dots), Ok(()));
    let email =
        Identifiers::from_raw([(IdentifierKind::Email, "a/b@example.com")], None).expect("valid");
    assert_eq!(inventory.check_identifiers(&[], &email), Ok(()));
    let fine = Identifiers::from_raw([(IdentifierKind::CustomerId, "C-1001")], None).expect("ok");
    assert_eq!(inventory.check_identifiers(&[], &fine), Ok(()));
}
