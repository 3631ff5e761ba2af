//! Test processors: real HTTP servers on 127.0.0.1 that behave like processors' APIs,
//! failures included, and what the tests share (a connector over a temporary directory,
//! a runner on the embedded bus).

#![allow(dead_code)]

pub mod customers;
pub mod jobs;
pub mod opendsr;

use axum::Router;
use axum::http::HeaderMap;
use erasure_connector_processor::{Config, ProcessorConnector};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tempfile::TempDir;

/// Serves `router` on a free port of 127.0.0.1; its base URL.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}

/// A port nobody listens on now (for a callback listener the test then starts).
pub fn free_port() -> u16 {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    socket.local_addr().expect("address").port()
}

/// The values a test processor holds (customer numbers, e-mail addresses, hashes).
#[derive(Debug, Default)]
pub struct Data(Mutex<BTreeSet<String>>);

impl Data {
    pub fn hold(&self, values: impl IntoIterator<Item = impl Into<String>>) {
        let mut data = self.0.lock().expect("data");
        data.extend(values.into_iter().map(Into::into));
    }

    pub fn holds(&self, value: &str) -> bool {
        self.0.lock().expect("data").contains(value)
    }

    /// Forgets `value`; whether it was held.
    pub fn remove(&self, value: &str) -> bool {
        self.0.lock().expect("data").remove(value)
    }
}

/// A request as a test processor received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    /// The path and query as sent (percent-encoded).
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// What a test processor received, in order.
#[derive(Debug, Default)]
pub struct Log(Mutex<Vec<Received>>);

impl Log {
    pub fn push(&self, method: &str, uri: &axum::http::Uri, headers: &HeaderMap, body: &[u8]) {
        self.0.lock().expect("log").push(Received {
            method: method.to_owned(),
            uri: uri.to_string(),
            headers: headers.clone(),
            body: body.to_vec(),
        });
    }

    pub fn all(&self) -> Vec<Received> {
        self.0.lock().expect("log").clone()
    }

    /// How many requests with `method` whose path starts with `prefix`.
    pub fn count(&self, method: &str, prefix: &str) -> usize {
        let all = self.all();
        all.iter()
            .filter(|r| r.method == method && r.uri.starts_with(prefix))
            .count()
    }
}

/// A connector with its own temporary directory (state, secret files).
pub struct Built {
    pub dir: TempDir,
    pub connector: Arc<ProcessorConnector>,
}

/// Builds the connector of `config` (TOML of the `[connector]` section, without `kind`)
/// in a fresh directory holding `files`; environment variables from `env`.
pub fn build(config: &str, files: &[(&str, &str)], env: &[(&str, &str)]) -> Built {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, text).expect("write");
    }
    let config: Config = toml::from_str(config).expect("config parses");
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let var = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let connector = ProcessorConnector::with_env(&config, dir.path(), &var).expect("config valid");
    Built {
        dir,
        connector: Arc::new(connector),
    }
}

/// The report's evidence as JSON.
pub fn evidence(report: &erasure_connector_sdk::Report) -> serde_json::Value {
    serde_json::from_slice(&report.evidence).expect("the evidence is JSON")
}
