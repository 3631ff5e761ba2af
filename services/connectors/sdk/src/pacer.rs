//! Pacing: at most `n` erasures per second, so that a backlog of work orders (after an
//! outage, or a batch of requests) does not hammer the system the connector erases in.
//!
//! Each caller reserves the next free slot under a lock and sleeps outside it, so waiting
//! callers are served in the order they arrived and never hold the lock while asleep.

use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct Pacer {
    /// `None`: unpaced.
    interval: Option<Duration>,
    /// The earliest instant the next erasure may start.
    next: Mutex<Option<Instant>>,
}

/// Why a rate was refused.
pub(crate) const INVALID_RATE: &str = "max_per_second must be a positive, finite number";

impl Pacer {
    /// A pacer for at most `max_per_second` erasures per second; `None` never waits.
    pub(crate) fn new(max_per_second: Option<f64>) -> Result<Self, &'static str> {
        let interval = match max_per_second {
            None => None,
            Some(rate) if rate.is_finite() && rate > 0.0 => {
                Some(Duration::try_from_secs_f64(1.0 / rate).map_err(|_| INVALID_RATE)?)
            }
            Some(_) => return Err(INVALID_RATE),
        };
        Ok(Self {
            interval,
            next: Mutex::new(None),
        })
    }

    /// Waits for this caller's slot.
    pub(crate) async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_rates_that_are_not_positive_and_finite() {
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(Pacer::new(Some(rate)).is_err(), "{rate} accepted");
        }
        assert!(Pacer::new(Some(0.5)).is_ok());
        assert!(Pacer::new(None).is_ok());
    }

    // Paused time: the clock only moves when every task is idle, so these are exact.
    #[tokio::test(start_paused = true)]
    async fn spaces_callers_by_the_interval() {
        let pacer = Pacer::new(Some(4.0)).expect("rate");
        let start = Instant::now();
        for _ in 0..3 {
            pacer.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn unpaced_never_waits() {
        let pacer = Pacer::new(None).expect("no rate");
        let start = Instant::now();
        for _ in 0..100 {
            pacer.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
