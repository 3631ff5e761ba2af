//! What a decision needs besides the state and the time: retries, rules, warnings, and the
//! randomness the caller supplies.

use crate::retention::{FinancialYearEnd, RuleBook};
use chrono::{DateTime, Duration, Utc};

/// Retries of unanswered or failed attempts: exponential backoff with jitter, bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per retry budget (an operator's retry starts a new budget).
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// How long an attempt may go unanswered before it times out.
    pub answer_timeout: Duration,
    /// The latest a follow-up of an accepted attempt is scheduled, however late the
    /// system asked to be asked again (a third party's job is checked at least this often).
    pub max_follow_up: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::seconds(2),
            max_delay: Duration::minutes(10),
            answer_timeout: Duration::hours(1),
            max_follow_up: Duration::hours(24),
        }
    }
}

impl RetryPolicy {
    /// When to ask again about an accepted attempt: when the system asked, but no sooner
    /// than a second from `now` and no later than [`RetryPolicy::max_follow_up`]. A system
    /// that did not say is asked again after the answer time-out.
    pub fn follow_up_at(&self, asked: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
        let earliest = now + Duration::seconds(1);
        let latest = now + self.max_follow_up.max(Duration::seconds(1));
        asked
            .unwrap_or(now + self.answer_timeout)
            .clamp(earliest, latest)
    }

    /// Delay before the `n`th attempt of a budget (2, 3, ...): `d = base · 2^(n − 2)`,
    /// capped at `max_delay`, then "equal jitter": `d/2 + jitter · d/2`, `jitter` in [0, 1).
    pub fn delay_before(&self, n: u32, jitter: f64) -> Duration {
        let exp = n.saturating_sub(2).min(20);
        let delay = (self.base_delay * 2_i32.pow(exp)).min(self.max_delay);
        let half = delay.num_milliseconds() / 2;
        let spread = (half as f64 * jitter.clamp(0.0, 1.0)) as i64;
        Duration::milliseconds(half + spread)
    }
}

/// Everything a decision needs besides the state and the time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    pub retry: RetryPolicy,
    pub rules: RuleBook,
    pub financial_year_end: FinancialYearEnd,
    /// Warnings before the deadline, in days (e.g. 7 and 1).
    pub warn_before_days: Vec<u32>,
    /// How long after completion the identifiers are kept (the proof-retention period)
    /// before the data key is destroyed; never sooner than holds and backups allow. `None`:
    /// never shredded automatically.
    pub shred_identifiers_after: Option<Duration>,
    /// The jurisdiction of a request that names none (ISO 3166-1 alpha-2); `None`: every
    /// request must name one.
    pub default_jurisdiction: Option<String>,
}

/// The randomness and time a decision may use, given by the caller (decisions stay pure).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Now {
    pub at: DateTime<Utc>,
    /// Uniform in [0, 1): spreads retries.
    pub jitter: f64,
}

impl Now {
    pub fn exactly(at: DateTime<Utc>) -> Self {
        Self { at, jitter: 0.0 }
    }
}
