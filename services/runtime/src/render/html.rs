//! HTML renderings for people: a certificate (with its supplements) and a period report.
//!
//! A page is a reading aid for someone who opens it in a browser, offline — a regulator, the
//! person, an auditor. The JSON file it is made from is the proof; the page embeds that file
//! (escaped, in a `<details>`), so the page alone carries the verifiable data.
//!
//! Each page is one self-contained HTML5 file: inline CSS, no script, nothing fetched (a
//! content security policy forbids it, should a value ever slip through). The templates are
//! in `services/runtime/templates/` (`page.html` is the layout both extend); askama checks them at
//! compile time and escapes every value they print. The helpers below turn machine forms
//! (RFC 3339 times, outcome names, rates) into plain language.

use anyhow::Context;
use askama::Template;
use chrono::{DateTime, Utc};
use erasure_coordinator::report::ReportFile;
use erasure_core::report::Report;
use erasure_proof::certificate::{CertificateFile, CertificateView};
use erasure_proof::supplement::SupplementFile;
use serde::Serialize;

/// The certificate page, with its supplements in order of issue.
#[derive(Template)]
#[template(path = "certificate.html", whitespace = "minimize")]
struct CertificatePage<'a> {
    c: &'a CertificateView,
    file: &'a CertificateFile,
    supplements: Vec<SupplementPart<'a>>,
    json: String,
}

/// One supplement and its file, as JSON.
struct SupplementPart<'a> {
    file: &'a SupplementFile,
    json: String,
}

#[derive(Template)]
#[template(path = "report.html", whitespace = "minimize")]
struct ReportPage<'a> {
    r: &'a Report,
    file: &'a ReportFile,
    json: String,
}

/// The certificate page. `supplements` are shown in order of their sequence numbers; one
/// for another request is shown with a warning rather than left out.
pub fn certificate(
    file: &CertificateFile,
    supplements: &[SupplementFile],
) -> Result<String, askama::Error> {
    let mut parts = supplements
        .iter()
        .map(|file| {
            Ok(SupplementPart {
                file,
                json: pretty(file)?,
            })
        })
        .collect::<Result<Vec<_>, askama::Error>>()?;
    parts.sort_by_key(|p| p.file.supplement.sequence);
    let page = CertificatePage {
        c: &file.certificate,
        file,
        supplements: parts,
        json: pretty(file)?,
    };
    page.render()
}

/// The period report page.
pub fn report(file: &ReportFile) -> Result<String, askama::Error> {
    let page = ReportPage {
        r: &file.report,
        file,
        json: pretty(file)?,
    };
    page.render()
}

/// The certificate page from the files the server sent (certificate and supplements, JSON).
pub fn certificate_from_json(certificate: &str, supplements: &[String]) -> anyhow::Result<String> {
    let malformed = "the server sent a malformed certificate";
    let file = serde_json::from_str(certificate).context(malformed)?;
    let supplements = supplements
        .iter()
        .map(|s| serde_json::from_str(s))
        .collect::<Result<Vec<_>, _>>()
        .context(malformed)?;
    Ok(self::certificate(&file, &supplements)?)
}

/// The report page from the file the server sent (JSON).
pub fn report_from_json(json: &str) -> anyhow::Result<String> {
    let file: ReportFile =
        serde_json::from_str(json).context("the server sent a malformed report")?;
    Ok(report(&file)?)
}

fn pretty(value: &impl Serialize) -> Result<String, askama::Error> {
    serde_json::to_string_pretty(value).map_err(askama::Error::custom)
}

/// An RFC 3339 time as a reader expects it: `2026-09-21 12:53:20 UTC`. Anything else is
/// shown as it is.
fn when(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| rfc3339.to_owned(),
        |t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string()
        },
    )
}

/// An outcome name (`nothing-found`) in plain words.
fn outcome(name: &str) -> &str {
    match name {
        "erased" => "Erased",
        "anonymised" => "Anonymised",
        "nothing-found" => "Nothing found",
        "retained" => "Retained under a legal hold",
        "failed-retryable" => "Failed (temporary)",
        "failed-permanent" => "Failed",
        "in-backups" => "In backups (cannot be edited; ages out)",
        "accepted" => "Accepted, answer pending",
        other => other,
    }
}

/// A recipient's role (GDPR Art. 19) in plain words.
fn role(name: &str) -> &str {
    match name {
        "processor" => "Processor (processes the data for the organisation)",
        "controller" => "Controller (the data was disclosed to it)",
        other => other,
    }
}

/// How a recipient was told, in plain words.
fn via(name: &str) -> &str {
    match name {
        "api" => "Through its API",
        "opendsr" => "Through its OpenDSR API",
        "manual" => "By an operator (letter, e-mail, phone)",
        "connector" => "Through a connector",
        other => other,
    }
}

/// Where a rule's source may be linked: web addresses only (never `javascript:` and the
/// like, which escaping alone would let through).
fn link(source: &str) -> Option<&str> {
    let lower = source.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(source)
}

/// `months` with its noun: "1 month", "2 months".
fn months(n: &u32) -> String {
    if *n == 1 {
        "1 month".into()
    } else {
        format!("{n} months")
    }
}

/// The on-time rate as a percentage, or why there is none.
fn percent(rate: &Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.1} %", r * 100.0),
        None => "none completed yet".into(),
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod third_parties;
