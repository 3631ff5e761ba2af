//! Calls per principal: a keyed GCRA limiter (`governor`), as a layer inside the
//! authentication layer so that it sees who calls. Keys are the authenticated subjects
//! (whose number the token issuer bounds), "unauthenticated" in open mode, and one shared
//! key for public calls (health checks). The console's static files are not limited.
//! Every [`PRUNE_EVERY`] calls, the principals whose allowance is back to full are
//! forgotten, so the map holds only recent callers.

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
use std::sync::atomic::{AtomicU64, Ordering};
use tonic::Status;

/// How many calls between two prunings of idle principals.
const PRUNE_EVERY: u64 = 4096;

/// The limiter of one server.
#[derive(Debug)]
pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<String>,
    per_second: u32,
    calls: AtomicU64,
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
            calls: AtomicU64::new(0),
        })
    }

    fn check(&self, key: &str) -> Result<(), Status> {
        if self.calls.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
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
    // The console's static files: the same few strings for everyone, not calls to limit
    // (they would share one allowance among every user opening the console).
    if super::table::is_console_file(request.uri().path()) {
        return next.run(request).await;
    }
    let key = match request.extensions().get::<Actor>() {
        Some(actor) => actor.subject.clone(),
        None if request.uri().path().starts_with("/grpc.health.") => "(health)".to_owned(),
        None => "unauthenticated".to_owned(),
    };
    match limiter.check(&key) {
        Ok(()) => next.run(request).await,
        Err(status) => super::refusal(&request, &status),
    }
}

impl Limiter {
    /// Forgets the principals whose allowance is back to full: they are as if new.
    fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_principals_are_forgotten_and_busy_ones_kept() {
        let config = RateLimitConfig {
            per_second: 1000,
            burst: Some(1),
        };
        let limiter = Limiter::from_config(&config).expect("limiter");
        for n in 0..(PRUNE_EVERY - 1) {
            limiter
                .check(&format!("principal-{n}"))
                .expect("first call");
        }
        assert_eq!(limiter.limiter.len(), (PRUNE_EVERY - 1) as usize);
        // 1000 calls per second: after a few milliseconds every allowance is full again.
        std::thread::sleep(std::time::Duration::from_millis(20));
        limiter.check("busy").expect("the call that prunes");
        assert!(limiter.check("busy").is_err(), "a burst of one");
        assert_eq!(limiter.limiter.len(), 1, "only the busy principal is left");
    }
}
