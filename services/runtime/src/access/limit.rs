//! Calls per principal: a keyed GCRA limiter (`governor`), as a layer inside the
//! authentication layer so that it sees who calls. Keys are the authenticated subjects
//! (whose number the token issuer bounds), "unauthenticated" in open mode, and one shared
//! key for public calls (health checks).

use crate::config::RateLimitConfig;
use anyhow::{Result, bail};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use erasure_core::access::Actor;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use tonic::Status;

/// The limiter of one server.
#[derive(Debug)]
pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<String>,
    per_second: u32,
}

impl Limiter {
    pub fn from_config(config: &RateLimitConfig) -> Result<Self> {
        let Some(rate) = NonZeroU32::new(config.per_second) else {
            bail!("rate_limit.per_second: at least 1");
        };
        let Some(burst) = NonZeroU32::new(config.burst.unwrap_or(config.per_second)) else {
            bail!("rate_limit.burst: at least 1");
        };
        Ok(Self {
            limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            per_second: config.per_second,
        })
    }

    fn check(&self, key: &str) -> Result<(), Status> {
        self.limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Status::resource_exhausted(format!(
                    "rate limit: at most {} calls per second for {key}; try again in {} ms",
                    self.per_second,
                    wait.as_millis().max(1)
                ))
            })
    }
}

/// The rate limit layer's function, for `axum::middleware::from_fn_with_state`.
pub async fn limit(State(limiter): State<Arc<Limiter>>, request: Request, next: Next) -> Response {
    let key = match request.extensions().get::<Actor>() {
        Some(actor) => actor.subject.clone(),
        None if request.uri().path().starts_with("/grpc.health.") => "(health)".to_owned(),
        None => "unauthenticated".to_owned(),
    };
    match limiter.check(&key) {
        Ok(()) => next.run(request).await,
        Err(status) => status.into_http(),
    }
}
