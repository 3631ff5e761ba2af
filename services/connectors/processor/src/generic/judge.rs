//! Reading the processor's answers as `[success]`, `[nothing_found]` and `[job]` say: JSON
//! pointers (RFC 6901) into the body, values compared as JSON. Failures name the setting
//! and the status code, never a value from the body.

use crate::config::{JobConfig, NothingFoundConfig, SuccessConfig};
use crate::error::ConfigError;
use crate::http::{Answer, Failure};
use crate::protocol::Progress;
use crate::task::CallResult;
use serde_json::Value;

/// What an answer to a submission says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Erased at once.
    Erased(u64),
    NothingFound,
    /// An asynchronous job, by its id.
    Job(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Judge {
    success: SuccessConfig,
    nothing_found: NothingFoundConfig,
    job: Option<JobConfig>,
}

impl Judge {
    pub fn new(
        success: &SuccessConfig,
        nothing_found: Option<&NothingFoundConfig>,
        job: Option<&JobConfig>,
    ) -> Result<Self, ConfigError> {
        pointer("success.field", success.field.as_deref())?;
        pointer("success.count", success.count.as_deref())?;
        if success.field.is_some() && success.values.is_empty() {
            return Err(ConfigError::new(
                "success.values",
                "name the accepted values of success.field",
            ));
        }
        let nothing_found = nothing_found.cloned().unwrap_or_default();
        pointer("nothing_found.field", nothing_found.field.as_deref())?;
        if let Some(job) = job {
            pointer("job.id", Some(&job.id))?;
            pointer("job.status", Some(&job.status))?;
            pointer("job.count", job.count.as_deref())?;
            if job.done.is_empty() {
                return Err(ConfigError::new(
                    "job.done",
                    "name the status values of a finished job",
                ));
            }
        }
        Ok(Self {
            success: success.clone(),
            nothing_found,
            job: job.cloned(),
        })
    }

    /// The answer to a submission.
    pub fn submission(&self, answer: &Answer) -> Result<Verdict, Failure> {
        let body = answer.json();
        if self.is_nothing_found(answer, body.as_ref()) {
            return Ok(Verdict::NothingFound);
        }
        if !self.success_status(answer.status) {
            return Err(answer.failure("submit"));
        }
        if let Some(field) = &self.success.field
            && !one_of(body.as_ref(), field, &self.success.values)
        {
            return Err(Failure::Permanent(format!(
                "submit: HTTP {}, but the answer's {field} is not one of success.values",
                answer.status
            )));
        }
        let Some(job) = &self.job else {
            return Ok(Verdict::Erased(count(
                body.as_ref(),
                self.success.count.as_deref(),
            )));
        };
        match body.as_ref().and_then(|b| b.pointer(&job.id)) {
            Some(Value::String(id)) if !id.is_empty() => Ok(Verdict::Job(id.clone())),
            Some(Value::Number(id)) => Ok(Verdict::Job(id.to_string())),
            _ => Err(Failure::Permanent(format!(
                "submit: HTTP {}, but the answer has no job id at {} (job.id)",
                answer.status, job.id
            ))),
        }
    }

    /// Where a job stands according to a status answer (polled or called back).
    pub fn progress(&self, answer: &Answer) -> Result<Progress, Failure> {
        let Some(job) = &self.job else {
            return Ok(Progress::Pending);
        };
        let body = answer.json();
        let status = body.as_ref().and_then(|b| b.pointer(&job.status));
        let is = |values: &[Value]| status.is_some_and(|s| values.contains(s));
        if is(&job.done) {
            let items = count(body.as_ref(), job.count.as_deref());
            return Ok(Progress::Finished(CallResult::Erased { count: items }));
        }
        if is(&job.nothing_found) {
            return Ok(Progress::Finished(CallResult::NothingFound));
        }
        if is(&job.failed) {
            return Err(Failure::Permanent(
                "the processor reports the job failed (a job.failed status)".into(),
            ));
        }
        Ok(Progress::Pending)
    }

    fn success_status(&self, status: u16) -> bool {
        if self.success.status.is_empty() {
            (200..300).contains(&status)
        } else {
            self.success.status.contains(&status)
        }
    }

    fn is_nothing_found(&self, answer: &Answer, body: Option<&Value>) -> bool {
        let rule = &self.nothing_found;
        if rule.status.contains(&answer.status) {
            return true;
        }
        match &rule.field {
            Some(field) => self.success_status(answer.status) && one_of(body, field, &rule.values),
            None => false,
        }
    }
}

fn one_of(body: Option<&Value>, field: &str, values: &[Value]) -> bool {
    body.and_then(|b| b.pointer(field))
        .is_some_and(|value| values.contains(value))
}

/// The number at `pointer`, or one when there is no pointer or no number there.
fn count(body: Option<&Value>, pointer: Option<&str>) -> u64 {
    pointer
        .and_then(|p| body?.pointer(p)?.as_u64())
        .unwrap_or(1)
}

fn pointer(setting: &str, pointer: Option<&str>) -> Result<(), ConfigError> {
    match pointer {
        Some(p) if !p.starts_with('/') => Err(ConfigError::new(
            setting,
            "a JSON pointer starts with '/', e.g. /result/state",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(status: u16, body: Value) -> Answer {
        Answer {
            status,
            headers: Default::default(),
            body: body.to_string(),
            received_at: chrono::Utc::now(),
        }
    }

    fn judge(toml: &str) -> Judge {
        let config: crate::Config = toml::from_str(toml).expect("config");
        Judge::new(
            &config.success,
            config.nothing_found.as_ref(),
            config.job.as_ref(),
        )
        .expect("judge")
    }

    #[test]
    fn success_and_nothing_found_by_status_and_field() {
        let judge = judge(
            r#"state = "s"
            [success]
            status = [200]
            field = "/result"
            values = ["deleted", 1]
            count = "/records"
            [nothing_found]
            status = [404]
            field = "/result"
            values = ["unknown"]"#,
        );
        let verdict = |status, body| judge.submission(&answer(status, body));
        assert_eq!(
            verdict(200, json!({"result": "deleted", "records": 3})),
            Ok(Verdict::Erased(3))
        );
        assert_eq!(verdict(200, json!({"result": 1})), Ok(Verdict::Erased(1)));
        assert_eq!(verdict(404, json!({})), Ok(Verdict::NothingFound));
        assert_eq!(
            verdict(200, json!({"result": "unknown"})),
            Ok(Verdict::NothingFound)
        );
        let odd = verdict(200, json!({"result": "queued"})).expect_err("not accepted");
        assert!(
            matches!(odd, Failure::Permanent(ref d) if !d.contains("queued")),
            "{odd:?}"
        );
        assert!(matches!(
            verdict(204, json!({})),
            Err(Failure::Permanent(_))
        ));
        assert!(matches!(
            verdict(503, json!({})),
            Err(Failure::Transient(_))
        ));
    }

    #[test]
    fn an_asynchronous_job_is_followed_to_its_end() {
        let judge = judge(
            r#"state = "s"
            [job]
            id = "/job/id"
            status = "/state"
            done = ["done"]
            nothing_found = ["no_data"]
            failed = ["error"]"#,
        );
        assert_eq!(
            judge.submission(&answer(202, json!({"job": {"id": 42}}))),
            Ok(Verdict::Job("42".into()))
        );
        assert!(judge.submission(&answer(202, json!({}))).is_err());
        let progress = |state: &str| judge.progress(&answer(200, json!({"state": state})));
        assert_eq!(progress("running"), Ok(Progress::Pending));
        assert_eq!(
            progress("done"),
            Ok(Progress::Finished(CallResult::Erased { count: 1 }))
        );
        assert_eq!(
            progress("no_data"),
            Ok(Progress::Finished(CallResult::NothingFound))
        );
        assert!(matches!(progress("error"), Err(Failure::Permanent(_))));
    }
}
