//! The configuration sections that make the coordinator's policy: legal holds, deadline
//! warnings, retries, and the transparency log's tree heads.

use crate::rules::load_rules;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Legal holds: which rules, and the controller's financial year.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Rules file (erasure-retention-rules/v1), relative to the data directory. Default:
    /// the shipped rules (deploy/rules/retention.toml, built in).
    pub rules: Option<PathBuf>,
    /// Last day of the financial year, "MM-DD". Default "12-31".
    pub financial_year_end: Option<String>,
    /// How long a completed request's identifiers are kept (the proof-retention period,
    /// seconds) before its data key is destroyed (`IdentifiersShredded`). Never before its
    /// last hold has ended and its last backup set has aged out. Default 2592000 (30 days);
    /// 0 shreds as soon as nothing needs them any more.
    pub identifiers_after_completion_secs: Option<u64>,
    /// The jurisdiction of a request that names none: an ISO 3166-1 alpha-2 code, e.g.
    /// "FI". No default: without it, every request must name its jurisdiction.
    pub default_jurisdiction: Option<String>,
}

/// The default proof-retention period: 30 days after completion.
const DEFAULT_IDENTIFIERS_AFTER_COMPLETION_SECS: u64 = 30 * 86_400;

impl RetentionConfig {
    /// The rule book and financial year end this configuration names.
    pub fn load(
        &self,
        data_dir: &Path,
    ) -> Result<(
        erasure_core::retention::RuleBook,
        erasure_core::retention::FinancialYearEnd,
    )> {
        let rules = load_rules(self.rules.as_ref().map(|p| data_dir.join(p)).as_deref())?;
        let fy = match &self.financial_year_end {
            None => erasure_core::retention::FinancialYearEnd::default(),
            Some(s) => erasure_core::retention::FinancialYearEnd::parse(s).with_context(|| {
                format!("[retention] financial_year_end {s:?} must be a day of the year, \"MM-DD\"")
            })?,
        };
        Ok((rules, fy))
    }

    /// The period after completion after which the identifiers are shredded.
    pub fn shred_after(&self) -> Result<chrono::Duration> {
        let secs = self
            .identifiers_after_completion_secs
            .unwrap_or(DEFAULT_IDENTIFIERS_AFTER_COMPLETION_SECS);
        i64::try_from(secs)
            .ok()
            .and_then(chrono::Duration::try_seconds)
            .context("[retention] identifiers_after_completion_secs: too long")
    }

    /// The deployment's default jurisdiction, checked.
    pub fn default_jurisdiction(&self) -> Result<Option<String>> {
        match self.default_jurisdiction.as_deref() {
            None => Ok(None),
            Some(j) if erasure_core::jurisdiction::is_alpha2(j) => Ok(Some(j.to_owned())),
            Some(j) => anyhow::bail!(
                "[retention] default_jurisdiction {j:?} must be an ISO 3166-1 alpha-2 code in upper case, e.g. \"FI\""
            ),
        }
    }
}

/// Art. 12(3) deadline warnings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlinesConfig {
    /// Warn this many days before a request's deadline (each once). Default [7, 1].
    #[serde(default = "default_warnings")]
    pub warn_before_days: Vec<u32>,
}

impl Default for DeadlinesConfig {
    fn default() -> Self {
        Self {
            warn_before_days: default_warnings(),
        }
    }
}

fn default_warnings() -> Vec<u32> {
    vec![7, 1]
}

/// The transparency log of certificates.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Sign a tree head this often when the log grew (seconds). Default 60. Heads are also
    /// signed on demand: `erasure log head --publish`, and when a certificate is fetched
    /// that no head covers yet.
    pub tree_head_interval_secs: Option<u64>,
}

impl LogConfig {
    pub fn options(&self) -> anyhow::Result<erasure_coordinator::node::Options> {
        let mut options = erasure_coordinator::node::Options::default();
        if let Some(secs) = self.tree_head_interval_secs {
            anyhow::ensure!(
                secs > 0,
                "[log] tree_head_interval_secs: must be at least 1"
            );
            options.tree_head_interval = std::time::Duration::from_secs(secs);
        }
        Ok(options)
    }
}

/// Re-dispatching attempts that get no answer, or a retryable failure.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetriesConfig {
    /// Attempts before a task is marked failed. Default 5.
    pub max_attempts: Option<u32>,
    /// How long an attempt may go unanswered. Default 3600.
    pub answer_timeout_secs: Option<u64>,
    /// First backoff (doubling, with jitter). Default 2000.
    pub base_delay_ms: Option<u64>,
    /// Longest backoff. Default 600.
    pub max_delay_secs: Option<u64>,
    /// The longest wait before asking again about an attempt a third party accepted and
    /// answers later, however late it asked to be asked. Default 86400 (a day).
    pub max_follow_up_secs: Option<u64>,
}

impl RetriesConfig {
    pub fn policy(&self) -> Result<erasure_core::decide::RetryPolicy> {
        let d = erasure_core::decide::RetryPolicy::default();
        let secs = |s: u64| {
            chrono::Duration::try_seconds(s as i64).context("[retries]: a duration is too long")
        };
        let policy = erasure_core::decide::RetryPolicy {
            max_attempts: self.max_attempts.unwrap_or(d.max_attempts),
            answer_timeout: self
                .answer_timeout_secs
                .map(secs)
                .transpose()?
                .unwrap_or(d.answer_timeout),
            base_delay: self
                .base_delay_ms
                .map(|ms| chrono::Duration::milliseconds(ms.min(86_400_000) as i64))
                .unwrap_or(d.base_delay),
            max_delay: self
                .max_delay_secs
                .map(secs)
                .transpose()?
                .unwrap_or(d.max_delay),
            max_follow_up: self
                .max_follow_up_secs
                .map(secs)
                .transpose()?
                .unwrap_or(d.max_follow_up),
        };
        if policy.max_attempts == 0 || policy.answer_timeout <= chrono::Duration::zero() {
            anyhow::bail!("[retries]: max_attempts and answer_timeout_secs must be at least 1");
        }
        Ok(policy)
    }
}
