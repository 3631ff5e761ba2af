//! [`ProcessorConnector`]: the configuration checked and compiled into a protocol and a
//! driver; the callback listener started when a runner attaches.

use crate::auth::Auth;
use crate::config::Config;
use crate::driver::{Driver, Timing};
use crate::error::ConfigError;
use crate::generic::Generic;
use crate::http::Client;
use crate::opendsr::OpenDsr;
use crate::protocol::Protocol;
use crate::secret::process_env;
use crate::state::StateStore;
use async_trait::async_trait;
use erasure_connector_sdk::wake::AttachError;
use erasure_connector_sdk::{BuildError, Connector, Job, KindConfig, Report, Waker};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Tells a processor to erase a person, and follows it until it did.
#[derive(Debug)]
pub struct ProcessorConnector {
    driver: Arc<Driver>,
    /// `listen` and `public_url`, with `[callback]`.
    callback: Option<(String, String)>,
    /// The listener, stopped when the connector is dropped.
    listener: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl ProcessorConnector {
    /// The connector `config` describes; relative paths resolve against `base`, secrets
    /// named by `{ env = … }` come from the process environment.
    pub fn new(config: &Config, base: &Path) -> Result<Self, ConfigError> {
        Self::with_env(config, base, &process_env)
    }

    /// As [`ProcessorConnector::new`], with environment variables read through `var`.
    pub fn with_env(
        config: &Config,
        base: &Path,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        check_shape(config)?;
        let timing = timing(config)?;
        let callback = config
            .callback
            .as_ref()
            .map(|c| (c.listen.clone(), c.public_url.clone()));
        if let Some((listen, public_url)) = &callback {
            check_callback(listen, public_url, config.allow_http)?;
        }
        let auth = Auth::new(&config.auth, base, var, config.allow_http)?;
        let timeout = Duration::from_secs(config.timeout_secs);
        let client = Client::new(timeout, auth, &config.evidence_headers)
            .map_err(|e| ConfigError::new("timeout_secs", e.to_string()))?;
        let client = Arc::new(client);
        let protocol: Arc<dyn Protocol> = match &config.opendsr {
            Some(_) => Arc::new(OpenDsr::new(config, client, base)?),
            None => Arc::new(Generic::new(config, client, base, var)?),
        };
        let store = StateStore::open(&base.join(&config.state))
            .map_err(|e| ConfigError::new("state", e.to_string()))?;
        let public_url = callback.as_ref().map(|(_, url)| url.clone());
        Ok(Self {
            driver: Arc::new(Driver::new(protocol, store, timing, public_url)),
            callback,
            listener: Mutex::new(None),
        })
    }
}

impl Drop for ProcessorConnector {
    fn drop(&mut self) {
        let listener = self.listener.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(listener) = listener.take() {
            listener.abort();
        }
    }
}

/// Exactly one protocol, and no setting of the other.
fn check_shape(config: &Config) -> Result<(), ConfigError> {
    match (&config.request, &config.opendsr) {
        (None, None) => Err(ConfigError::new(
            "request",
            "say how the processor is told: [request] (any HTTP API) or [opendsr]",
        )),
        (Some(_), Some(_)) => Err(ConfigError::new(
            "opendsr",
            "give [request] or [opendsr], not both",
        )),
        (Some(_), None) => Ok(()),
        (None, Some(_)) => {
            let generic_only = [
                ("success", config.success != Default::default()),
                ("nothing_found", config.nothing_found.is_some()),
                ("job", config.job.is_some()),
                ("check_url", config.check_url.is_some()),
                (
                    "callback.signature",
                    config
                        .callback
                        .as_ref()
                        .is_some_and(|c| c.signature.is_some()),
                ),
            ];
            match generic_only.iter().find(|(_, set)| *set) {
                Some((setting, _)) => Err(ConfigError::new(
                    *setting,
                    "belongs to [request]; the OpenDSR profile knows what its answers mean",
                )),
                None => Ok(()),
            }
        }
    }
}

fn timing(config: &Config) -> Result<Timing, ConfigError> {
    let at_least = |setting: &str, value: u64, least: u64| {
        if value < least {
            Err(ConfigError::new(
                setting,
                format!("must be at least {least}"),
            ))
        } else {
            Ok(())
        }
    };
    at_least("timeout_secs", config.timeout_secs, 1)?;
    at_least("poll_interval_ms", config.poll_interval_ms, 10)?;
    at_least("poll_interval_max_secs", config.poll_interval_max_secs, 1)?;
    at_least("follow_up_secs", config.follow_up_secs, 1)?;
    at_least(
        "follow_up_max_secs",
        config.follow_up_max_secs,
        config.follow_up_secs,
    )?;
    Ok(Timing {
        max_wait: Duration::from_secs(config.max_wait_secs),
        poll_interval: Duration::from_millis(config.poll_interval_ms),
        poll_interval_max: Duration::from_secs(config.poll_interval_max_secs),
        follow_up: Duration::from_secs(config.follow_up_secs),
        follow_up_max: Duration::from_secs(config.follow_up_max_secs),
    })
}

fn check_callback(listen: &str, public_url: &str, allow_http: bool) -> Result<(), ConfigError> {
    listen.parse::<std::net::SocketAddr>().map_err(|_| {
        ConfigError::new("callback.listen", "an address and port, e.g. 0.0.0.0:8081")
    })?;
    let url = reqwest::Url::parse(public_url)
        .map_err(|e| ConfigError::new("callback.public_url", e.to_string()))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http => Ok(()),
        _ => Err(ConfigError::new(
            "callback.public_url",
            "use https:// (http:// needs allow_http)",
        )),
    }
}

#[async_trait]
impl Connector for ProcessorConnector {
    fn kind(&self) -> &'static str {
        "processor"
    }

    async fn erase(&self, job: &Job) -> Report {
        self.driver.erase(job).await
    }

    async fn check(&self) -> Vec<String> {
        self.driver.protocol().check().await
    }

    /// Starts the callback listener, if configured, with the runner's waker.
    async fn attach(&self, waker: Waker) -> Result<(), AttachError> {
        let Some((listen, public_url)) = &self.callback else {
            return Ok(());
        };
        let handle = crate::callback::start(listen, public_url, Arc::clone(&self.driver), waker)
            .await
            .map_err(|e| format!("callback.listen {listen}: {e}"))?;
        let mut listener = self.listener.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(previous) = listener.replace(handle) {
            previous.abort();
        }
        Ok(())
    }
}

/// The `processor` entry of the runtime's registry of kinds.
impl KindConfig for Config {
    fn build(&self, base: &Path) -> Result<Arc<dyn Connector>, BuildError> {
        Ok(Arc::new(ProcessorConnector::new(self, base)?))
    }

    /// The state file, the secret files, the OpenDSR certificate files.
    fn paths(&self) -> Vec<(&'static str, PathBuf)> {
        use crate::config::SecretSource;
        let mut paths = vec![("state", self.state.clone())];
        let mut secret = |setting, source: &SecretSource| {
            if let SecretSource::File(file) = source {
                paths.push((setting, file.clone()));
            }
        };
        if let Some(bearer) = &self.auth.bearer {
            secret("auth.bearer.token", &bearer.token);
        }
        if let Some(hmac) = &self.auth.hmac {
            secret("auth.hmac.secret", &hmac.secret);
        }
        if let Some(oauth2) = &self.auth.oauth2 {
            secret("auth.oauth2.client_secret", &oauth2.client_secret);
        }
        if let Some(signature) = self.callback.as_ref().and_then(|c| c.signature.as_ref()) {
            secret("callback.signature.secret", &signature.secret);
        }
        if let Some(opendsr) = &self.opendsr {
            if let Some(file) = &opendsr.certificate_file {
                paths.push(("opendsr.certificate_file", file.clone()));
            }
            if let Some(file) = &opendsr.ca_file {
                paths.push(("opendsr.ca_file", file.clone()));
            }
        }
        paths
    }
}
