//! The "backups" check. Copies of the person in backup sets that cannot be edited are
//! declared twice: by the connector (an in-backups acknowledgment listing the sets, signed)
//! and by the coordinator (a `BackupException`, "in backups until D"). The two must agree,
//! so the coordinator can neither shorten the time a copy may exist nor leave one out.
//!
//! A backup exception agrees with an acknowledgment when the acknowledgment's outcome is
//! in-backups, its sets' ids are the exception's `set_ids` in the same order, and `until`
//! is the latest of the sets' `expires_on`. When `aged_out_at_ms` is set, it is not before
//! 00:00 UTC of the day after `until` (a set exists to the end of its last day) and not
//! after the document was issued.

use crate::ack;
use crate::verification::{Verification, problems_or};
use crate::view::{outcome_name, rfc3339};
use chrono::NaiveDate;
use erasure_proto::v1::{Acknowledgment, BackupException, Outcome, SystemResult};

/// Records "backups" for a certificate, when it lists backups or a system answered
/// in-backups: each exception agrees with its system's acknowledgment, each system appears
/// at most once, and each in-backups system has its exception.
pub(crate) fn verify_certificate(
    v: &mut Verification,
    systems: &[SystemResult],
    backups: &[BackupException],
    issued_at_ms: i64,
) {
    let acks = acknowledgments(systems);
    if backups.is_empty() && !acks.iter().any(in_backups) {
        return;
    }
    let mut problems: Vec<String> = Vec::new();
    for (i, b) in backups.iter().enumerate() {
        if backups[..i].iter().any(|e| e.system_id == b.system_id) {
            problems.push(format!("backups of {} listed twice", b.system_id));
            continue;
        }
        let backed = match acks.iter().find(|a| a.system_id == b.system_id) {
            Some(a) => agrees(b, a),
            None => Err(format!("no acknowledgment of {}", b.system_id)),
        };
        problems.extend(
            timing(b, issued_at_ms)
                .and(backed)
                .err()
                .map(|e| format!("backups of {}: {e}", b.system_id)),
        );
    }
    problems.extend(unlisted(&acks, backups));
    let aged = backups.iter().filter(|b| b.aged_out_at_ms != 0).count();
    v.record(
        "backups",
        problems_or(
            problems,
            format!(
                "{} system(s) in backups ({aged} aged out), each as its acknowledgment lists \
                 the sets",
                backups.len()
            ),
        ),
    );
}

/// What a supplement's "backups" check may compare with besides its own acknowledgments:
/// the acknowledgments of the certificate it supplements (given, and linked by its hash).
pub(crate) struct Supplement<'a> {
    pub systems: &'a [SystemResult],
    pub aged_out: &'a [BackupException],
    pub remaining: &'a [BackupException],
    pub issued_at_ms: i64,
    pub certified: Option<&'a [SystemResult]>,
}

/// Records "backups" for a supplement, when it lists backups or a system answered
/// in-backups in it: aged-out entries have `aged_out_at_ms`, remaining ones do not; each
/// agrees with the acknowledgment of its system in the supplement or, failing that, an
/// in-backups acknowledgment of the certificate; a system answered in-backups here is
/// listed.
pub(crate) fn verify_supplement(v: &mut Verification, s: &Supplement<'_>) {
    let answered = acknowledgments(s.systems);
    let certified: Vec<Acknowledgment> = s
        .certified
        .map(acknowledgments)
        .unwrap_or_default()
        .into_iter()
        .filter(in_backups)
        .collect();
    if s.aged_out.is_empty() && s.remaining.is_empty() && !answered.iter().any(in_backups) {
        return;
    }
    let mut problems: Vec<String> = Vec::new();
    let mut unchecked = 0;
    for (list, aged) in [(s.aged_out, true), (s.remaining, false)] {
        let what = if aged { "aged-out" } else { "remaining" };
        for (i, b) in list.iter().enumerate() {
            let name = format!("{what} backups of {}", b.system_id);
            if list[..i].iter().any(|e| e.system_id == b.system_id) {
                problems.push(format!("{name} listed twice"));
                continue;
            }
            let state = match (aged, b.aged_out_at_ms != 0) {
                (true, false) => Err("aged_out_at_ms is not set".to_owned()),
                (false, true) => Err("aged_out_at_ms is set".to_owned()),
                _ => Ok(()),
            };
            let backer = answered
                .iter()
                .chain(&certified)
                .find(|a| a.system_id == b.system_id);
            let backed = match backer {
                Some(a) => agrees(b, a),
                None => {
                    unchecked += 1;
                    Ok(())
                }
            };
            problems.extend(
                state
                    .and(timing(b, s.issued_at_ms))
                    .and(backed)
                    .err()
                    .map(|e| format!("{name}: {e}")),
            );
        }
    }
    let listed: Vec<BackupException> = s.aged_out.iter().chain(s.remaining).cloned().collect();
    problems.extend(unlisted(&answered, &listed));
    let mut summary = format!(
        "{} aged out, {} remaining",
        s.aged_out.len(),
        s.remaining.len()
    );
    if unchecked > 0 {
        summary.push_str(&format!(
            "; {unchecked} not compared with an acknowledgment (none in this supplement{})",
            if s.certified.is_some() {
                " or its certificate"
            } else {
                "; give the certificate to compare"
            }
        ));
    }
    v.record("backups", problems_or(problems, summary));
}

/// The acknowledgments the systems carry, decoded (undecodable ones fail their own check).
fn acknowledgments(systems: &[SystemResult]) -> Vec<Acknowledgment> {
    systems
        .iter()
        .filter_map(|s| s.acknowledgment.as_ref())
        .filter_map(|signed| ack::peek_ack(signed).ok())
        .collect()
}

fn in_backups(a: &Acknowledgment) -> bool {
    a.outcome == Outcome::InBackups as i32
}

/// The exception names the acknowledgment's sets, in its order, until the last one expires.
fn agrees(b: &BackupException, a: &Acknowledgment) -> Result<(), String> {
    if !in_backups(a) {
        return Err(format!(
            "the acknowledgment of {} says {}, not in-backups",
            a.system_id,
            outcome_name(a.outcome)
        ));
    }
    let acknowledged: Vec<&str> = a.backups.iter().map(|c| c.set_id.as_str()).collect();
    if b.set_ids != acknowledged {
        return Err(format!(
            "set_ids [{}] differ from the acknowledgment's [{}]",
            b.set_ids.join(", "),
            acknowledged.join(", ")
        ));
    }
    let latest = a
        .backups
        .iter()
        .map(|c| date(&c.expires_on).map_err(|e| format!("the acknowledgment's expires_on {e}")))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .max();
    match latest {
        Some(latest) if latest.to_string() == b.until => Ok(()),
        Some(latest) => Err(format!(
            "until is {}, but the latest expires_on of the acknowledgment is {latest}",
            b.until
        )),
        None => Err("the acknowledgment names no backup set".into()),
    }
}

/// `until` is a date; the sets aged out no earlier than the day after it, and no later
/// than the document was issued.
fn timing(b: &BackupException, issued_at_ms: i64) -> Result<(), String> {
    let until = date(&b.until).map_err(|e| format!("until {e}"))?;
    if b.aged_out_at_ms == 0 {
        return Ok(());
    }
    let day_after = until
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or_else(|| format!("until {} has no day after", b.until))?;
    if b.aged_out_at_ms < day_after {
        return Err(format!(
            "aged out at {}, before {} (00:00 UTC of the day after until)",
            rfc3339(b.aged_out_at_ms),
            rfc3339(day_after)
        ));
    }
    if b.aged_out_at_ms > issued_at_ms {
        return Err(format!(
            "aged out at {}, after the document was issued ({})",
            rfc3339(b.aged_out_at_ms),
            rfc3339(issued_at_ms)
        ));
    }
    Ok(())
}

/// Each in-backups acknowledgment has an exception of its system.
fn unlisted(acks: &[Acknowledgment], listed: &[BackupException]) -> Vec<String> {
    acks.iter()
        .filter(|a| in_backups(a) && !listed.iter().any(|b| b.system_id == a.system_id))
        .map(|a| {
            format!(
                "{} answered in-backups, but no backup exception lists it",
                a.system_id
            )
        })
        .collect()
}

/// A date in the form `YYYY-MM-DD` exactly (as `NaiveDate` prints it back).
pub(crate) fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| d.to_string() == s)
        .ok_or_else(|| format!("{s:?} is not a YYYY-MM-DD date"))
}
