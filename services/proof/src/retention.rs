//! The "retention exceptions" check. Data kept under a legal hold instead of being erased is
//! declared twice: by the connector that kept it (a `retained` entry of its signed
//! acknowledgment) and by the coordinator (a `RetentionException`). The two must agree, so
//! that neither can claim a hold the other did not report.
//!
//! An exception agrees with a retained entry when system, rule, category, items and
//! last day of retention are equal. Citation, ground, source and title come from the
//! coordinator's rule book alone and are covered by its signature only.

use crate::ack;
use crate::verification::Verification;
use crate::view::outcome_name;
use erasure_proto::v1::{Acknowledgment, Outcome, Retention, RetentionException, SystemResult};

/// Which exceptions a document must back with its own acknowledgments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every one (a certificate: it carries an acknowledgment of every system).
    Every,
    /// Only those of the systems that answered in this document (a supplement: the holds
    /// still running elsewhere are backed by the certificate or an earlier supplement).
    AnsweredSystems,
}

/// Records "retention exceptions": each exception in scope is backed by its system's
/// acknowledgment, and each retained entry of an acknowledgment is listed as an exception.
pub(crate) fn verify_exceptions(
    v: &mut Verification,
    systems: &[SystemResult],
    exceptions: &[RetentionException],
    scope: Scope,
) {
    // Undecodable acknowledgments fail their own check; they back nothing here.
    let acks: Vec<Acknowledgment> = systems
        .iter()
        .filter_map(|s| s.acknowledgment.as_ref())
        .filter_map(|signed| ack::peek_ack(signed).ok())
        .collect();
    let mut problems: Vec<String> = exceptions
        .iter()
        .filter_map(|e| {
            let answered = acks.iter().find(|a| a.system_id == e.system_id);
            match (answered, scope) {
                (None, Scope::AnsweredSystems) => None,
                (None, Scope::Every) => Some(format!(
                    "exception {}/{}: no acknowledgment of {}",
                    e.system_id, e.rule_id, e.system_id
                )),
                (Some(a), _) => backed(e, a).err(),
            }
        })
        .collect();
    for a in &acks {
        problems.extend(
            a.retained
                .iter()
                .filter(|r| !exceptions.iter().any(|e| agree(e, &a.system_id, r)))
                .map(|r| unlisted(&a.system_id, r)),
        );
    }
    let result = if problems.is_empty() {
        Ok(summary(exceptions, &acks, scope))
    } else {
        Err(problems.join("; "))
    };
    v.record("retention exceptions", result);
}

fn backed(e: &RetentionException, a: &Acknowledgment) -> Result<(), String> {
    let name = format!("exception {}/{}", e.system_id, e.rule_id);
    if a.outcome != Outcome::Retained as i32 {
        return Err(format!(
            "{name}: the acknowledgment of {} says {}, not retained",
            e.system_id,
            outcome_name(a.outcome)
        ));
    }
    if a.retained.iter().any(|r| agree(e, &a.system_id, r)) {
        return Ok(());
    }
    let Some(r) = a.retained.iter().find(|r| r.rule_id == e.rule_id) else {
        return Err(format!(
            "{name}: the acknowledgment of {} retains nothing under rule {}",
            e.system_id, e.rule_id
        ));
    };
    Err(format!(
        "{name}: differs from the acknowledgment of {} in {}",
        e.system_id,
        differences(e, r).join(", ")
    ))
}

fn agree(e: &RetentionException, system_id: &str, r: &Retention) -> bool {
    e.system_id == system_id && e.rule_id == r.rule_id && differences(e, r).is_empty()
}

/// "field: exception's value, acknowledged value" for each field that differs.
fn differences(e: &RetentionException, r: &Retention) -> Vec<String> {
    let mut out = Vec::new();
    let mut compare = |field: &str, declared: String, acknowledged: String| {
        if declared != acknowledged {
            out.push(format!("{field} ({declared}, acknowledged {acknowledged})"));
        }
    };
    compare("category", e.category.clone(), r.category.clone());
    compare("items", e.items.to_string(), r.items.to_string());
    compare(
        "retained_until",
        e.retained_until.clone(),
        r.retained_until.clone(),
    );
    out
}

fn unlisted(system_id: &str, r: &Retention) -> String {
    format!(
        "{system_id} retained {} item(s) of {} under rule {} until {}, listed as no exception",
        r.items, r.category, r.rule_id, r.retained_until
    )
}

fn summary(exceptions: &[RetentionException], acks: &[Acknowledgment], scope: Scope) -> String {
    let retained: usize = acks.iter().map(|a| a.retained.len()).sum();
    match (scope, exceptions.len(), retained) {
        (Scope::Every, 0, _) => "no data retained".into(),
        (Scope::Every, n, _) => {
            format!("{n} exception(s), each backed by its system's acknowledgment")
        }
        (Scope::AnsweredSystems, _, 0) => "these acknowledgments retain nothing".into(),
        (Scope::AnsweredSystems, _, n) => {
            format!("{n} retained entries, each listed as a remaining hold")
        }
    }
}

/// Records "ended holds": each hold said to have ended belongs to a system that answered
/// in this document, so the erasure that followed is proven by its acknowledgment.
pub(crate) fn verify_ended(
    v: &mut Verification,
    systems: &[SystemResult],
    ended: &[RetentionException],
) {
    let unanswered: Vec<String> = ended
        .iter()
        .filter(|e| !systems.iter().any(|s| s.system_id == e.system_id))
        .map(|e| format!("{}/{}", e.system_id, e.rule_id))
        .collect();
    let result = if unanswered.is_empty() {
        Ok(format!(
            "{} ended hold(s), each followed by its system's answer",
            ended.len()
        ))
    } else {
        Err(format!(
            "no acknowledgment after the end of hold(s) {}",
            unanswered.join(", ")
        ))
    };
    v.record("ended holds", result);
}
