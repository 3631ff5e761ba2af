//! A server of the benchmark's own: this same binary (`std::env::current_exe`) running
//! `erasure serve` on a fresh data directory, whose example systems hold the synthetic
//! people the run erases.

use crate::example::synthetic;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// How to start the server.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// The data directory (must not hold a data directory yet); a temporary one, removed
    /// afterwards, without it.
    pub data_dir: Option<PathBuf>,
    /// The server's configuration; the embedded default without it. Its example data
    /// is created either way (`--with-example-data`).
    pub config: Option<PathBuf>,
    /// Synthetic people to seed: `{prefix}-0` .. `{prefix}-{people - 1}`.
    pub people: usize,
    pub prefix: String,
    /// How long start-up may take.
    pub start_timeout: Duration,
}

/// A running server; killed when dropped.
#[derive(Debug)]
pub struct LocalServer {
    child: Child,
    pub pid: i32,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server's `--data-dir`.
    pub data_dir: PathBuf,
    /// Where it writes what it prints.
    pub log: PathBuf,
    _temporary: Option<tempfile::TempDir>,
}

impl LocalServer {
    /// Seeds the example systems and starts the server; returns once it listens.
    pub async fn start(options: &LocalOptions) -> Result<Self> {
        let (root, temporary) = match &options.data_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("erasure-bench-")
                    .tempdir()
                    .context("cannot create a temporary directory")?;
                (t.path().to_owned(), Some(t))
            }
        };
        let data_dir = root.join("data");
        if data_dir.exists() {
            bail!(
                "{} exists: the benchmark starts from a fresh data directory",
                data_dir.display()
            );
        }
        let example = data_dir.join("example");
        synthetic::seed_people(&example, &options.prefix, options.people)?;
        let log = root.join("serve.log");
        let mut child = spawn(&data_dir, options.config.as_deref(), &log)?;
        let url = match listening(&mut child, &log, options.start_timeout).await {
            Ok(url) => url,
            Err(e) => {
                let _ = child.kill().await;
                return Err(e);
            }
        };
        let pid = child
            .id()
            .and_then(|p| i32::try_from(p).ok())
            .context("the server exited")?;
        Ok(Self {
            child,
            pid,
            url,
            data_dir,
            log,
            _temporary: temporary,
        })
    }

    /// The example systems' directory (what the synthetic people were seeded into).
    pub fn example_dir(&self) -> PathBuf {
        self.data_dir.join("example")
    }

    /// Stops the server (SIGKILL: what it committed stays, and the directory is a
    /// throw-away one). A temporary directory stays until this is dropped.
    pub async fn stop(&mut self) -> Result<()> {
        self.child.kill().await.context("cannot stop the server")
    }
}

fn spawn(data_dir: &Path, config: Option<&Path>, log: &Path) -> Result<Child> {
    let exe = std::env::current_exe().context("cannot find this program's binary")?;
    let out =
        std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let mut command = Command::new(exe);
    command
        .arg("serve")
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("ERASURE_CONFIG")
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .kill_on_drop(true);
    if let Some(config) = config {
        command
            .arg("--config")
            .arg(config)
            .arg("--with-example-data");
    }
    command.spawn().context("cannot start the server")
}

/// Waits for the server's "listening on ADDR (gRPC)" line; its URL.
async fn listening(child: &mut Child, log: &Path, timeout: Duration) -> Result<String> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let addr = text.lines().find_map(|l| {
            l.strip_prefix("erasure: listening on ")
                .and_then(|rest| rest.split_whitespace().next())
        });
        if let Some(addr) = addr {
            return Ok(format!("http://{addr}"));
        }
        if let Some(status) = child.try_wait()? {
            bail!("the server exited ({status}) before listening:\n{text}");
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "the server did not listen within {} s:\n{text}",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
