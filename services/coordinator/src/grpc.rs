//! The gRPC edge: the `erasure.v1.ErasureService` over the coordinator, the projection and
//! the transparency log.
//!
//! - `input`: request validation; errors name the field, never echo a value.
//! - `limits`: every limit of the API, in one place.
//! - `pages`: list pages bounded by count and by encoded size.
//! - `status`: errors to `tonic::Status`, the only place they are built.
//! - `watch`: following a request until it is final.

pub mod input;
mod limits;
mod pages;
mod status;
mod watch;

use crate::coordinator::Coordinator;
use crate::error::CoordinatorError;
use crate::projection::{Filter, Projection};
use crate::replays::{Progress, ReplayJob, Replays};
use crate::report::{REPORT_FORMAT, ReportFile};
use crate::transparency::{Head, TransparencyLog};
use chrono::SecondsFormat;
use erasure_core::access::Actor;
use erasure_core::state::TaskState;
use erasure_core::{RequestState, RequestStatus};
use erasure_proof::transparency;
use erasure_proto::convert::request_view;
use erasure_proto::v1 as pb;
use erasure_proto::v1::erasure_service_server::ErasureService;
use input::{
    attestation, checked_id, checked_reason, date_field, named_id, operator, page_token,
    request_id, search_identifiers, submit_input, system_id, system_ids, time_field,
};
use status::{status, to_json};
use std::pin::Pin;
use std::sync::Arc;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

const MAX_PAGE: u32 = 500;
const DEFAULT_PAGE: u32 = 50;

pub struct Api {
    coordinator: Arc<Coordinator>,
    projection: Arc<Projection>,
    log: Arc<TransparencyLog>,
    replays: Arc<Replays>,
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
        replays: Arc<Replays>,
    ) -> Self {
        Self {
            coordinator,
            projection,
            log,
            replays,
        }
    }

    fn manual_task(&self, s: &RequestState, t: &TaskState) -> pb::ManualTask {
        let spec = self.coordinator.inventory().get(&t.system_id);
        let today = self.now().date_naive();
        pb::ManualTask {
            request_id: s.received.request_id.to_string(),
            system_id: t.system_id.to_string(),
            description: spec.map(|s| s.description.clone()).unwrap_or_default(),
            instructions: spec.map(|s| s.instructions.clone()).unwrap_or_default(),
            recipient: t
                .recipient
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            opened_at: t.opened_at.map(rfc3339).unwrap_or_default(),
            deadline: s.deadline().to_string(),
            overdue: s.overdue || s.deadline() < today,
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
        request_view(
            s,
            &self.coordinator.policy().rules,
            self.coordinator.inventory(),
        )
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.coordinator.streams().now()
    }
}

/// Who makes the call: what the authentication layer admitted it as, or nobody (a server
/// in open mode).
fn actor<T>(request: &Request<T>) -> Actor {
    request
        .extensions()
        .get::<Actor>()
        .cloned()
        .unwrap_or_else(Actor::unauthenticated)
}

/// The name recorded as who did an action: the authenticated principal ("sam
/// (supervisor)"); the free-text name the caller gave (`--by`) only in open mode.
fn recorded_name(actor: &Actor, given: String) -> String {
    if actor.is_authenticated() {
        actor.to_string()
    } else {
        given
    }
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn replay_view((job, p): (ReplayJob, Progress)) -> pb::Replay {
    pb::Replay {
        replay_id: job.replay_id,
        since: rfc3339(job.since),
        system_ids: job.systems.iter().map(ToString::to_string).collect(),
        total: p.total,
        dispatched: p.dispatched,
        skipped: p.skipped,
        acknowledged: p.acknowledged,
        failed: p.failed,
        dispatch_finished: p.dispatch_finished,
        started_at: rfc3339(job.started_at),
    }
}

/// A manual task's page token: when it opened (ms), its request, its system.
fn task_token(s: &RequestState, t: &TaskState) -> String {
    let ms = t.opened_at.map_or(0, |t| t.timestamp_millis());
    format!("{ms}/{}/{}", s.received.request_id, t.system_id)
}

/// The order of manual tasks' tokens: by time (numerically), then request and system.
fn task_key(token: &str) -> (i64, &str) {
    let (ms, rest) = token.split_once('/').unwrap_or(("", token));
    (ms.parse().unwrap_or(i64::MIN), rest)
}

type WatchStream = Pin<Box<dyn Stream<Item = Result<pb::ErasureRequest, Status>> + Send>>;

#[tonic::async_trait]
impl ErasureService for Api {
    async fn submit(
        &self,
        request: Request<pb::SubmitRequest>,
    ) -> Result<Response<pb::SubmitResponse>, Status> {
        let by = actor(&request);
        let default = self.coordinator.policy().default_jurisdiction.as_deref();
        let input = submit_input(request.into_inner(), default)?;
        let done = self
            .coordinator
            .submit_by(input, &by)
            .await
            .map_err(status)?;
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
            Ok(s) => RequestStatus::try_from(s).ok(),
            Err(_) => return Err(Status::invalid_argument("unknown status filter")),
        };
        let size = match req.page_size {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        } as usize;
        let token = page_token(&req.page_token)?;
        let default = self.coordinator.policy().default_jurisdiction.as_deref();
        let person = search_identifiers(req.identifiers.as_ref(), &req.jurisdiction, default)?;
        // Computed for this search only: never stored or logged.
        let blind_indexes = person.map(|ids| self.coordinator.sealer().vault().blind_indexes(&ids));
        let system = system_id(&req.system_id)?;
        self.projection.catch_up().await.map_err(status)?;
        let filter = Filter {
            status: status_filter,
            overdue: req.overdue,
            due_within_days: (req.due_within_days > 0).then_some(req.due_within_days),
            today: Some(self.now().date_naive()),
            system,
            blind_indexes,
        };
        let page = self
            .projection
            .list(&filter, size, token)
            .await
            .map_err(status)?;
        let views = page
            .requests
            .iter()
            .map(|s| (self.view(s), crate::projection::token_of(s)));
        let (requests, next) = pages::fit(views, page.next_token);
        Ok(Response::new(pb::ListResponse {
            requests,
            next_page_token: next.unwrap_or_default(),
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
        let changes = self.projection.changes();
        let seen = *changes.borrow();
        let first = match self.projection.get(&id) {
            Some(state) => state,
            None => self.coordinator.get(&id).await.map_err(status)?,
        };
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let watched = watch::Watched {
            id,
            first,
            seen,
            changes,
        };
        tokio::spawn(watch::follow(
            Arc::clone(&self.coordinator),
            Arc::clone(&self.projection),
            watched,
            tx,
        ));
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
        let now = self.now();
        let file = ReportFile {
            format: REPORT_FORMAT.into(),
            generated_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            report: self
                .projection
                .report(from, to, now.date_naive())
                .await
                .map_err(status)?,
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
        let by = actor(&request);
        let req = request.into_inner();
        let id = checked_id(&req.request_id)?;
        checked_reason(&req.reason)?;
        let state = self
            .coordinator
            .extend(id, req.months, &req.reason, &by)
            .await
            .map_err(status)?;
        Ok(Response::new(self.view(&state)))
    }

    async fn reject(
        &self,
        request: Request<pb::RejectRequest>,
    ) -> Result<Response<pb::ErasureRequest>, Status> {
        let by = actor(&request);
        let req = request.into_inner();
        let id = checked_id(&req.request_id)?;
        checked_reason(&req.reason)?;
        let state = self
            .coordinator
            .reject(id, &req.reason, &by)
            .await
            .map_err(status)?;
        Ok(Response::new(self.view(&state)))
    }

    async fn retry(
        &self,
        request: Request<pb::RetryRequest>,
    ) -> Result<Response<pb::ErasureRequest>, Status> {
        let by = actor(&request);
        let req = request.into_inner();
        let id = checked_id(&req.request_id)?;
        let system = system_id(&req.system_id)?;
        checked_reason(&req.reason)?;
        let state = self
            .coordinator
            .retry(id, system.as_ref(), &req.reason, &by)
            .await
            .map_err(status)?;
        Ok(Response::new(self.view(&state)))
    }

    async fn complete_task(
        &self,
        request: Request<pb::CompleteTaskRequest>,
    ) -> Result<Response<pb::ErasureRequest>, Status> {
        let by = actor(&request);
        let mut req = request.into_inner();
        req.operator = recorded_name(&by, req.operator);
        let id = checked_id(&req.request_id)?;
        let attested = attestation(&req)?;
        let state = self
            .coordinator
            .attest(id, attested)
            .await
            .map_err(status)?;
        Ok(Response::new(self.view(&state)))
    }

    async fn list_tasks(
        &self,
        request: Request<pb::ListTasksRequest>,
    ) -> Result<Response<pb::ListTasksResponse>, Status> {
        let req = request.into_inner();
        let after = page_token(&req.page_token)?;
        let size = match req.page_size {
            0 => MAX_PAGE,
            n => n.min(MAX_PAGE),
        } as usize;
        self.projection.catch_up().await.map_err(status)?;
        let mut open: Vec<_> = self
            .projection
            .open_manual_tasks()
            .into_iter()
            .map(|(s, t)| (task_token(&s, &t), s, t))
            .filter(|(token, ..)| after.is_none_or(|a| task_key(token) > task_key(a)))
            .collect();
        open.sort_by(|(a, ..), (b, ..)| task_key(a).cmp(&task_key(b)));
        let more = open.len() > size;
        let rest = more.then(|| open[size - 1].0.clone());
        let tasks = open
            .iter()
            .take(size)
            .map(|(token, s, t)| (self.manual_task(s, t), token.clone()));
        let (tasks, next) = pages::fit(tasks, rest);
        Ok(Response::new(pb::ListTasksResponse {
            tasks,
            next_page_token: next.unwrap_or_default(),
        }))
    }

    async fn start_replay(
        &self,
        request: Request<pb::StartReplayRequest>,
    ) -> Result<Response<pb::Replay>, Status> {
        let actor = actor(&request);
        let req = request.into_inner();
        let since = time_field("since", &req.since)?;
        let systems = system_ids(&req.system_ids)?;
        let by = operator(&recorded_name(&actor, req.operator))?;
        let started = self
            .replays
            .start(since, systems, &by)
            .await
            .map_err(status)?;
        Ok(Response::new(replay_view(started)))
    }

    async fn get_replay(
        &self,
        request: Request<pb::GetReplayRequest>,
    ) -> Result<Response<pb::Replay>, Status> {
        let id = named_id("replay_id", &request.get_ref().replay_id)?;
        self.projection.catch_up().await.map_err(status)?;
        let progress = self.replays.progress(id).await.map_err(status)?;
        Ok(Response::new(replay_view(progress)))
    }
}
