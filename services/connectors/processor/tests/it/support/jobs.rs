//! A processor with an asynchronous API: `POST /v1/erasures` with `{"email": …,
//! "callback": …}` answers 202 with a job id; `GET /v1/erasures/{job}` says `running` for
//! a number of polls, then erases and says `done` (with a count) or `no_data`. It can
//! also finish a job by itself and call back, signing the callback with an HMAC.

use super::customers::json_answer;
use super::{Data, Log, serve};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Job {
    pub email: String,
    pub callback: Option<String>,
    pub polls_left: u32,
    /// Once finished: how many records were erased.
    pub erased: Option<u64>,
    pub failed: bool,
}

#[derive(Debug, Default)]
pub struct Jobs {
    pub data: Data,
    pub jobs: Mutex<BTreeMap<String, Job>>,
    pub log: Log,
    /// How many polls a job stays `running`.
    pub polls: u32,
    /// Jobs for these addresses fail.
    pub failing: BTreeSet<String>,
}

impl Jobs {
    pub fn new(polls: u32) -> Arc<Self> {
        Arc::new(Self {
            polls,
            ..Self::default()
        })
    }

    pub async fn start(self: &Arc<Self>) -> String {
        let router = Router::new()
            .route("/v1/erasures", post(submit))
            .route("/v1/erasures/{job}", get(status))
            .with_state(Arc::clone(self));
        serve(router).await
    }

    pub fn job(&self, id: &str) -> Job {
        self.jobs.lock().expect("jobs")[id].clone()
    }

    /// Finishes job `id` now (erasing) and sends its callback, signed with `key` (or
    /// with a wrong key when `forged`); the listener's status code.
    pub async fn call_back(&self, id: &str, key: &str, forged: bool) -> u16 {
        let job = {
            let mut jobs = self.jobs.lock().expect("jobs");
            let job = jobs.get_mut(id).expect("job");
            if !forged {
                self.finish(job);
            }
            job.clone()
        };
        let body = json!({"job_id": id, "state": "done", "deleted": job.erased.unwrap_or(0)});
        let body = body.to_string();
        let key = if forged { "not-the-key" } else { key };
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
        mac.update(body.as_bytes());
        let signature = hex::encode(mac.finalize().into_bytes());
        let url = job.callback.expect("the job has a callback URL");
        let answer = reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header("x-callback-signature", signature)
            .body(body)
            .send()
            .await
            .expect("the listener answers");
        answer.status().as_u16()
    }

    fn finish(&self, job: &mut Job) {
        if job.erased.is_none() {
            let removed = self.data.remove(&job.email);
            job.erased = Some(u64::from(removed));
        }
    }
}

async fn submit(
    State(api): State<Arc<Jobs>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    api.log.push("POST", &uri, &headers, &body);
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return json_answer(StatusCode::BAD_REQUEST, json!({}));
    };
    let Some(email) = request["email"].as_str() else {
        return json_answer(StatusCode::BAD_REQUEST, json!({}));
    };
    let mut jobs = api.jobs.lock().expect("jobs");
    let id = format!("job-{}", jobs.len() + 1);
    jobs.insert(
        id.clone(),
        Job {
            email: email.to_owned(),
            callback: request["callback"].as_str().map(str::to_owned),
            polls_left: api.polls,
            erased: None,
            failed: api.failing.contains(email),
        },
    );
    json_answer(StatusCode::ACCEPTED, json!({"job": {"id": id}}))
}

async fn status(
    State(api): State<Arc<Jobs>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    api.log.push("GET", &uri, &headers, b"");
    let mut jobs = api.jobs.lock().expect("jobs");
    let Some(job) = jobs.get_mut(&id) else {
        return json_answer(StatusCode::NOT_FOUND, json!({}));
    };
    if job.polls_left > 0 {
        job.polls_left -= 1;
        return json_answer(StatusCode::OK, json!({"state": "running"}));
    }
    if job.failed {
        return json_answer(StatusCode::OK, json!({"state": "error"}));
    }
    api.finish(job);
    match job.erased {
        Some(0) | None => json_answer(StatusCode::OK, json!({"state": "no_data"})),
        Some(n) => json_answer(StatusCode::OK, json!({"state": "done", "deleted": n})),
    }
}
