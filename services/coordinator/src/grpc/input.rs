//! Validating requests: every field checked, errors name the field, never echo a value.

use super::limits::*;
use crate::submit::SubmitInput;
use chrono::{DateTime, NaiveDate, Utc};
use erasure_core::events::{Attachment, Attestation, Outcome};
use erasure_core::{IdentifierKind, Identifiers, SystemId};
use erasure_proto::convert::raw_identifiers;
use erasure_proto::v1 as pb;
use tonic::Status;

/// A submit, every field checked. `default_jurisdiction` is the deployment's (configured),
/// for a request that names none; with neither, the request is refused.
pub fn submit_input(
    req: pb::SubmitRequest,
    default_jurisdiction: Option<&str>,
) -> Result<SubmitInput, Status> {
    let jurisdiction = jurisdiction(&req.jurisdiction, default_jurisdiction)?;
    let raw = req.identifiers.unwrap_or_default();
    check_identifier_sizes(&raw)?;
    // A phone number in national format is read in the request's jurisdiction.
    let identifiers = Identifiers::from_raw(raw_identifiers(&raw), Some(&jurisdiction))
        .map_err(|e| Status::invalid_argument(e.to_string()))?;
    at_most("scope", &req.scope, MAX_SYSTEMS)?;
    let scope = req
        .scope
        .iter()
        .map(|s| system_id(s)?.ok_or_else(|| Status::invalid_argument("scope: an empty system id")))
        .collect::<Result<_, _>>()?;
    let key = bounded(
        "idempotency_key",
        req.idempotency_key.trim(),
        MAX_IDEMPOTENCY_KEY,
    )?;
    let controller = bounded("controller", req.controller.trim(), MAX_SYSTEM_ID)?;
    Ok(SubmitInput {
        idempotency_key: (!key.is_empty()).then(|| key.to_owned()),
        identifiers,
        jurisdiction,
        channel: non_empty(bounded("channel", &req.channel, MAX_CHANNEL)?, "api"),
        verified_by: non_empty(
            bounded("verified_by", &req.verified_by, MAX_VERIFIED_BY)?,
            "unspecified",
        ),
        scope,
        controller: match controller {
            "" => None,
            c if SystemId::is_valid(c) => Some(c.to_owned()),
            _ => {
                return Err(Status::invalid_argument(
                    "controller: the controller id is malformed (1 to 64 lower-case letters, digits, '-', '_')",
                ));
            }
        },
        disclose_recipients: req.disclose_recipients,
    })
}

/// The request's jurisdiction, or the deployment's default: an ISO 3166-1 alpha-2 code.
fn jurisdiction(given: &str, default: Option<&str>) -> Result<String, Status> {
    let given = bounded("jurisdiction", given, MAX_JURISDICTION)?.trim();
    let code = match (given, default) {
        ("", Some(d)) => d.to_owned(),
        ("", None) => {
            return Err(Status::invalid_argument(
                "jurisdiction: required (ISO 3166-1 alpha-2, e.g. FI): the deployment names no default ([retention] default_jurisdiction)",
            ));
        }
        (g, _) => g.to_ascii_uppercase(),
    };
    if !erasure_core::jurisdiction::is_alpha2(&code) {
        return Err(Status::invalid_argument(
            "jurisdiction: not an ISO 3166-1 alpha-2 country code (e.g. FI, DE, SE)",
        ));
    }
    Ok(code)
}

/// Each identifier value at most [`MAX_IDENTIFIER`] characters, each kind at most
/// [`MAX_IDENTIFIER_VALUES`] values, checked before anything is parsed.
fn check_identifier_sizes(raw: &pb::Identifiers) -> Result<(), Status> {
    for kind in IdentifierKind::ALL {
        let values: Vec<&str> = raw_identifiers(raw)
            .filter(|(k, _)| *k == kind)
            .map(|(_, v)| v)
            .collect();
        if values.len() > MAX_IDENTIFIER_VALUES {
            return Err(Status::invalid_argument(format!(
                "identifiers.{kind}: at most {MAX_IDENTIFIER_VALUES} values"
            )));
        }
        for value in values {
            bounded(&format!("identifiers.{kind}"), value, MAX_IDENTIFIER)?;
        }
    }
    Ok(())
}

/// The identifiers a list is searched by, normalised as a submit's (a national-format
/// phone number read in `jurisdiction`, else the deployment's default); `None` when none
/// is given.
pub fn search_identifiers(
    raw: Option<&pb::Identifiers>,
    given_jurisdiction: &str,
    default_jurisdiction: Option<&str>,
) -> Result<Option<Identifiers>, Status> {
    let Some(raw) = raw.filter(|r| raw_identifiers(r).next().is_some()) else {
        return Ok(None);
    };
    check_identifier_sizes(raw)?;
    let region = match (given_jurisdiction.trim(), default_jurisdiction) {
        ("", None) => None,
        (given, default) => Some(jurisdiction(given, default)?),
    };
    Identifiers::from_raw(raw_identifiers(raw), region.as_deref())
        .map(Some)
        .map_err(|e| Status::invalid_argument(e.to_string()))
}

fn non_empty(s: &str, default: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        default.to_owned()
    } else {
        t.to_owned()
    }
}

/// A system id: `None` when empty, an error when malformed.
pub fn system_id(s: &str) -> Result<Option<SystemId>, Status> {
    match bounded("system_id", s, MAX_SYSTEM_ID)?.trim() {
        "" => Ok(None),
        s if SystemId::is_valid(s) => Ok(Some(SystemId::new(s))),
        _ => Err(Status::invalid_argument(
            "the system id is malformed (lower-case letters, digits, '-', '_')",
        )),
    }
}

pub fn request_id(req: &pb::GetRequest) -> Result<&str, Status> {
    checked_id(&req.request_id)
}

pub fn checked_id(id: &str) -> Result<&str, Status> {
    named_id("request_id", id)
}

/// An id the coordinator gave out (`request_id`, `replay_id`): required, bounded.
pub fn named_id<'a>(field: &str, id: &'a str) -> Result<&'a str, Status> {
    match bounded(field, id, MAX_ID)?.trim() {
        "" => Err(Status::invalid_argument(format!("{field}: required"))),
        id => Ok(id),
    }
}

pub fn checked_reason(reason: &str) -> Result<(), Status> {
    bounded("reason", reason, MAX_REASON).map(|_| ())
}

/// A date YYYY-MM-DD; the error names the field, never the value.
pub fn date_field(name: &str, value: &str) -> Result<chrono::NaiveDate, Status> {
    chrono::NaiveDate::parse_from_str(bounded(name, value, MAX_TIME)?.trim(), "%Y-%m-%d")
        .map_err(|_| Status::invalid_argument(format!("{name}: expected a date YYYY-MM-DD")))
}

/// A page token from a previous page.
pub fn page_token(token: &str) -> Result<Option<&str>, Status> {
    let token = bounded("page_token", token, MAX_PAGE_TOKEN)?;
    Ok((!token.is_empty()).then_some(token))
}

/// An operator's name: required, at most 200 characters.
pub fn operator(name: &str) -> Result<String, Status> {
    match bounded("operator", name, MAX_OPERATOR)?.trim() {
        "" => Err(Status::invalid_argument(
            "operator: say who did it (--by NAME, or ERASURE_OPERATOR)",
        )),
        n => Ok(n.to_owned()),
    }
}

/// A manual task's closing, checked field by field (the core checks the rest). The
/// attestation's task id and time are the server's to fill in.
pub fn attestation(req: &pb::CompleteTaskRequest) -> Result<Attestation, Status> {
    let system_id = system_id(&req.system_id)?
        .ok_or_else(|| Status::invalid_argument("system_id: name the manual system"))?;
    let outcome = match pb::Outcome::try_from(req.outcome) {
        Ok(pb::Outcome::Unspecified | pb::Outcome::Erased) => Outcome::Erased,
        Ok(pb::Outcome::NothingFound) => Outcome::NothingFound,
        _ => {
            return Err(Status::invalid_argument(
                "outcome: an operator attests erased or nothing found",
            ));
        }
    };
    bounded("evidence", &req.evidence, MAX_EVIDENCE)?;
    let attachment = req
        .attachment
        .as_ref()
        .map(|a| {
            let name = bounded("attachment.name", &a.name, MAX_ATTACHMENT_NAME)?.trim();
            if name.is_empty() || name.contains(['/', '\\']) {
                return Err(Status::invalid_argument(
                    "attachment: a file name of 1 to 255 characters, without a directory",
                ));
            }
            if a.sha256.len() != 32 {
                return Err(Status::invalid_argument(
                    "attachment: sha256 must be 32 bytes",
                ));
            }
            Ok(Attachment {
                name: name.to_owned(),
                sha256: a.sha256.clone(),
                size: a.size,
            })
        })
        .transpose()?;
    Ok(Attestation {
        task_id: erasure_core::TaskId::new(String::new()),
        system_id,
        outcome,
        operator: operator(&req.operator)?,
        evidence: req.evidence.clone(),
        attachment,
        at: DateTime::<Utc>::default(),
    })
}

/// A time as RFC 3339, or a date (its midnight, UTC).
pub fn time_field(name: &str, value: &str) -> Result<DateTime<Utc>, Status> {
    let value = bounded(name, value, MAX_TIME)?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_err(|_| {
            Status::invalid_argument(format!(
                "{name}: expected a time (RFC 3339, e.g. 2026-11-30T02:00:00Z) or a date YYYY-MM-DD"
            ))
        })
}

/// System ids, each well-formed.
pub fn system_ids(ids: &[String]) -> Result<Vec<SystemId>, Status> {
    at_most("system_ids", ids, MAX_SYSTEMS)?;
    ids.iter()
        .map(|s| system_id(s)?.ok_or_else(|| Status::invalid_argument("an empty system id")))
        .collect()
}
