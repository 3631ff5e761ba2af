//! The evidence document and its summary. The document holds what the processor answered
//! (status, the headers worth keeping, the body as it came: the runner keeps the document
//! and the acknowledgment signs its digest), what each call was (its template, never a
//! value) and the processor's references. The summary is counts and the protocol only.

use crate::http::Answer;
use crate::protocol::Protocol;
use crate::task::{CallResult, CallState, Finished, TaskState};
use erasure_connector_sdk::Job;
use serde_json::{Map, Value, json};

/// An answer as the evidence shows it.
pub fn answer(answer: &Answer) -> Value {
    json!({
        "status": answer.status,
        "received_at": answer.received_at.to_rfc3339(),
        "headers": answer.headers,
        "body": answer.body,
    })
}

/// The final answer when nothing could be sent.
pub fn skipped(protocol: &dyn Protocol, job: &Job, reason: &str) -> Finished {
    let mut document = head(protocol, job);
    document.insert("sent".into(), json!(false));
    document.insert("reason".into(), json!(reason));
    Finished {
        erased: false,
        items: 0,
        summary: format!("nothing sent to the processor: {reason}"),
        evidence: to_text(document),
        reference: String::new(),
        proof: None,
    }
}

/// The final answer once every call is finished.
pub fn finished(
    protocol: &dyn Protocol,
    job: &Job,
    state: &TaskState,
    abouts: &[&str],
) -> Finished {
    let counts = Counts::of(&state.calls);
    Finished {
        erased: counts.erased > 0,
        items: counts.items,
        summary: counts.summary(protocol),
        evidence: document(protocol, job, state, abouts),
        reference: state.references(),
        proof: None,
    }
}

/// The summary and document of an "accepted" answer.
pub fn pending(
    protocol: &dyn Protocol,
    job: &Job,
    state: &TaskState,
    abouts: &[&str],
    last_failure: Option<String>,
) -> (String, String) {
    let mut summary = Counts::of(&state.calls).summary(protocol);
    if let Some(failure) = last_failure {
        summary.push_str(&format!(" (last status check: {failure})"));
    }
    (summary, document(protocol, job, state, abouts))
}

fn head(protocol: &dyn Protocol, job: &Job) -> Map<String, Value> {
    let mut document = Map::new();
    document.insert("connector".into(), json!("processor"));
    document.insert("protocol".into(), json!(protocol.name()));
    document.insert("request_id".into(), json!(job.request_id));
    document.insert("task_id".into(), json!(job.task_id));
    document.extend(protocol.evidence_notes());
    document
}

fn document(protocol: &dyn Protocol, job: &Job, state: &TaskState, abouts: &[&str]) -> String {
    let mut document = head(protocol, job);
    let calls: Vec<Value> = state
        .calls
        .iter()
        .enumerate()
        .map(|(i, call)| one_call(protocol, abouts.get(i).copied().unwrap_or_default(), call))
        .collect();
    document.insert("calls".into(), Value::Array(calls));
    to_text(document)
}

fn one_call(protocol: &dyn Protocol, about: &str, call: &CallState) -> Value {
    let (result, items) = match call.result {
        Some(CallResult::Erased { count }) => ("erased", count),
        Some(CallResult::NothingFound) => ("nothing found", 0),
        None => ("pending", 0),
    };
    let mut entry = Map::new();
    entry.insert("call".into(), json!(about));
    entry.insert("result".into(), json!(result));
    entry.insert("items".into(), json!(items));
    if let Some(reference) = &call.reference {
        entry.insert("reference".into(), json!(reference));
    }
    if let Some(submitted) = &call.submitted {
        entry.insert("submitted".into(), protocol.evidence_of(submitted));
    }
    if let Some(status) = &call.status {
        let mut shown = protocol.evidence_of(&status.answer);
        if let Value::Object(map) = &mut shown {
            map.insert("source".into(), json!(status.source));
        }
        entry.insert("status".into(), shown);
    }
    Value::Object(entry)
}

fn to_text(document: Map<String, Value>) -> String {
    serde_json::to_string_pretty(&Value::Object(document)).unwrap_or_default()
}

/// How the calls ended.
#[derive(Debug, Default)]
struct Counts {
    calls: usize,
    erased: usize,
    nothing: usize,
    pending: usize,
    items: u64,
}

impl Counts {
    fn of(calls: &[CallState]) -> Self {
        let mut counts = Self {
            calls: calls.len(),
            ..Self::default()
        };
        for call in calls {
            match call.result {
                Some(CallResult::Erased { count }) => {
                    counts.erased += 1;
                    counts.items += count;
                }
                Some(CallResult::NothingFound) => counts.nothing += 1,
                None => counts.pending += 1,
            }
        }
        counts
    }

    fn summary(&self, protocol: &dyn Protocol) -> String {
        let mut text = format!(
            "{}: {} call{} to the processor, {} erased, {} nothing found",
            protocol.name(),
            self.calls,
            if self.calls == 1 { "" } else { "s" },
            self.erased,
            self.nothing
        );
        if self.pending > 0 {
            text.push_str(&format!(", {} pending at the processor", self.pending));
        }
        text
    }
}
