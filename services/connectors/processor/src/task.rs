//! What the connector remembers of one task, kept in its state file as JSON: the
//! processor's job references and answers, and the final answer once there is one. It
//! holds no identifier of the person (the work order brings them every time); the
//! processor's answers may mention the person only if the processor wrote them so, and
//! they are the evidence the runner keeps anyway.

use crate::http::{Answer, Failure};
use chrono::{DateTime, Utc};
use erasure_connector_sdk::Report;
use erasure_core::events::Outcome;
use serde::{Deserialize, Serialize};

/// One task at one processor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    /// The random part of the task's callback URLs (`<public_url>/<token>/<n>`).
    pub token: String,
    pub created_at: DateTime<Utc>,
    /// OpenDSR: the `subject_request_id`, generated once, before the first submission.
    #[serde(default)]
    pub subject_request_id: Option<String>,
    /// One per call, in the order the templates make them.
    #[serde(default)]
    pub calls: Vec<CallState>,
    /// How often the task was answered "accepted": each doubles the follow-up interval.
    #[serde(default)]
    pub accepted: u32,
    /// The final answer: a new attempt repeats it instead of asking the processor again.
    #[serde(default)]
    pub finished: Option<Finished>,
}

impl TaskState {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            token: uuid::Uuid::new_v4().simple().to_string(),
            created_at: now,
            subject_request_id: None,
            calls: Vec::new(),
            accepted: 0,
            finished: None,
        }
    }

    /// The state of call `index`, created empty when new.
    pub fn call(&mut self, index: usize) -> &mut CallState {
        if self.calls.len() <= index {
            self.calls.resize_with(index + 1, CallState::default);
        }
        &mut self.calls[index]
    }

    /// The processor's references of the calls, for the acknowledgment.
    pub fn references(&self) -> String {
        let refs: Vec<&str> = self
            .calls
            .iter()
            .filter_map(|c| c.reference.as_deref())
            .collect();
        refs.join(", ")
    }
}

/// One call to the processor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallState {
    /// The submission was sent (perhaps without an answer: a crash, a timeout).
    #[serde(default)]
    pub sent: bool,
    /// The processor's answer to the submission, once it took it.
    #[serde(default)]
    pub submitted: Option<Answer>,
    /// The processor's job or request id.
    #[serde(default)]
    pub reference: Option<String>,
    /// The latest status of the job (polled or called back), checked.
    #[serde(default)]
    pub status: Option<Status>,
    /// What the processor did, once it said so.
    #[serde(default)]
    pub result: Option<CallResult>,
}

/// A status of an asynchronous job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub answer: Answer,
    /// `poll` or `callback`.
    pub source: String,
}

impl Status {
    /// A status read by polling: a 2xx answer, or the failure of the `status` step.
    pub fn polled(answer: Answer) -> Result<Self, Failure> {
        if answer.is_success() {
            Ok(Self {
                answer,
                source: "poll".into(),
            })
        } else {
            Err(answer.failure("status"))
        }
    }
}

/// What the processor did for one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallResult {
    Erased { count: u64 },
    NothingFound,
}

/// A task's final answer, kept to be repeated exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finished {
    pub erased: bool,
    pub items: u64,
    pub summary: String,
    /// The evidence document, byte for byte.
    pub evidence: String,
    pub reference: String,
    /// A federated processor's nested proof (OpenDSR), repeated with the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<NestedProof>,
}

/// A processor's proof as kept in the state file (binary parts in base64).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NestedProof {
    pub status_body: String,
    pub status_signature: String,
    pub signing_certificate: String,
    pub certificate_file: String,
}

impl NestedProof {
    pub fn to_report(&self) -> Option<erasure_connector_sdk::ProcessorProof> {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).ok();
        Some(erasure_connector_sdk::ProcessorProof {
            status_body: self.status_body.clone().into_bytes(),
            status_signature: b64(&self.status_signature)?,
            signing_certificate: b64(&self.signing_certificate)?,
            certificate_file: self.certificate_file.clone().into_bytes(),
        })
    }
}

impl Finished {
    pub fn report(&self) -> Report {
        let outcome = if self.erased {
            Outcome::Erased
        } else {
            Outcome::NothingFound
        };
        Report::success(
            outcome,
            self.items,
            self.summary.clone(),
            self.evidence.clone().into_bytes(),
        )
        .with_reference(self.reference.clone())
        .with_processor_proof(self.proof.as_ref().and_then(NestedProof::to_report))
    }
}
