//! A local HTTP server that behaves like the examples' processors (payment, SMS, e-mail
//! marketing, analytics, hosting, error reporting): it answers every call with 200 and
//! records what it was told (method, path, body), as the processor's own records would.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, Uri};
use std::sync::{Arc, Mutex};

/// One call a processor received.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// The path, percent-decoding left to the reader (`%2B358…` for a phone number).
    pub path: String,
    pub body: String,
}

/// The stand-in's address and the calls it received.
#[derive(Debug, Clone)]
pub struct Processors {
    pub base: String,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Processors {
    /// Starts it on a free loopback port.
    pub async fn start() -> Self {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .fallback(record)
            .with_state(Arc::clone(&calls));
        Self {
            base: serve(app).await,
            calls,
        }
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// The calls whose path starts with `prefix`.
    pub fn calls_to(&self, prefix: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.path.starts_with(prefix))
            .collect()
    }
}

/// Serves `app` on a free loopback port, in the background; its `http://` address.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

async fn record(
    State(calls): State<Arc<Mutex<Vec<Call>>>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> &'static str {
    if let Ok(mut calls) = calls.lock() {
        calls.push(Call {
            method: method.to_string(),
            path: uri.path().to_owned(),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    }
    r#"{"status":"deleted"}"#
}
