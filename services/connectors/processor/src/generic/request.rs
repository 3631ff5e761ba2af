//! `[request]` compiled: the method, the URL, header and body templates, and how a job
//! becomes calls: one per value of each identifier kind named outside `{kind[]}` (one per
//! combination when there are several kinds; none when the person has no value of one of
//! them), or a single call when the templates name kinds only as `{kind[]}` arrays (none
//! when every one of those arrays would be empty).

use crate::config::RequestConfig;
use crate::error::ConfigError;
use crate::http::{Failure, Outgoing};
use crate::protocol::{Plan, Planned, callback_url};
use crate::template::body::BodyTemplate;
use crate::template::url::UrlTemplate;
use crate::template::{Allowed, Bindings, Text, Unbound};
use erasure_connector_sdk::Job;
use erasure_core::IdentifierKind;
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use std::collections::BTreeSet;

/// The most calls one job may make (several kinds multiply).
pub const MAX_CALLS: usize = 64;

#[derive(Clone, Debug)]
pub struct Request {
    method: Method,
    url: UrlTemplate,
    headers: Vec<(HeaderName, Text)>,
    body: Option<BodyTemplate>,
}

impl Request {
    pub fn new(
        config: &RequestConfig,
        allow_http: bool,
        callbacks: bool,
    ) -> Result<Self, ConfigError> {
        let method = match config.method.to_ascii_uppercase().as_str() {
            "DELETE" => Method::DELETE,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "GET" => Method::GET,
            _ => {
                return Err(ConfigError::new(
                    "request.method",
                    "use DELETE, POST, PUT, PATCH or GET",
                ));
            }
        };
        let values = Allowed {
            identifiers: true,
            callback_url: callbacks,
            job_id: false,
        };
        let url = UrlTemplate::parse(&config.url, "request.url", values, allow_http)?;
        let headers = (config.headers.iter())
            .map(|(name, value)| {
                let setting = format!("request.headers.{name}");
                let header = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| ConfigError::new(&setting, "not a header name"))?;
                let no_ids = Allowed {
                    identifiers: false,
                    ..values
                };
                Ok((header, Text::parse(value, &setting, no_ids)?))
            })
            .collect::<Result<_, ConfigError>>()?;
        let body = (config.body.as_ref())
            .map(|b| BodyTemplate::parse(b, "request.body", values))
            .transpose()?;
        Ok(Self {
            method,
            url,
            headers,
            body,
        })
    }

    /// `METHOD url-template`, for the evidence.
    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.url.source())
    }

    /// The calls for `job`; `callbacks` is the task's callback URL base.
    pub fn plan(&self, job: &Job, callbacks: Option<&str>) -> Result<Plan, Failure> {
        let kinds = self.kinds();
        if let Some(kind) = kinds.iter().find(|k| job.identifiers.count(**k) == 0) {
            return Ok(Plan::Skip(format!("the request carries no {kind}")));
        }
        let arrays = self
            .body
            .as_ref()
            .map(BodyTemplate::array_kinds)
            .unwrap_or_default();
        if kinds.is_empty()
            && !arrays.is_empty()
            && arrays.iter().all(|k| job.identifiers.count(*k) == 0)
        {
            let names: Vec<&str> = arrays.iter().map(|k| k.name()).collect();
            return Ok(Plan::Skip(format!(
                "the request carries no {}",
                names.join(" or ")
            )));
        }
        if job.controller.is_none() && self.names_controller() {
            return Ok(Plan::Skip("the request names no controller".into()));
        }
        let combinations = combinations(job, &kinds);
        if combinations.len() > MAX_CALLS {
            return Err(Failure::Permanent(format!(
                "request: the person's identifiers make {} calls, more than {MAX_CALLS}",
                combinations.len()
            )));
        }
        let total = combinations.len();
        let calls = combinations
            .iter()
            .enumerate()
            .map(|(index, values)| {
                let callback = callbacks.map(|base| callback_url(base, index));
                self.call(job, values, callback.as_deref(), index, total)
            })
            .collect::<Result<_, _>>()?;
        Ok(Plan::Calls(calls))
    }

    fn kinds(&self) -> BTreeSet<IdentifierKind> {
        let mut kinds: BTreeSet<IdentifierKind> = self.url.text().kinds().collect();
        if let Some(body) = &self.body {
            kinds.extend(body.kinds());
        }
        kinds
    }

    fn names_controller(&self) -> bool {
        self.url.text().names_controller()
            || self.headers.iter().any(|(_, t)| t.names_controller())
            || self
                .body
                .as_ref()
                .is_some_and(BodyTemplate::names_controller)
    }

    fn call(
        &self,
        job: &Job,
        values: &[(IdentifierKind, &str)],
        callback: Option<&str>,
        index: usize,
        total: usize,
    ) -> Result<Planned, Failure> {
        let bindings = Bindings {
            request_id: &job.request_id,
            task_id: &job.task_id,
            controller: job.controller.as_deref(),
            callback_url: callback,
            job_id: None,
            values,
            person: &job.identifiers,
        };
        let unusable = |unbound: Unbound| match unbound {
            Unbound::Refused(kind) => Failure::Permanent(format!(
                "request: a {kind} of the person cannot be placed in the URL safely (a '.' or '..' path segment)"
            )),
            other => {
                Failure::Permanent(format!("request: cannot render the templates ({other:?})"))
            }
        };
        let url = self.url.render(&bindings).map_err(unusable)?;
        let mut headers = Vec::with_capacity(self.headers.len());
        for (name, text) in &self.headers {
            let rendered = text.render(&bindings, str::to_owned).map_err(unusable)?;
            let value = HeaderValue::from_str(&rendered).map_err(|_| {
                Failure::Permanent(format!("request.headers.{name}: not a valid header value"))
            })?;
            headers.push((name.clone(), value));
        }
        let body = match &self.body {
            Some(template) => {
                let json = template.render(&bindings).map_err(unusable)?;
                Some(serde_json::to_vec(&json).unwrap_or_default())
            }
            None => None,
        };
        Ok(Planned {
            about: about(&self.describe(), values, index, total),
            request: Some(Outgoing {
                method: self.method.clone(),
                url,
                headers,
                body,
            }),
        })
    }
}

/// Every combination of one value per kind, in the identifiers' canonical order.
fn combinations<'a>(
    job: &'a Job,
    kinds: &BTreeSet<IdentifierKind>,
) -> Vec<Vec<(IdentifierKind, &'a str)>> {
    let mut all: Vec<Vec<(IdentifierKind, &str)>> = vec![Vec::new()];
    for kind in kinds {
        let values: Vec<&str> = job.identifiers.values(*kind).collect();
        all = all
            .into_iter()
            .flat_map(|partial| {
                values.iter().map(move |value| {
                    let mut next = partial.clone();
                    next.push((*kind, *value));
                    next
                })
            })
            .collect();
    }
    all
}

/// `DELETE https://…/{customer_id} (call 2 of 3)`: which call, never which value.
fn about(describe: &str, values: &[(IdentifierKind, &str)], index: usize, total: usize) -> String {
    if total == 1 {
        return describe.to_owned();
    }
    let kinds: Vec<&str> = values.iter().map(|(k, _)| k.name()).collect();
    format!(
        "{describe} (call {} of {total}: one value of {})",
        index + 1,
        kinds.join(", ")
    )
}
