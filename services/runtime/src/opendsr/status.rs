//! A request's OpenDSR status, as the status endpoint answers it and callbacks carry it:
//! `controller_id`, `subject_request_id`, `request_status`, `expected_completion_time`,
//! `api_version`, and once completed `results_count`, `results_url` (this processor's
//! completion certificate) and `extensions.<domain>` naming the certificate by digest.

use erasure_core::state::{RequestState, RequestStatus};
use serde_json::{Value, json};

/// What the status is about and how this processor names itself.
#[derive(Debug)]
pub struct About<'a> {
    pub controller: &'a str,
    pub subject_request_id: &'a str,
    /// The requests URL (`<public_url>/opengdpr_requests`).
    pub requests_url: &'a str,
    pub domain: &'a str,
}

/// The OpenDSR name of where `state` stands.
pub fn request_status(state: &RequestState) -> &'static str {
    match state.status {
        RequestStatus::Completed if state.certificate.is_some() => "completed",
        RequestStatus::Completed => "in_progress",
        RequestStatus::Failed | RequestStatus::Rejected => "cancelled",
        RequestStatus::InProgress if state.tasks.values().any(|t| t.last_ack.is_some()) => {
            "in_progress"
        }
        RequestStatus::InProgress => "pending",
    }
}

/// The status body.
pub fn body(state: &RequestState, about: &About<'_>) -> Value {
    let status = request_status(state);
    let mut body = json!({
        "controller_id": about.controller,
        "subject_request_id": about.subject_request_id,
        "request_status": status,
        "expected_completion_time": format!("{}T23:59:59Z", state.deadline()),
        "api_version": "1.0",
    });
    if status == "completed"
        && let Some(certificate) = &state.certificate
    {
        let items: u64 = (state.tasks.values())
            .filter_map(|t| t.last_ack.as_ref())
            .map(|a| a.items_affected)
            .sum();
        body["results_count"] = json!(items);
        body["results_url"] = json!(format!(
            "{}/{}/certificate",
            about.requests_url, about.subject_request_id
        ));
        let digest = hex::encode(erasure_proof::sha256(&certificate.signed_certificate));
        body["extensions"] = json!({
            about.domain: {
                "request_id": state.received.request_id.as_str(),
                "certificate_sha256": digest,
            }
        });
    }
    body
}
