//! The endpoints, under `/opendsr/v1/` (docs/opendsr.md). Every answer is JSON (the
//! certificate PEM excepted) signed with `X-OpenDSR-Signature` and naming this processor's
//! domain in `X-OpenDSR-Processor-Domain`, both also under the earlier names (the header
//! names are the processor connector's, which reads them). Authentication is the server's layer
//! (`access::table`): discovery and `cert.pem` are public, the rest needs the controller
//! role, and here the token's controller must be one of the deployment's. A controller
//! only ever sees its own requests: another's is "not found", as an unknown one is.

use super::request::{self, IDENTITIES};
use super::status::{self, About};
use super::{OpenDsr, REQUEST_ROUTES, idempotency_key, ledger::Entry};
use crate::access::ControllerId;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::SecondsFormat;
use erasure_connector_processor::opendsr::{DOMAIN_HEADERS, SIGNATURE_HEADERS};
use erasure_coordinator::CoordinatorError;
use erasure_coordinator::grpc::input::submit_input;
use erasure_core::RequestState;
use erasure_core::access::Actor;
use erasure_proto::v1 as pb;
use serde_json::{Value, json};
use std::sync::Arc;

type Service = State<Arc<OpenDsr>>;
type Controller = Option<Extension<ControllerId>>;

/// The endpoints' router, for `[server] http_listen`.
pub fn router(service: Arc<OpenDsr>) -> Router {
    Router::new()
        .route("/opendsr/v1/discovery", get(discovery))
        .route("/opendsr/v1/cert.pem", get(certificate_pem))
        .route("/opendsr/v1/{route}", post(create))
        .route("/opendsr/v1/{route}/{id}", get(status).delete(cancel))
        .route("/opendsr/v1/{route}/{id}/certificate", get(certificate))
        .with_state(service)
}

async fn discovery(State(s): Service) -> Response {
    let identities: Vec<Value> = IDENTITIES
        .iter()
        .map(|(t, _)| json!({"identity_type": t, "identity_format": "raw"}))
        .collect();
    let body = json!({
        "api_version": "1.0",
        "supported_identities": identities,
        "supported_subject_request_types": ["erasure"],
        "processor_certificate": format!("{}/cert.pem", s.public_url),
    });
    s.signed(StatusCode::OK, body.to_string().into_bytes())
}

async fn certificate_pem(State(s): Service) -> Response {
    let pem = [(header::CONTENT_TYPE, "application/x-pem-file")];
    (StatusCode::OK, pem, s.signer.certificate_pem.clone()).into_response()
}

async fn create(
    State(s): Service,
    Path(route): Path<String>,
    controller: Controller,
    actor: Option<Extension<Actor>>,
    body: Bytes,
) -> Response {
    let controller = match s.controller(&route, controller) {
        Ok(c) => c,
        Err(refused) => return *refused,
    };
    let posted = match request::parse(&body) {
        Ok(p) => p,
        Err(why) => return s.error(StatusCode::BAD_REQUEST, &why),
    };
    let id = posted.subject_request_id.clone();
    let submit = pb::SubmitRequest {
        idempotency_key: idempotency_key(&controller, &id),
        identifiers: Some(posted.identifiers),
        jurisdiction: s.jurisdiction.clone().unwrap_or_default(),
        channel: "opendsr".into(),
        verified_by: format!("controller {controller} (OpenDSR subject_request_id {id})"),
        scope: Vec::new(),
        controller: controller.clone(),
        disclose_recipients: false,
    };
    let default = s.coordinator.policy().default_jurisdiction.clone();
    let input = match submit_input(submit, default.as_deref()) {
        Ok(i) => i,
        Err(status) => return s.error(StatusCode::BAD_REQUEST, status.message()),
    };
    let by = actor.map(|Extension(a)| a).unwrap_or_default();
    let submitted = match s.coordinator.submit_by(input, &by).await {
        Ok(submitted) => submitted,
        Err(e) => return s.failure(&e),
    };
    let entry = Entry {
        request_id: submitted.request_id.clone(),
        controller: controller.clone(),
        subject_request_id: id.clone(),
        callback_urls: posted.callback_urls,
        notified: String::new(),
        failures: 0,
        next_at_ms: 0,
    };
    if let Err(e) = s.ledger.record(&entry) {
        tracing::warn!(error = %e, "OpenDSR request taken, its callback URLs not recorded");
    }
    let state = match s.coordinator.get(&submitted.request_id).await {
        Ok(state) => state,
        Err(e) => return s.failure(&e),
    };
    let body = json!({
        "controller_id": controller,
        "subject_request_id": id,
        "received_time": state.received.received_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "expected_completion_time": format!("{}T23:59:59Z", state.deadline()),
        "encoded_request": B64.encode(&body),
        "api_version": "1.0",
    });
    s.signed(StatusCode::CREATED, body.to_string().into_bytes())
}

async fn status(
    State(s): Service,
    Path((route, id)): Path<(String, String)>,
    controller: Controller,
) -> Response {
    let (controller, state) = match s.find(&route, &id, controller).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    let requests_url = s.requests_url();
    let about = About {
        controller: &controller,
        subject_request_id: &id,
        requests_url: &requests_url,
        domain: &s.domain,
    };
    let body = status::body(&state, &about);
    s.signed(StatusCode::OK, body.to_string().into_bytes())
}

async fn certificate(
    State(s): Service,
    Path((route, id)): Path<(String, String)>,
    controller: Controller,
) -> Response {
    let (_, state) = match s.find(&route, &id, controller).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    if status::request_status(&state) != "completed" {
        return s.error(StatusCode::NOT_FOUND, "the request has no certificate yet");
    }
    let request_id = state.received.request_id.as_str();
    match s.coordinator.certificate_json(request_id, &s.log).await {
        Ok(file) => s.signed(StatusCode::OK, file.into_bytes()),
        Err(e) => s.failure(&e),
    }
}

/// Cancellation is not offered: an erasure starts when it is received.
async fn cancel(State(s): Service, controller: Controller) -> Response {
    if let Err(refused) = s.controller(REQUEST_ROUTES[0], controller) {
        return *refused;
    }
    s.error(
        StatusCode::BAD_REQUEST,
        "cancellation is not supported: the erasure starts when the request is received",
    )
}

impl OpenDsr {
    /// The controller the call is for: named by the token, and one of the deployment's.
    fn controller(&self, route: &str, controller: Controller) -> Result<String, Box<Response>> {
        if !REQUEST_ROUTES.contains(&route) {
            return Err(Box::new(
                self.error(StatusCode::NOT_FOUND, "no such endpoint"),
            ));
        }
        let Some(Extension(ControllerId(controller))) = controller else {
            return Err(Box::new(
                self.error(StatusCode::FORBIDDEN, "the token names no controller"),
            ));
        };
        if !self.controllers.contains(&controller) {
            return Err(Box::new(self.error(
                StatusCode::FORBIDDEN,
                "the token's controller is not one this processor acts for",
            )));
        }
        Ok(controller)
    }

    /// The controller's request `id`; another controller's, or none, is "not found".
    async fn find(
        &self,
        route: &str,
        id: &str,
        controller: Controller,
    ) -> Result<(String, RequestState), Box<Response>> {
        let controller = self.controller(route, controller)?;
        let not_found =
            || Box::new(self.error(StatusCode::NOT_FOUND, "no such request of this controller"));
        if id.len() != 36 {
            return Err(not_found());
        }
        match self
            .coordinator
            .get(&self.request_id(&controller, id))
            .await
        {
            Ok(state) if state.received.controller.as_deref() == Some(controller.as_str()) => {
                Ok((controller, state))
            }
            Ok(_) | Err(CoordinatorError::NotFound(_)) => Err(not_found()),
            Err(e) => Err(Box::new(self.failure(&e))),
        }
    }

    /// A JSON answer, signed.
    pub fn signed(&self, code: StatusCode, body: Vec<u8>) -> Response {
        let signature = self.signer.sign(&body);
        let mut response = (code, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in self.signature_headers(&signature) {
            if let Ok(v) = HeaderValue::from_str(value) {
                headers.insert(name, v);
            }
        }
        response
    }

    /// Every signature and domain header, for `signature`.
    pub fn signature_headers<'a>(
        &'a self,
        signature: &'a str,
    ) -> impl Iterator<Item = (&'static str, &'a str)> {
        let signed = SIGNATURE_HEADERS.into_iter().map(move |h| (h, signature));
        signed.chain(
            DOMAIN_HEADERS
                .into_iter()
                .map(|h| (h, self.domain.as_str())),
        )
    }

    /// An OpenDSR error object (section 7.6), signed.
    fn error(&self, code: StatusCode, message: &str) -> Response {
        let body = json!({"error": {"code": code.as_u16(), "message": message}});
        self.signed(code, body.to_string().into_bytes())
    }

    fn failure(&self, e: &CoordinatorError) -> Response {
        match e {
            CoordinatorError::Invalid(why) => self.error(StatusCode::BAD_REQUEST, why),
            CoordinatorError::IdempotencyMismatch(_) => self.error(
                StatusCode::CONFLICT,
                "this subject_request_id was posted before for another data subject",
            ),
            e => {
                tracing::warn!(error = %e, "OpenDSR call failed");
                self.error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "not available now; try again",
                )
            }
        }
    }
}
