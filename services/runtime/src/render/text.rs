//! Plain text for a terminal: a request's state as the API reports it, and the dates the
//! law gives with their reasoning. Nothing here holds personal data: the API's views and
//! the rules carry none.

use chrono::NaiveDate;
use erasure_core::deadline;
use erasure_core::retention::{FinancialYearEnd, Rule, RuleBook};
use erasure_proof::certificate::outcome_name;
use erasure_proto::v1 as pb;
use std::fmt::Write;

/// A request status as the command line names it.
pub fn status_name(s: i32) -> &'static str {
    match pb::RequestStatus::try_from(s).unwrap_or_default() {
        pb::RequestStatus::Unspecified => "unknown",
        pb::RequestStatus::InProgress => "in-progress",
        pb::RequestStatus::Completed => "completed",
        pb::RequestStatus::Failed => "failed",
        pb::RequestStatus::Rejected => "rejected",
    }
}

/// How many of a request's systems have answered (done or failed).
pub fn answered(r: &pb::ErasureRequest) -> usize {
    r.tasks
        .iter()
        .filter(|t| t.state != pb::TaskState::Pending as i32)
        .count()
}

/// One system's task on a line: its state, evidence (for a manual task the operator's
/// attestation) and detail, then what is awaited or left: a follow-up, the recipient's
/// reference, copies in backups.
pub fn task_line(t: &pb::TaskView) -> String {
    let state = match pb::TaskState::try_from(t.state).unwrap_or_default() {
        pb::TaskState::Done => outcome_name(t.outcome).to_owned(),
        pb::TaskState::Failed => format!("failed ({})", outcome_name(t.outcome)),
        _ if t.manual => "manual (open)".to_owned(),
        _ if t.resolving => format!("resolving (attempt {})", t.attempt),
        _ if !t.follow_up_at.is_empty() => format!("accepted (attempt {})", t.attempt),
        _ if t.attempt == 0 => "waiting".to_owned(),
        _ => format!("pending (attempt {})", t.attempt),
    };
    let mut line = format!("  {:<12} {:<22}", t.system_id, state);
    if t.attested_by.is_empty() {
        line.push_str(&t.evidence_summary);
    } else {
        let _ = write!(
            line,
            "attested by {} at {}, not signed by a connector: {}",
            t.attested_by, t.attested_at, t.evidence_summary
        );
    }
    if !t.detail.is_empty() {
        let _ = write!(line, " [{}]", t.detail);
    }
    let notes: Vec<String> = [
        ("follow-up at", &t.follow_up_at),
        ("reference", &t.reference),
        ("in backups until", &t.in_backups_until),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(what, value)| format!("{what} {value}"))
    .collect();
    if !notes.is_empty() {
        let _ = write!(line, " ({})", notes.join("; "));
    }
    line
}

/// The head of a list of requests.
pub fn list_header() -> String {
    format!(
        "{:<38} {:<12} {:<25} {:<11} systems done",
        "REQUEST", "STATUS", "RECEIVED", "DEADLINE"
    )
}

/// A request in a list, on one line.
pub fn list_row(r: &pb::ErasureRequest) -> String {
    let status = if r.overdue {
        "overdue"
    } else {
        status_name(r.status)
    };
    format!(
        "{:<38} {:<12} {:<25} {:<11} {}/{}",
        r.request_id,
        status,
        r.received_at,
        r.deadline,
        answered(r),
        r.tasks.len()
    )
}

/// A request's progress at `time` (`HH:MM:SS`): its status, then each task on a line.
pub fn progress(r: &pb::ErasureRequest, time: &str) -> String {
    let mut out = format!(
        "{time}  {}  {}/{} systems answered\n",
        status_name(r.status),
        answered(r),
        r.tasks.len()
    );
    for t in &r.tasks {
        out.push_str(&task_line(t));
        out.push('\n');
    }
    out
}

/// A request's state, one fact per line.
pub fn request(r: &pb::ErasureRequest) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("request      {}", r.request_id));
    line(format!("status       {}", status_name(r.status)));
    line(format!("received     {}", r.received_at));
    if !r.submitted_by.is_empty() {
        line(format!("submitted by {}", r.submitted_by));
    }
    if r.extended_months > 0 {
        line(format!(
            "deadline     {} (extended by {} month(s) from {}: {})",
            r.deadline, r.extended_months, r.original_deadline, r.extension_reason
        ));
        line(format!("extended by  {}", r.extended_by));
    } else {
        line(format!("deadline     {}", r.deadline));
    }
    for retry in &r.retries {
        let why = if retry.reason.is_empty() {
            String::new()
        } else {
            format!(": {}", retry.reason)
        };
        line(format!(
            "retried      {} by {} at {}{why}",
            retry.system_id, retry.by, retry.at
        ));
    }
    if !r.rejected_by.is_empty() {
        line(format!(
            "rejected by  {}: {}",
            r.rejected_by, r.rejection_reason
        ));
    }
    if r.overdue {
        line("OVERDUE      the deadline passed with the request in progress".into());
    }
    if !r.completed_at.is_empty() {
        line(format!("completed    {}", r.completed_at));
    }
    line(format!(
        "jurisdiction {}   channel {}",
        r.jurisdiction, r.channel
    ));
    if !r.controller.is_empty() {
        line(format!("controller   {}", r.controller));
    }
    line("systems".into());
    r.tasks.iter().for_each(|t| line(task_line(t)));
    if r.rejected_acknowledgments > 0 {
        line(format!(
            "rejected acknowledgments: {} (forged, unknown key or replayed; not counted)",
            r.rejected_acknowledgments
        ));
    }
    if !r.holds.is_empty() {
        line("legal holds (kept and restricted, not erased)".into());
        r.holds.iter().for_each(|h| line(hold_line(h)));
    }
    if r.tasks.iter().any(|t| !t.in_backups_until.is_empty()) {
        line(
            "in backups   copies that cannot be edited age out on their own (not a legal hold)"
                .into(),
        );
    }
    if !r.recipients.is_empty() || r.disclose_recipients {
        line(if r.disclose_recipients {
            "recipients (GDPR Art. 19; the person asked to be told them)".into()
        } else {
            "recipients (GDPR Art. 19)".into()
        });
        r.recipients.iter().for_each(|n| line(recipient_line(n)));
    }
    if !r.replays.is_empty() {
        line(format!(
            "replays      {} (erasures applied again after a restore)",
            r.replays.join(", ")
        ));
    }
    if !r.identifiers_needed_until.is_empty() {
        line(format!(
            "identifiers needed until {} (last hold or backup; sealed, then they may be shredded)",
            r.identifiers_needed_until
        ));
    }
    if !r.identifiers_shredded_at.is_empty() {
        line(format!(
            "identifiers  shredded {} (data key destroyed; the certificate still verifies)",
            r.identifiers_shredded_at
        ));
    }
    let certificate = if r.certificate_available {
        "available (erasure certificate ID)"
    } else {
        "not yet"
    };
    line(format!("certificate  {certificate}"));
    if r.supplements > 0 {
        line(format!(
            "supplements  {} (erasure certificate ID --supplement N)",
            r.supplements
        ));
    }
    out
}

fn recipient_line(n: &pb::RecipientView) -> String {
    let told = if n.told_at.is_empty() {
        "not told yet".to_owned()
    } else {
        format!("told {}, {}", n.told_at, outcome_name(n.outcome))
    };
    let mut line = format!(
        "  {:<12} {} ({}, via {}): {told}",
        n.system_id, n.name, n.role, n.via
    );
    if !n.reference.is_empty() {
        let _ = write!(line, " (reference {})", n.reference);
    }
    line
}

fn hold_line(h: &pb::HoldView) -> String {
    format!(
        "  {:<12} {:<6} {} items of {} under {} until {} ({})",
        h.system_id, h.state, h.items, h.category, h.rule_id, h.retained_until, h.citation
    )
}

/// Every rule of a book, one per line.
pub fn rules(book: &RuleBook) -> String {
    book.rules()
        .iter()
        .map(|r| {
            format!(
                "{:<30} {:<3} {:<22} {:>9}  from {:<44} {}\n",
                r.id,
                r.jurisdiction,
                r.category,
                r.period.to_string(),
                r.runs_from.name(),
                r.citation()
            )
        })
        .collect()
}

/// Until when `rule` holds an item dated `reference`, with the rule, the law and each step.
pub fn hold(rule: &Rule, reference: NaiveDate, fy: FinancialYearEnd) -> String {
    let x = rule.retain_until(reference, fy);
    let mut out = String::new();
    let _ = writeln!(out, "rule         {} ({})", rule.id, rule.title);
    let _ = writeln!(out, "law          {}", rule.citation());
    if !rule.source.is_empty() {
        let _ = writeln!(out, "source       {}", rule.source);
    }
    let _ = writeln!(out, "applies to   {}", applies_to(rule));
    let meaning = rule.runs_from.reference_meaning();
    let _ = writeln!(out, "date         {reference} ({meaning})");
    steps(&mut out, &x.steps);
    let _ = writeln!(out, "retained until {}", x.until);
    let _ = writeln!(out, "erasable from  {}", x.erasable_from());
    if !rule.note.is_empty() {
        let _ = writeln!(out, "note: {}", rule.note);
    }
    out
}

fn applies_to(rule: &Rule) -> String {
    let jurisdiction = if rule.jurisdiction == "*" {
        "every jurisdiction"
    } else {
        &rule.jurisdiction
    };
    let condition = rule
        .condition
        .as_ref()
        .map(|c| format!(", items flagged {c}"))
        .unwrap_or_default();
    format!("category {} in {jurisdiction}{condition}", rule.category)
}

/// A request's Art. 12(3) deadline, with each step.
pub fn deadline(received: NaiveDate, extended_months: u32) -> String {
    let (due, reasoning) = deadline::explain(received, extended_months);
    let mut out = String::new();
    steps(&mut out, &reasoning);
    let _ = writeln!(out, "deadline     {due}");
    out
}

fn steps(out: &mut String, steps: &[String]) {
    out.push_str("reasoning\n");
    for step in steps {
        let _ = writeln!(out, "  - {step}");
    }
}

#[cfg(test)]
mod tests;
