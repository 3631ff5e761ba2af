//! The gRPC edge: request validation, mapping of state to API messages, and errors to
//! `tonic::Status`. Status messages never carry identifiers.

use crate::error::CoordinatorError;
use crate::projection::{Filter, Projection};
use crate::report::{REPORT_FORMAT, ReportFile};
use crate::service::{Coordinator, SubmitInput};
use crate::transparency::{Head, TransparencyLog};
use chrono::SecondsFormat;
use erasure_core::retention::RuleBook;
use erasure_core::state::{Hold, TaskState};
use erasure_core::{Identifiers, RequestState, RequestStatus, SystemId, TaskStatus};
use erasure_proof::transparency;
use erasure_proto::v1 as pb;
use erasure_proto::v1::erasure_service_server::ErasureService;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

const MAX_PAGE: u32 = 500;
const DEFAULT_PAGE: u32 = 50;

pub struct Api {
    coordinator: Arc<Coordinator>,
    projection: Arc<Projection>,
    log: Arc<TransparencyLog>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Api")
    }
}

impl Api {
    pub fn new(
        coordinator: Arc<Coordinator>,
        projection: Arc<Projection>,
        log: Arc<TransparencyLog>,
    ) -> Self {
        Self {
            coordinator,
            projection,
            log,
        }
    }

    fn tree_head_response(&self, head: &Head) -> Result<pb::TreeHeadResponse, Status> {
        let file = transparency::tree_head_file(&head.signed, self.coordinator.public_keys())
            .map_err(|e| status(CoordinatorError::Internal(e.to_string())))?;
        Ok(pb::TreeHeadResponse {
            tree_size: head.tree_size,
            root_hash: head.root.to_vec(),
            timestamp_ms: head.timestamp_ms,
            tree_head_json: to_json(&file)?,
        })
    }

    fn view(&self, s: &RequestState) -> pb::ErasureRequest {
        request_view(s, &self.coordinator.policy().rules)
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<String, Status> {
    serde_json::to_string_pretty(value)
        .map_err(|e| status(CoordinatorError::Internal(e.to_string())))
}

fn date_field(name: &str, value: &str) -> Result<chrono::NaiveDate, Status> {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        Status::invalid_argument(format!("{name}: expected a date YYYY-MM-DD, got {value:?}"))
    })
}

fn status(e: CoordinatorError) -> Status {
    match e {
        CoordinatorError::Invalid(m) => Status::invalid_argument(m),
        CoordinatorError::NotFound(id) => Status::not_found(format!("request {id} not found")),
        CoordinatorError::FailedPrecondition(m) => Status::failed_precondition(m),
        CoordinatorError::Unavailable(m) => Status::unavailable(m),
        e @ CoordinatorError::IdempotencyMismatch(_) => Status::already_exists(e.to_string()),
        CoordinatorError::Store(e) => {
            tracing::error!(error = %e, "store failure");
            Status::unavailable("the event store is unavailable; nothing was recorded, try again")
        }
        CoordinatorError::Internal(m) => {
            tracing::error!(error = %m, "internal failure");
            Status::internal("internal error; see the server log")
        }
    }
}

fn submit_input(req: pb::SubmitRequest) -> Result<SubmitInput, Status> {
    let ids = req.identifiers.unwrap_or_default();
    let identifiers =
        Identifiers::parse(Some(&ids.email), Some(&ids.phone), Some(&ids.customer_id))
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
    let jurisdiction = req.jurisdiction.trim().to_ascii_uppercase();
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
        jurisdiction: if jurisdiction.is_empty() {
            "FI".into()
        } else {
            jurisdiction
        },
        channel: non_empty(req.channel, "api"),
        verified_by: non_empty(req.verified_by, "unspecified"),
        scope,
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

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn status_to_pb(s: RequestStatus) -> pb::RequestStatus {
    match s {
        RequestStatus::InProgress => pb::RequestStatus::InProgress,
        RequestStatus::Completed => pb::RequestStatus::Completed,
        RequestStatus::Failed => pb::RequestStatus::Failed,
    }
}

fn task_view(t: &TaskState) -> pb::TaskView {
    let ack = t.last_ack.as_ref();
    pb::TaskView {
        system_id: t.system_id.to_string(),
        state: match t.status {
            TaskStatus::Pending => pb::TaskState::Pending,
            TaskStatus::Done => pb::TaskState::Done,
            TaskStatus::Failed => pb::TaskState::Failed,
        } as i32,
        attempt: t.attempt,
        outcome: ack.map(|a| a.outcome.to_pb() as i32).unwrap_or_default(),
        items_affected: ack.map(|a| a.items_affected).unwrap_or_default(),
        evidence_summary: ack.map(|a| a.evidence_summary.clone()).unwrap_or_default(),
        detail: ack.map(|a| a.detail.clone()).unwrap_or_default(),
    }
}

/// The API view of a request.
pub fn request_view(s: &RequestState, rules: &RuleBook) -> pb::ErasureRequest {
    let r = &s.received;
    pb::ErasureRequest {
        request_id: r.request_id.to_string(),
        status: status_to_pb(s.status) as i32,
        received_at: rfc3339(r.received_at),
        deadline: s.deadline().to_string(),
        completed_at: s.completed_at.map(rfc3339).unwrap_or_default(),
        jurisdiction: r.jurisdiction.clone(),
        channel: r.channel.clone(),
        tasks: s.tasks.values().map(task_view).collect(),
        certificate_available: s.certificate.is_some(),
        rejected_acknowledgments: s.rejected_acks,
        original_deadline: if s.extension.is_some() {
            r.deadline.to_string()
        } else {
            String::new()
        },
        extended_months: s.extension.as_ref().map(|e| e.months).unwrap_or_default(),
        extension_reason: s
            .extension
            .as_ref()
            .map(|e| e.reason.clone())
            .unwrap_or_default(),
        overdue: s.overdue,
        holds: s
            .holds()
            .map(|h| hold_view(h, "held", rules))
            .chain(s.past_holds.iter().map(|h| hold_view(h, "ended", rules)))
            .collect(),
        supplements: s.supplements.len() as u32,
    }
}

fn hold_view(h: &Hold, state: &str, rules: &RuleBook) -> pb::HoldView {
    pb::HoldView {
        system_id: h.system_id.to_string(),
        rule_id: h.rule_id.clone(),
        category: h.category.clone(),
        items: h.items,
        retained_until: h.retained_until.to_string(),
        state: state.to_owned(),
        citation: rules
            .get(&h.rule_id)
            .map(|r| r.citation())
            .unwrap_or_default(),
    }
}

fn request_id(req: &pb::GetRequest) -> Result<&str, Status> {
    checked_id(&req.request_id)
}

fn checked_reason(reason: &str) -> Result<(), Status> {
    if reason.len() > 2000 {
        return Err(Status::invalid_argument(
            "the reason is longer than 2000 characters",
        ));
    }
    Ok(())
}

fn checked_id(id: &str) -> Result<&str, Status> {
    let id = id.trim();
    if id.is_empty() || id.len() > 100 {
        return Err(Status::invalid_argument("a request id is required"));
    }
    Ok(id)
}

type WatchStream = Pin<Box<dyn Stream<Item = Result<pb::ErasureRequest, Status>> + Send>>;

#[tonic::async_trait]
impl ErasureService for Api {
    async fn submit(
        &self,
        request: Request<pb::SubmitRequest>,
    ) -> Result<Response<pb::SubmitResponse>, Status> {
        let input = submit_input(request.into_inner())?;
        let done = self.coordinator.submit(input).await.map_err(status)?;
        Ok(Response::new(pb::SubmitResponse {
            request_id: done.request_id,
            existing: done.existing,
        }))
    }

    async fn get(
        &self,
        request: Request<pb::GetRequest>,
    ) -> Result<Response<pb::ErasureRequest>, Status> {
        let state = self
            .coordinator
            .get(request_id(request.get_ref())?)
            .await
            .map_err(status)?;
        Ok(Response::new(self.view(&state)))
    }

    async fn list(
        &self,
        request: Request<pb::ListRequest>,
    ) -> Result<Response<pb::ListResponse>, Status> {
        let req = request.into_inner();
        let status_filter = match pb::RequestStatus::try_from(req.status) {
            Ok(pb::RequestStatus::Unspecified) => None,
            Ok(pb::RequestStatus::InProgress) => Some(RequestStatus::InProgress),
            Ok(pb::RequestStatus::Completed) => Some(RequestStatus::Completed),
            Ok(pb::RequestStatus::Failed) => Some(RequestStatus::Failed),
            Err(_) => return Err(Status::invalid_argument("unknown status filter")),
        };
        let size = match req.page_size {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        } as usize;
        let token = (!req.page_token.is_empty()).then_some(req.page_token.as_str());
        self.projection.catch_up().await.map_err(status)?;
        let filter = Filter {
            status: status_filter,
            overdue: req.overdue,
            due_within_days: (req.due_within_days > 0).then_some(req.due_within_days),
            today: Some(self.coordinator.clock().now().date_naive()),
        };
        let page = self.projection.list(&filter, size, token).map_err(status)?;
        Ok(Response::new(pb::ListResponse {
            requests: page.requests.iter().map(|s| self.view(s)).collect(),
            next_page_token: page.next_token.unwrap_or_default(),
        }))
    }

    type WatchStream = WatchStream;

    async fn watch(
        &self,
        request: Request<pb::GetRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let id = request_id(request.get_ref())?.to_owned();
        // From the projection (caught up now), like every later state: it only moves forward.
        self.projection.catch_up().await.map_err(status)?;
        let first = match self.projection.get(&id) {
            Some(state) => state,
            None => self.coordinator.get(&id).await.map_err(status)?,
        };
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let coordinator = Arc::clone(&self.coordinator);
        let projection = Arc::clone(&self.projection);
        let mut changes = self.projection.changes();
        let view = move |s: &RequestState| request_view(s, &coordinator.policy().rules);
        let coordinator = Arc::clone(&self.coordinator);
        tokio::spawn(async move {
            let mut last = first;
            if tx.send(Ok(view(&last))).await.is_err() || is_done(&last) {
                return;
            }
            loop {
                // Wake on the projection moving, or poll: other coordinators append too.
                if let Ok(Err(_)) =
                    tokio::time::timeout(Duration::from_secs(1), changes.changed()).await
                {
                    // The projection is gone: fall back to polling.
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                if tx.is_closed() {
                    return;
                }
                // The projection has applied what woke us; the store is the fallback.
                let current = match projection.get(&id) {
                    Some(state) => Ok(state),
                    None => coordinator.get(&id).await,
                };
                match current {
                    Ok(state) if state != last => {
                        let done = is_done(&state);
                        if tx.send(Ok(view(&state))).await.is_err() || done {
                            return;
                        }
                        last = state;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let _ = tx.send(Err(status(e))).await;
                        return;
                    }
                }
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }

    async fn get_certificate(
        &self,
        request: Request<pb::GetRequest>,
    ) -> Result<Response<pb::CertificateResponse>, Status> {
        let id = request_id(request.get_ref())?;
        let json = self
            .coordinator
            .certificate_json(id, &self.log)
            .await
            .map_err(status)?;
        let supplements = self
            .coordinator
            .supplements_json(id, &self.log)
            .await
            .map_err(status)?;
        Ok(Response::new(pb::CertificateResponse {
            certificate_json: json,
            supplement_json: supplements,
        }))
    }

    async fn get_tree_head(
        &self,
        request: Request<pb::GetTreeHeadRequest>,
    ) -> Result<Response<pb::TreeHeadResponse>, Status> {
        let req = request.into_inner();
        self.log.advance().await.map_err(status)?;
        if req.publish {
            self.log.publish().await.map_err(status)?;
        }
        let size = (req.tree_size > 0).then_some(req.tree_size);
        let head = self.log.head(size).map_err(status)?;
        Ok(Response::new(self.tree_head_response(&head)?))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::ConsistencyProofResponse>, Status> {
        let req = request.into_inner();
        self.log.advance().await.map_err(status)?;
        let proof = self
            .log
            .consistency(req.from_size, req.to_size)
            .map_err(status)?;
        let file = transparency::consistency_file(req.from_size, req.to_size, &proof);
        Ok(Response::new(pb::ConsistencyProofResponse {
            proof: proof.iter().map(|h| h.to_vec()).collect(),
            proof_json: to_json(&file)?,
        }))
    }

    async fn get_report(
        &self,
        request: Request<pb::GetReportRequest>,
    ) -> Result<Response<pb::ReportResponse>, Status> {
        let req = request.into_inner();
        let from = date_field("from", &req.from)?;
        let to = date_field("to", &req.to)?;
        if to < from {
            return Err(Status::invalid_argument(format!(
                "the period ends ({to}) before it starts ({from})"
            )));
        }
        self.projection.catch_up().await.map_err(status)?;
        self.log.advance().await.map_err(status)?;
        // A head over everything logged now covers every certificate of the period.
        let head = self.log.publish().await.map_err(status)?;
        let tree_head = head
            .map(|h| transparency::tree_head_file(&h.signed, self.coordinator.public_keys()))
            .transpose()
            .map_err(|e| status(CoordinatorError::Internal(e.to_string())))?;
        let now = self.coordinator.clock().now();
        let file = ReportFile {
            format: REPORT_FORMAT.into(),
            generated_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            report: self.projection.report(from, to, now.date_naive()),
            tree_head,
        };
        Ok(Response::new(pb::ReportResponse {
            report_json: to_json(&file)?,
        }))
    }

    async fn extend(
        &self,
        request: Request<pb::ExtendRequest>,
    ) -> Result<Response<pb::ErasureRequest>, Status> {
        let req = request.into_inner();
        let id = checked_id(&req.request_id)?;
        checked_reason(&req.reason)?;
        let state = self
            .coordinator
            .extend(id, req.months, &req.reason)
            .await
            .map_err(status)?;
        Ok(Response::new(self.view(&state)))
    }

    async fn retry(
        &self,
        request: Request<pb::RetryRequest>,
    ) -> Result<Response<pb::ErasureRequest>, Status> {
        let req = request.into_inner();
        let id = checked_id(&req.request_id)?;
        let system = match req.system_id.trim() {
            "" => None,
            s if SystemId::is_valid(s) => Some(SystemId::new(s)),
            _ => {
                return Err(Status::invalid_argument(
                    "the system id is malformed (lower-case letters, digits, '-', '_')",
                ));
            }
        };
        checked_reason(&req.reason)?;
        let state = self
            .coordinator
            .retry(id, system.as_ref(), &req.reason)
            .await
            .map_err(status)?;
        Ok(Response::new(self.view(&state)))
    }
}

fn is_done(s: &RequestState) -> bool {
    match s.status {
        RequestStatus::InProgress => false,
        RequestStatus::Completed => s.certificate.is_some(),
        RequestStatus::Failed => true,
    }
}
