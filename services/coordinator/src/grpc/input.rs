//! Validating requests: every field checked, errors name the field, never echo a value.

use crate::submit::SubmitInput;
use chrono::{DateTime, NaiveDate, Utc};
use erasure_core::events::{Attachment, Attestation, Outcome};
use erasure_core::{Identifiers, SystemId};
use erasure_proto::convert::raw_identifiers;
use erasure_proto::v1 as pb;
use tonic::Status;

pub fn submit_input(req: pb::SubmitRequest) -> Result<SubmitInput, Status> {
    let jurisdiction = match req.jurisdiction.trim().to_ascii_uppercase() {
        j if j.is_empty() => "FI".to_owned(),
        j => j,
    };
    // A phone number in national format is read in the request's jurisdiction.
    let raw = req.identifiers.unwrap_or_default();
    let identifiers = Identifiers::from_raw(raw_identifiers(&raw), Some(&jurisdiction))
        .map_err(|e| Status::invalid_argument(e.to_string()))?;
    let scope = req
        .scope
        .iter()
        .map(|s| {
            let s = s.trim();
            if SystemId::is_valid(s) {
                Ok(SystemId::new(s))
            } else {
                Err(Status::invalid_argument(
                    "a system id in scope is malformed (lower-case letters, digits, '-', '_')",
                ))
            }
        })
        .collect::<Result<_, _>>()?;
    let key = req.idempotency_key.trim();
    if key.len() > 200 {
        return Err(Status::invalid_argument(
            "the idempotency key is longer than 200 characters",
        ));
    }
    Ok(SubmitInput {
        idempotency_key: (!key.is_empty()).then(|| key.to_owned()),
        identifiers,
        jurisdiction,
        channel: non_empty(req.channel, "api"),
        verified_by: non_empty(req.verified_by, "unspecified"),
        scope,
        controller: match req.controller.trim() {
            "" => None,
            c if SystemId::is_valid(c) && c.len() <= 64 => Some(c.to_owned()),
            _ => {
                return Err(Status::invalid_argument(
                    "the controller id is malformed (1 to 64 lower-case letters, digits, '-', '_')",
                ));
            }
        },
        disclose_recipients: req.disclose_recipients,
    })
}

fn non_empty(s: String, default: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        default.to_owned()
    } else {
        t.to_owned()
    }
}

/// A system id: `None` when empty, an error when malformed.
pub fn system_id(s: &str) -> Result<Option<SystemId>, Status> {
    match s.trim() {
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
    let id = id.trim();
    if id.is_empty() || id.len() > 100 {
        return Err(Status::invalid_argument("a request id is required"));
    }
    Ok(id)
}

pub fn checked_reason(reason: &str) -> Result<(), Status> {
    if reason.len() > 2000 {
        return Err(Status::invalid_argument(
            "the reason is longer than 2000 characters",
        ));
    }
    Ok(())
}

pub fn date_field(name: &str, value: &str) -> Result<chrono::NaiveDate, Status> {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        Status::invalid_argument(format!("{name}: expected a date YYYY-MM-DD, got {value:?}"))
    })
}

/// An operator's name: required, at most 200 characters.
pub fn operator(name: &str) -> Result<String, Status> {
    match name.trim() {
        "" => Err(Status::invalid_argument(
            "operator: say who did it (--by NAME, or ERASURE_OPERATOR)",
        )),
        n if n.chars().count() > 200 => {
            Err(Status::invalid_argument("operator: at most 200 characters"))
        }
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
    if req.evidence.chars().count() > erasure_core::decide::MAX_EVIDENCE_CHARS {
        return Err(Status::invalid_argument(
            "evidence: at most 2000 characters",
        ));
    }
    let attachment = req
        .attachment
        .as_ref()
        .map(|a| {
            let name = a.name.trim();
            if name.is_empty() || name.chars().count() > 255 || name.contains(['/', '\\']) {
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
    let value = value.trim();
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
    ids.iter()
        .map(|s| system_id(s)?.ok_or_else(|| Status::invalid_argument("an empty system id")))
        .collect()
}
