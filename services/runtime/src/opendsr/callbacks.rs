//! Status callbacks (OpenDSR section 8.5): every `status_callback_urls` entry of a
//! controller's request is posted the request's status, signed, when it changes (at least
//! `completed`, or `cancelled`). A delivery that fails (no answer, not 2xx) is tried again,
//! the pause doubling from the loop's interval up to an hour; the callback is sent again in
//! full, so a controller may see one twice.

use super::OpenDsr;
use super::status::{self, About};
use chrono::Utc;
use serde_json::json;
use std::future::Future;
use std::sync::Arc;

const MAX_PAUSE_MS: i64 = 3_600_000;

/// Delivers due callbacks every interval until `stop` resolves.
pub async fn run(service: Arc<OpenDsr>, stop: impl Future<Output = ()>) {
    let mut tick = tokio::time::interval(service.callback_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = tick.tick() => service.deliver_due().await,
            () = &mut stop => return,
        }
    }
}

impl OpenDsr {
    /// One round: every open request whose status changed since its callbacks last took it.
    async fn deliver_due(&self) {
        let entries = match self.ledger.open_entries() {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the OpenDSR callback ledger");
                return;
            }
        };
        let now = Utc::now().timestamp_millis();
        for entry in entries.into_iter().filter(|e| e.next_at_ms <= now) {
            let Ok(state) = self.coordinator.get(&entry.request_id).await else {
                continue;
            };
            let current = status::request_status(&state);
            if current == entry.notified {
                continue;
            }
            let requests_url = self.requests_url();
            let about = About {
                controller: &entry.controller,
                subject_request_id: &entry.subject_request_id,
                requests_url: &requests_url,
                domain: &self.domain,
            };
            let mut delivered = true;
            for url in &entry.callback_urls {
                let mut body = status::body(&state, &about);
                body["status_callback_url"] = json!(url);
                delivered &= self.post(url, body.to_string().into_bytes()).await;
            }
            let recorded = if delivered {
                self.ledger.notified(&entry.request_id, current)
            } else {
                let pause = (self.callback_interval.as_millis() as i64)
                    .saturating_mul(1 << entry.failures.min(20))
                    .min(MAX_PAUSE_MS);
                tracing::warn!(request_id = %entry.request_id, status = current, "status callback not taken; tried again later");
                self.ledger.failed(&entry.request_id, now + pause)
            };
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "cannot record an OpenDSR callback");
            }
        }
    }

    /// Posts one signed callback; whether it was taken (2xx).
    async fn post(&self, url: &str, body: Vec<u8>) -> bool {
        let signature = self.signer.sign(&body);
        let mut post = (self.http.post(url)).header("content-type", "application/json");
        for (name, value) in self.signature_headers(&signature) {
            post = post.header(name, value);
        }
        let sent = post.body(body).send().await;
        matches!(sent, Ok(answer) if answer.status().is_success())
    }
}
