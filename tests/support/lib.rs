//! Support for end-to-end tests: the `erasure` binary started as a real process on a free
//! loopback port, the CLI run as a process, and a gRPC client.

pub mod browser;
pub mod distributed;
pub mod examples;
pub mod plaintext;
pub mod processor_stub;
pub mod s3;
pub mod tls_front;

use erasure_proto::v1::erasure_service_client::ErasureServiceClient;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `erasure` binary: `$ERASURE_BIN`, else `target/debug/erasure` of this workspace.
pub fn erasure_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("ERASURE_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let bin = target.join("debug/erasure");
    assert!(
        bin.exists(),
        "{} does not exist: build it first (`cargo build --bin erasure`; scripts/test does)",
        bin.display()
    );
    bin
}

/// A free port on 127.0.0.1 (bound and released; good enough for tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running `erasure serve`, killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub addr: String,
    pub data_dir: PathBuf,
    pub log: PathBuf,
    port: u16,
    extra: Vec<String>,
    envs: Vec<(String, String)>,
}

impl Server {
    /// Starts `erasure serve --data-dir DIR` with `extra` arguments and waits until it
    /// accepts connections.
    pub fn start(data_dir: &Path, extra: &[&str]) -> Self {
        Self::start_with(data_dir, extra, &[])
    }

    /// Like [`Server::start`], with environment variables.
    pub fn start_with(data_dir: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Self {
        let port = free_port();
        let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        let envs: Vec<(String, String)> = envs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let log = data_dir.with_extension(format!("{port}.log"));
        let child = spawn_serve(data_dir, port, &extra, &envs, &log);
        let mut server = Self {
            child,
            addr: format!("http://127.0.0.1:{port}"),
            data_dir: data_dir.to_owned(),
            log,
            port,
            extra,
            envs,
        };
        server.wait_ready(0);
        server
    }

    /// Ready when this start printed its "listening" line: the port is bound before
    /// start-up finishes, so a TCP connect alone proves nothing.
    fn wait_ready(&mut self, starts_before: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("erasure serve exited with {status}:\n{}", self.log_text());
            }
            if self.starts() > starts_before {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "erasure serve did not start within 60 s:\n{}",
            self.log_text()
        );
    }

    fn starts(&self) -> usize {
        self.log_text().matches("erasure: listening on").count()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no shutdown, no flushing.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the process to exit (it flushes what it exports first).
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        self.child.wait().expect("wait for erasure serve")
    }

    /// Sets an environment variable for the next [`Server::restart`].
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.envs.retain(|(k, _)| k != key);
        self.envs.push((key.to_owned(), value.to_owned()));
    }

    /// Starts the same server again (same data directory and port).
    pub fn restart(&mut self) {
        self.kill9();
        let starts_before = self.starts();
        self.child = spawn_serve(
            &self.data_dir,
            self.port,
            &self.extra,
            &self.envs,
            &self.log,
        );
        self.wait_ready(starts_before);
    }

    /// Runs the CLI against this server.
    pub fn cli(&self, args: &[&str]) -> Output {
        cli(&[&["--server", &self.addr], args].concat())
    }

    pub async fn client(&self) -> ErasureServiceClient<tonic::transport::Channel> {
        ErasureServiceClient::connect(self.addr.clone())
            .await
            .expect("gRPC connection")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn spawn_serve(
    data_dir: &Path,
    port: u16,
    extra: &[String],
    envs: &[(String, String)],
    log: &Path,
) -> Child {
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    Command::new(erasure_bin())
        .arg("serve")
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .args(extra)
        .env("ERASURE_LOG", "info")
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("log file"))
        .stderr(log_file)
        .spawn()
        .expect("spawn erasure serve")
}

/// `GET path` from `127.0.0.1:port` over HTTP/1.1, with a bearer token if given: the
/// status code and the body.
pub fn http_get(port: u16, path: &str, token: Option<&str>) -> (u16, String) {
    let (code, _, body) = http_get_with_headers(port, path, token);
    (code, body)
}

/// Like [`http_get`], with the status line and headers as they came.
pub fn http_get_with_headers(port: u16, path: &str, token: Option<&str>) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, head.to_owned(), body.to_owned())
}

/// Runs `erasure ARGS` to completion.
pub fn cli(args: &[&str]) -> Output {
    cli_with(args, &[])
}

/// The CLI with more environment.
pub fn cli_with(args: &[&str], envs: &[(&str, String)]) -> Output {
    Command::new(erasure_bin())
        .args(args)
        .envs(envs.iter().map(|(k, v)| (*k, v)))
        .stdin(Stdio::null())
        .output()
        .expect("run erasure")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success and returns standard output, trimmed.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "command failed ({}):\nstdout: {}\nstderr: {}",
        o.status,
        stdout(o),
        stderr(o)
    );
    stdout(o).trim().to_owned()
}

/// Asserts failure with one `error:` line on stderr, and returns that line.
pub fn one_error_line(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected a failure, got success:\n{}",
        stdout(o)
    );
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one error line, got:\n{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_owned()
}

/// Counts rows of an SQLite database.
pub fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open sqlite");
    conn.query_row(sql, [], |r| r.get(0)).expect("query")
}

/// Files (recursively) under `dir`; 0 when it does not exist.
pub fn files_under(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() { files_under(&p) } else { 1 }
        })
        .sum()
}

/// Polls `f` every 100 ms until it returns `Some`, for at most `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(v) = f().await {
            return Some(v);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// A JSON file (a certificate, a supplement, a report).
pub fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

/// Waits until `erasure status ID` shows `what`; returns that status. Panics with the
/// last status and the server log after a minute.
pub async fn wait_for_status(server: &Server, id: &str, what: &str) -> String {
    eventually(Duration::from_secs(60), || async {
        let text = stdout(&server.cli(&["status", id]));
        text.contains(what).then_some(text)
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "request never showed {what:?}:\n{}\n{}",
            stdout(&server.cli(&["status", id])),
            server.log_text()
        )
    })
}
