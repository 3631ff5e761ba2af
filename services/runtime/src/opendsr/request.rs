//! Reading a controller's OpenDSR erasure request (`POST …/opengdpr_requests`): every field
//! checked, errors name the field and never echo an identity's value.

use chrono::DateTime;
use erasure_proto::v1 as pb;
use serde_json::Value;

/// The identity types taken, each in the `raw` format, and the identifier kind each
/// becomes (the discovery document lists them).
pub const IDENTITIES: [(&str, &str); 2] = [
    ("email", "email"),
    ("controller_customer_id", "customer_id"),
];

/// At most this many callback URLs, each at most this long.
const MAX_CALLBACKS: usize = 5;
const MAX_URL: usize = 2000;
/// At most this many identities in one request.
const MAX_IDENTITIES: usize = 32;

/// A request, read.
#[derive(Debug)]
pub struct Posted {
    pub subject_request_id: String,
    pub identifiers: pb::Identifiers,
    pub callback_urls: Vec<String>,
}

/// The request in `body`, or why it is refused (one line, for a 400).
pub fn parse(body: &[u8]) -> Result<Posted, String> {
    let body: Value = serde_json::from_slice(body).map_err(|_| "the body is not a JSON object")?;
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    let id = text("subject_request_id").ok_or("subject_request_id: required")?;
    if !is_uuid_v4(id) {
        return Err("subject_request_id: must be a lower-case UUID v4".into());
    }
    match text("subject_request_type") {
        Some("erasure") => {}
        Some(_) => return Err("subject_request_type: only \"erasure\" is taken".into()),
        None => return Err("subject_request_type: required".into()),
    }
    match text("regulation") {
        Some("gdpr") => {}
        _ => return Err("regulation: required, and only \"gdpr\" is taken".into()),
    }
    let submitted = text("submitted_time").ok_or("submitted_time: required")?;
    DateTime::parse_from_rfc3339(submitted).map_err(|_| "submitted_time: not an RFC 3339 time")?;
    Ok(Posted {
        subject_request_id: id.to_owned(),
        identifiers: identities(body.get("subject_identities"))?,
        callback_urls: callbacks(body.get("status_callback_urls"))?,
    })
}

fn identities(value: Option<&Value>) -> Result<pb::Identifiers, String> {
    let list = value
        .and_then(Value::as_array)
        .ok_or("subject_identities: required (an array)")?;
    if list.len() > MAX_IDENTITIES {
        return Err(format!("subject_identities: at most {MAX_IDENTITIES}"));
    }
    let mut ids = pb::Identifiers::default();
    for (i, identity) in list.iter().enumerate() {
        let field = |k: &str| identity.get(k).and_then(Value::as_str);
        let kind = field("identity_type").unwrap_or_default();
        let Some((_, target)) = IDENTITIES.iter().find(|(t, _)| *t == kind) else {
            return Err(format!(
                "subject_identities[{i}]: identity_type {kind:?} is not taken (see the discovery document)"
            ));
        };
        if field("identity_format") != Some("raw") {
            return Err(format!(
                "subject_identities[{i}]: only the raw format is taken"
            ));
        }
        let value = field("identity_value")
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("subject_identities[{i}]: identity_value required"))?;
        match *target {
            "email" => ids.email.push(value.to_owned()),
            _ => ids.customer_id.push(value.to_owned()),
        }
    }
    if ids.email.is_empty() && ids.customer_id.is_empty() {
        return Err("subject_identities: at least one identity".into());
    }
    Ok(ids)
}

fn callbacks(value: Option<&Value>) -> Result<Vec<String>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let list = value
        .as_array()
        .ok_or("status_callback_urls: an array of URLs")?;
    if list.len() > MAX_CALLBACKS {
        return Err(format!("status_callback_urls: at most {MAX_CALLBACKS}"));
    }
    list.iter()
        .map(|u| {
            let url = u.as_str().filter(|u| u.len() <= MAX_URL);
            let parsed = url.and_then(|u| reqwest::Url::parse(u).ok());
            match (url, parsed) {
                (Some(url), Some(p)) if matches!(p.scheme(), "https" | "http") => {
                    Ok(url.to_owned())
                }
                _ => Err("status_callback_urls: each an http(s) URL".to_owned()),
            }
        })
        .collect()
}

fn is_uuid_v4(id: &str) -> bool {
    id.len() == 36
        && id == id.to_ascii_lowercase()
        && uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(identities: Value) -> Vec<u8> {
        json!({
            "subject_request_id": "a7551968-d5d6-44b2-9831-815ac9017798",
            "subject_request_type": "erasure",
            "regulation": "gdpr",
            "submitted_time": "2026-10-02T15:00:00Z",
            "subject_identities": identities,
            "status_callback_urls": ["https://controller.test/callbacks/x/0"],
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn raw_emails_and_customer_numbers_become_identifiers() {
        let posted = parse(&request(json!([
            {"identity_type": "email", "identity_value": "a@example.com", "identity_format": "raw"},
            {"identity_type": "controller_customer_id", "identity_value": "C-1", "identity_format": "raw"},
        ])))
        .expect("taken");
        assert_eq!(posted.identifiers.email, ["a@example.com"]);
        assert_eq!(posted.identifiers.customer_id, ["C-1"]);
        assert_eq!(
            posted.callback_urls,
            ["https://controller.test/callbacks/x/0"]
        );
    }

    #[test]
    fn hashed_or_unknown_identities_are_refused_without_their_value() {
        let hashed = parse(&request(json!([
            {"identity_type": "email", "identity_value": "secret-hash", "identity_format": "sha256"},
        ])))
        .expect_err("refused");
        assert!(
            hashed.contains("raw") && !hashed.contains("secret-hash"),
            "{hashed}"
        );
        let unknown = parse(&request(json!([
            {"identity_type": "android_id", "identity_value": "secret", "identity_format": "raw"},
        ])))
        .expect_err("refused");
        assert!(
            unknown.contains("android_id") && !unknown.contains("secret\""),
            "{unknown}"
        );
    }

    #[test]
    fn the_request_id_must_be_a_lower_case_uuid_v4() {
        let mut body: Value = serde_json::from_slice(&request(json!([]))).expect("json");
        body["subject_request_id"] = json!("A7551968-D5D6-44B2-9831-815AC9017798");
        let refused = parse(body.to_string().as_bytes()).expect_err("upper case");
        assert!(refused.starts_with("subject_request_id"), "{refused}");
    }
}
