//! Fixtures with third parties: a backup catalog whose sets still hold the person, a
//! payment processor told through its API, an ad network told through OpenDSR and a paper
//! archive an operator told by letter (a manual task), with the supplement issued when the
//! backup sets aged out.

use super::{Fixture, ack, answer, certificate};
use crate::sha256;
use crate::supplement::SUPPLEMENT_FORMAT;
use erasure_proto::v1::{
    Acknowledgment, Attachment, BackupCopy, BackupException, Certificate, CertificateSupplement,
    OperatorAttestation, Outcome, RecipientNotice, SystemResult,
};

/// 2027-01-01T12:00:00Z: the timer the day after the catalog's last set expired.
pub(crate) const AGED_OUT_AT_MS: i64 = 1_798_804_800_000;
/// 2027-01-01T00:00:00Z: the earliest the sets may be recorded as aged out.
pub(crate) const DAY_AFTER_UNTIL_MS: i64 = 1_798_761_600_000;

/// The catalog's two sets, the later-expiring one first: `until` is the latest, not the
/// last listed.
fn backup_sets() -> Vec<BackupCopy> {
    vec![
        BackupCopy {
            set_id: "catalog-2026-09-20-full".into(),
            taken_at_ms: 1_789_900_000_000,
            expires_on: "2026-12-31".into(),
            systems: vec!["crm".into()],
        },
        BackupCopy {
            set_id: "catalog-2026-09-14-incr".into(),
            taken_at_ms: 1_789_400_000_000,
            expires_on: "2026-11-30".into(),
            systems: vec!["crm".into()],
        },
    ]
}

pub(crate) fn in_backups_ack(request_id: &str) -> Acknowledgment {
    Acknowledgment {
        backups: backup_sets(),
        items_affected: 0,
        evidence_summary: "2 backup sets may hold the person".into(),
        ..ack(request_id, "catalog", Outcome::InBackups)
    }
}

/// What the coordinator declares for the catalog: in backups until 2026-12-31.
pub(crate) fn backup_exception() -> BackupException {
    BackupException {
        system_id: "catalog".into(),
        until: "2026-12-31".into(),
        set_ids: vec![
            "catalog-2026-09-20-full".into(),
            "catalog-2026-09-14-incr".into(),
        ],
        aged_out_at_ms: 0,
    }
}

/// Evidence with markup in it: it must be shown as text wherever it is rendered.
pub(crate) const EVIDENCE: &str =
    "Letter sent to Arkisto Oy <script>alert(1)</script>; their confirmation filed";

pub(crate) fn attested_archive() -> SystemResult {
    SystemResult {
        system_id: "archive".into(),
        outcome: Outcome::Erased as i32,
        acknowledgment: None,
        attestation: Some(OperatorAttestation {
            operator: "Liisa Operaattori".into(),
            evidence: EVIDENCE.into(),
            attachment: Some(Attachment {
                name: "confirmation.pdf".into(),
                sha256: sha256(b"confirmation").to_vec(),
                size: 48_213,
            }),
            attested_at_ms: 1_789_990_000_000,
        }),
    }
}

fn recipient(system_id: &str, name: &str, via: &str) -> RecipientNotice {
    RecipientNotice {
        system_id: system_id.into(),
        name: name.into(),
        role: "processor".into(),
        via: via.into(),
        told_at_ms: 0,
        outcome: 0,
        answered_at_ms: 0,
        reference: String::new(),
    }
}

/// crm erased; the catalog's sets still hold the person; payments (API) erased with a
/// reference after first accepting; adtech (OpenDSR) found nothing; the archive was told
/// by letter and an operator attested it. The person asked to be told the recipients.
pub(crate) fn certificate_with_third_parties(f: &Fixture, request_id: &str) -> Certificate {
    let mut cert = certificate(f, request_id);
    let payments = Acknowledgment {
        reference: "PAY-2026-0042".into(),
        attempt: 2,
        completed_at_ms: 1_789_980_000_000,
        ..ack(request_id, "payments", Outcome::Erased)
    };
    let adtech = Acknowledgment {
        reference: "5c0e7d3a-opendsr".into(),
        items_affected: 0,
        completed_at_ms: 1_789_985_000_000,
        ..ack(request_id, "adtech", Outcome::NothingFound)
    };
    cert.systems.extend([
        answer(&f.partners, &in_backups_ack(request_id)),
        answer(&f.partners, &payments),
        answer(&f.partners, &adtech),
        attested_archive(),
    ]);
    cert.backups = vec![backup_exception()];
    cert.recipients = vec![
        RecipientNotice {
            told_at_ms: 1_789_950_000_000,
            outcome: Outcome::Erased as i32,
            answered_at_ms: 1_789_980_000_000,
            reference: "PAY-2026-0042".into(),
            ..recipient("payments", "Maksu Oy (card payments)", "api")
        },
        RecipientNotice {
            role: "controller".into(),
            told_at_ms: 1_789_985_000_000,
            outcome: Outcome::NothingFound as i32,
            answered_at_ms: 1_789_985_000_000,
            reference: "5c0e7d3a-opendsr".into(),
            ..recipient("adtech", "Mainos Ab", "opendsr")
        },
        RecipientNotice {
            told_at_ms: 1_789_990_000_000,
            outcome: Outcome::Erased as i32,
            answered_at_ms: 1_789_990_000_000,
            ..recipient("archive", "Arkisto Oy", "manual")
        },
    ];
    cert.recipients_requested = true;
    cert
}

/// The supplement issued when the catalog's sets aged out: no system answered, no hold
/// ended.
pub(crate) fn aged_out_supplement(f: &Fixture, certificate: &Certificate) -> CertificateSupplement {
    let signed = crate::certificate::sign_certificate(&f.coordinator, certificate);
    CertificateSupplement {
        format: SUPPLEMENT_FORMAT.into(),
        request_id: certificate.request_id.clone(),
        certificate_hash: sha256(&prost::Message::encode_to_vec(&signed)).to_vec(),
        sequence: 1,
        systems: Vec::new(),
        ended: Vec::new(),
        remaining: Vec::new(),
        coordinator_key_id: f.coordinator.key_id().into(),
        issued_at_ms: AGED_OUT_AT_MS + 500,
        aged_out: vec![BackupException {
            aged_out_at_ms: AGED_OUT_AT_MS,
            ..backup_exception()
        }],
        backups_remaining: Vec::new(),
    }
}
