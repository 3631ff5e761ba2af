//! The Retry-After gate: when the processor answers 429 or 503 with `Retry-After`, no
//! request goes to it before that time, from any task (a rate limit is the API client's,
//! not one person's). A request whose wait would pass its own deadline is not sent: it
//! fails as transient at once, naming how long the processor asked to wait.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// The longest wait a `Retry-After` may impose.
pub const MAX_HOLD: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Default)]
pub struct Gate {
    not_before: Mutex<Option<Instant>>,
}

impl Gate {
    /// No request before `now + wait` (the later of this and any earlier hold).
    pub fn hold(&self, wait: Duration) {
        let until = Instant::now() + wait.min(MAX_HOLD);
        let mut not_before = self.not_before.lock().unwrap_or_else(|p| p.into_inner());
        *not_before = Some(not_before.map_or(until, |t| t.max(until)));
    }

    /// Waits until requests may go, unless that is after `deadline`: then the wait that
    /// is left, without waiting.
    pub async fn wait(&self, deadline: Instant) -> Result<(), Duration> {
        let until = *self.not_before.lock().unwrap_or_else(|p| p.into_inner());
        match until {
            Some(until) if until > deadline => Err(until - Instant::now()),
            Some(until) => {
                tokio::time::sleep_until(until).await;
                Ok(())
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Paused time: the clock moves only when every task waits, so these are exact.
    #[tokio::test(start_paused = true)]
    async fn a_hold_delays_requests_that_can_wait_and_fails_those_that_cannot() {
        let gate = Gate::default();
        let start = Instant::now();
        gate.wait(start + Duration::from_secs(5))
            .await
            .expect("open");
        assert_eq!(start.elapsed(), Duration::ZERO);

        gate.hold(Duration::from_secs(3));
        gate.hold(Duration::from_secs(1)); // an earlier end does not shorten the hold
        let refused = gate.wait(start + Duration::from_secs(2)).await;
        assert_eq!(refused, Err(Duration::from_secs(3)));
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "a refused wait does not sleep"
        );

        gate.wait(start + Duration::from_secs(5))
            .await
            .expect("waits");
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }
}
