//! Validating requests: every field checked, errors name the field, never echo a value.

use crate::submit::SubmitInput;
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
