//! Pages with third parties: a manual task an operator attested (with hostile evidence), a
//! system whose backups still hold the person, recipients, and the supplement issued when
//! the backups aged out.

use super::tests::{
    HOSTILE, SOURCE, answer, assert_self_contained_and_escaped, keys, logged, proto, trust,
};
use super::*;
use erasure_proof::certificate::{sign_certificate, to_file};
use erasure_proof::supplement::{SUPPLEMENT_FORMAT, sign_supplement, supplement_to_file};
use erasure_proto::v1::{
    Attachment, BackupException, CertificateSupplement, OperatorAttestation, Outcome,
    RecipientNotice, SystemResult,
};

fn backups(aged_out_at_ms: i64) -> BackupException {
    BackupException {
        system_id: "catalog".into(),
        until: "2026-12-31".into(),
        set_ids: vec!["catalog-2026-09-20-full".into()],
        aged_out_at_ms,
    }
}

fn notice(system_id: &str, name: &str, via: &str, reference: &str) -> RecipientNotice {
    RecipientNotice {
        system_id: system_id.into(),
        name: name.into(),
        role: "processor".into(),
        via: via.into(),
        told_at_ms: 1_789_950_000_000,
        outcome: Outcome::Erased as i32,
        answered_at_ms: 1_789_990_000_000,
        reference: reference.into(),
    }
}

/// The certificate of `proto` with an attested archive, the catalog in backups and three
/// recipients; the person asked for them.
fn certificate_file() -> CertificateFile {
    let k = keys();
    let mut cert = proto(&k, SOURCE);
    cert.systems.push(SystemResult {
        system_id: "archive".into(),
        outcome: Outcome::Erased as i32,
        acknowledgment: None,
        attestation: Some(OperatorAttestation {
            operator: "Liisa <b>Operaattori</b>".into(),
            evidence: format!("Letter sent {HOSTILE}"),
            attachment: Some(Attachment {
                name: "confirmation.pdf".into(),
                sha256: vec![0xab; 32],
                size: 48_213,
            }),
            attested_at_ms: 1_789_990_000_000,
        }),
    });
    cert.systems
        .push(answer(&k.crm, "catalog", Outcome::InBackups, "2 sets"));
    cert.backups = vec![backups(0)];
    cert.recipients = vec![
        notice("crm", "Maksu Oy", "api", "PAY-2026-0042"),
        notice("ledger", "Mainos Ab", "opendsr", "5c0e7d3a"),
        notice("archive", "Arkisto Oy", "manual", ""),
    ];
    cert.recipients_requested = true;
    let signed = sign_certificate(&k.coordinator, &cert);
    to_file(&signed, trust(&k), Some(logged(&k))).expect("file")
}

#[test]
fn an_attested_task_reads_as_attested_by_the_operator_not_signed_by_a_connector() {
    let page = certificate(&certificate_file(), &[]).expect("page");
    assert!(
        page.contains(
            "<strong>Attested by Liisa &#60;b&#62;Operaattori&#60;/b&#62; on 2026-09-21 11:26:40 UTC</strong>: Letter sent &#60;script&#62;alert(1)&#60;/script&#62; R&#38;D"
        ),
        "{page}"
    );
    assert!(page.contains("Not signed by a connector"));
    assert!(page.contains("confirmation.pdf (48213 bytes, SHA-256"));
    assert!(
        !page.contains("<b>Operaattori"),
        "the operator's name is escaped too"
    );
    assert_self_contained_and_escaped(&page);
}

#[test]
fn copies_in_backups_are_their_own_section_apart_from_legal_holds() {
    let page = certificate(&certificate_file(), &[]).expect("page");
    let holds = page.find("<h2>Legal-hold exceptions</h2>").expect("holds");
    let section = page.find("<h2>Copies in backups</h2>").expect("backups");
    assert!(holds < section);
    for text in [
        "<strong>In backups until 2026-12-31</strong> (<code>catalog</code>)",
        "<code>catalog-2026-09-20-full</code>",
        "cannot be edited",
        "not kept under a legal hold",
        "ages out on its\nown",
        "In backups (cannot be edited; ages out)",
    ] {
        assert!(page.contains(text), "missing {text:?}");
    }
}

#[test]
fn recipients_are_listed_with_how_and_when_they_were_told_and_their_reference() {
    let page = certificate(&certificate_file(), &[]).expect("page");
    for text in [
        "<h2>Recipients</h2>",
        "The person asked to be told who received their data (GDPR Article 19)",
        "<th>How it was told</th>",
        "Maksu Oy",
        "Through its API",
        "Through its OpenDSR API",
        "By an operator (letter, e-mail, phone)",
        "<code>PAY-2026-0042</code>",
        "None given",
        "2026-09-21 00:20:00 UTC",
        "Processor",
    ] {
        assert!(page.contains(text), "missing {text:?}");
    }
}

#[test]
fn a_certificate_without_third_parties_has_none_of_their_sections() {
    let k = keys();
    let signed = sign_certificate(&k.coordinator, &proto(&k, SOURCE));
    let page = certificate(&to_file(&signed, trust(&k), None).expect("file"), &[]).expect("page");
    for text in ["Copies in backups", "<h2>Recipients</h2>", "Attested by"] {
        assert!(!page.contains(text), "{text}");
    }
}

#[test]
fn a_supplement_for_aged_out_backups_shows_when_they_aged_out() {
    let k = keys();
    let s = CertificateSupplement {
        format: SUPPLEMENT_FORMAT.into(),
        request_id: "r-42".into(),
        certificate_hash: vec![5; 32],
        sequence: 1,
        coordinator_key_id: k.coordinator.key_id().into(),
        issued_at_ms: 1_798_804_800_500,
        aged_out: vec![backups(1_798_804_800_000)],
        ..CertificateSupplement::default()
    };
    let signed = sign_supplement(&k.coordinator, &s);
    let file = supplement_to_file(&signed, trust(&k), Some(logged(&k))).expect("file");
    let page = certificate(&certificate_file(), &[file]).expect("page");
    let supplement = &page[page.find("<h3>Supplement 1</h3>").expect("supplement")..];
    for text in [
        "Copies in backups that aged out",
        "<strong>Was in backups until 2026-12-31</strong> (<code>catalog</code>): aged out; recorded 2027-01-01 12:00:00 UTC",
        "None: nothing is kept any longer.",
    ] {
        assert!(supplement.contains(text), "missing {text:?}");
    }
    assert!(
        !supplement.contains("Systems that answered after their holds ended"),
        "no system answered"
    );
}
