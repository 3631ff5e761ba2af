//! The distributed set-up for tests: a fresh PostgreSQL database on the server the test
//! script started (and another for the example CRM), a bucket of the test's own on the S3
//! server it started (the example cameras), a Kafka-compatible broker of the test's own
//! (started and stopped by `scripts/start-broker`), the coordinator and five connectors as
//! processes.

use crate::s3::{self, Bucket};
use crate::{Server, erasure_bin, free_port, ok};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SYSTEMS: [&str; 5] = ["crm", "cameras", "telemetry", "support", "uploads"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The PostgreSQL server of this test run. Fails, never skips, without one.
pub fn postgres_url() -> String {
    std::env::var("ERASURE_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("ERASURE_TEST_POSTGRES_URL is not set: distributed tests need PostgreSQL (scripts/test starts one with scripts/start-postgres)")
    })
}

/// A client of the PostgreSQL server at `url`.
pub async fn pg(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test PostgreSQL");
    tokio::spawn(connection);
    client
}

/// A new, empty database on the test server; returns its URL.
pub async fn fresh_database() -> String {
    let base = postgres_url();
    let client = pg(&base).await;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let (prefix, _) = base.rsplit_once('/').expect("URL with a database");
    format!("{prefix}/{name}")
}

/// Counts rows with SQL returning one bigint.
pub async fn pg_count(url: &str, sql: &str) -> i64 {
    let client = pg(url).await;
    client.query_one(sql, &[]).await.expect("query").get(0)
}

/// Certificates per request stream, from the event store.
pub async fn certificates_per_request(url: &str) -> Vec<(String, i64)> {
    let client = pg(url).await;
    let rows = client
        .query(
            "SELECT stream_id, count(*) FILTER (WHERE type = 'CertificateIssued') FROM events
             WHERE stream_id IN (SELECT stream_id FROM events WHERE type = 'RequestReceived')
             GROUP BY stream_id",
            &[],
        )
        .await
        .expect("query");
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
}

/// The broker user of [`Broker::start_scram_over_tls`].
pub const SCRAM_USER: &str = "erasure";

/// A broker of the test's own, on a fixed port so it can come back where it was.
#[derive(Debug)]
pub struct Broker {
    dir: PathBuf,
    port: u16,
    /// Where the broker listens (plaintext, no authentication unless `--scram`).
    pub addr: String,
    /// What the erasure processes are given (`ERASURE_KAFKA_BROKERS`): `addr`, or the TLS
    /// terminator in front of it.
    pub clients: String,
    /// `scripts/start-broker` options (`--scram`, `--advertise`).
    options: Vec<String>,
}

impl Broker {
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, Vec::new(), None)
    }

    /// Started with `options`; the processes reach it at `clients` when given.
    pub fn start_with(dir: &Path, options: Vec<String>, clients: Option<String>) -> Self {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut broker = Self {
            dir: dir.to_owned(),
            port,
            clients: clients.unwrap_or_else(|| addr.clone()),
            addr,
            options,
        };
        broker.start_again();
        broker
    }

    /// SASL/SCRAM required (user `erasure`, the password in `password_file`), reached over
    /// TLS through a terminator on `localhost` whose CA is written to `ca_pem`.
    pub fn start_scram_over_tls(dir: &Path, password_file: &Path, ca_pem: &Path) -> Self {
        let front = std::net::TcpListener::bind("127.0.0.1:0").expect("TLS front port");
        let clients = format!("localhost:{}", front.local_addr().expect("addr").port());
        let options = vec![
            "--scram".to_owned(),
            SCRAM_USER.to_owned(),
            password_file.to_str().expect("utf-8").to_owned(),
            "--advertise".to_owned(),
            clients.clone(),
        ];
        let broker = Self::start_with(dir, options, Some(clients));
        let identity = crate::tls_front::ServerIdentity::issue(ca_pem);
        crate::tls_front::start(front, broker.addr.clone(), identity);
        broker
    }

    /// Starts it (again) in the same directory and on the same port: topics and records
    /// written before a stop are still there.
    pub fn start_again(&mut self) {
        std::fs::create_dir_all(&self.dir).expect("broker dir");
        let out = Command::new(repo().join("scripts/start-broker"))
            .args(&self.options)
            .arg(&self.dir)
            .env("ERASURE_BROKER_PORT", self.port.to_string())
            .stdin(Stdio::null())
            .output()
            .expect("run scripts/start-broker");
        let addr = ok(&out);
        let addr = addr.lines().last().unwrap_or_default().trim().to_owned();
        assert_eq!(addr, self.addr, "the broker came back elsewhere");
    }

    pub fn stop(&mut self) {
        let out = Command::new(repo().join("scripts/start-broker"))
            .arg("stop")
            .arg(&self.dir)
            .output()
            .expect("stop broker");
        ok(&out);
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/start-broker"))
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

/// One connector process, killed when dropped.
#[derive(Debug)]
pub struct ConnectorProcess {
    child: Option<Child>,
    config: PathBuf,
    log: PathBuf,
    broker: String,
    /// Where the example CRM and cameras are (`ERASURE_DATABASE_URL`,
    /// `ERASURE_S3_ENDPOINT`).
    envs: Vec<(&'static str, String)>,
}

impl ConnectorProcess {
    pub fn start(config: &Path, broker: &str, envs: Vec<(&'static str, String)>) -> Self {
        let log = config.with_extension("log");
        let mut c = Self {
            child: None,
            config: config.to_owned(),
            log,
            broker: broker.to_owned(),
            envs,
        };
        c.start_again();
        c
    }

    pub fn start_again(&mut self) {
        let before = self.starts();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log");
        let child = Command::new(erasure_bin())
            .args(["connector", "--config"])
            .arg(&self.config)
            .env("ERASURE_KAFKA_BROKERS", &self.broker)
            .env("ERASURE_LOG", "info")
            .envs(self.envs.iter().map(|(k, v)| (*k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn erasure connector");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.starts() == before {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!(
                    "erasure connector exited with {status}:\n{}",
                    self.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "connector did not start:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn starts(&self) -> usize {
        self.log_text().matches("erasure connector: system").count()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for ConnectorProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Everything of one distributed test: a working copy of `deploy/examples/distributed`
/// with the example systems' data, registered connector keys, a database and a broker.
#[derive(Debug)]
pub struct Distributed {
    pub root: PathBuf,
    pub database: String,
    /// The example CRM's database.
    pub crm: String,
    /// The example cameras' bucket.
    pub cameras: Bucket,
    pub broker: Broker,
    pub coordinator: Option<Server>,
    pub connectors: Vec<(String, ConnectorProcess)>,
    /// `ERASURE_LOG` of the processes started from now on. Default "info".
    pub log_level: &'static str,
}

impl Distributed {
    /// Prepares the set-up; starts the broker but no erasure process yet.
    pub async fn prepare(root: &Path) -> Self {
        Self::prepare_with(root, false).await
    }

    /// Like [`Distributed::prepare`], with a broker that requires SASL/SCRAM, reached over
    /// TLS: the coordinator authenticates with SCRAM-SHA-512, the connectors with
    /// SCRAM-SHA-256, each configured by `[bus.tls]` and `[bus.sasl]` as a deployment would.
    pub async fn prepare_scram_over_tls(root: &Path) -> Self {
        Self::prepare_with(root, true).await
    }

    async fn prepare_with(root: &Path, scram_over_tls: bool) -> Self {
        let examples = repo().join("deploy/examples/distributed");
        let connectors = root.join("connectors");
        std::fs::create_dir_all(&connectors).expect("dir");
        for system in SYSTEMS {
            let from = examples.join(format!("connectors/{system}.toml"));
            std::fs::copy(&from, connectors.join(format!("{system}.toml")))
                .unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        }
        // A bucket of this test's own: tests share the S3 server.
        let cameras = Bucket::unique();
        let file = connectors.join("cameras.toml");
        let text = std::fs::read_to_string(&file).expect("cameras.toml");
        let text = text.replace(
            "bucket = \"cameras\"",
            &format!("bucket = \"{}\"", cameras.name),
        );
        std::fs::write(&file, text).expect("cameras.toml");
        std::fs::create_dir_all(connectors.join("keys")).expect("keys");
        std::fs::write(connectors.join("keys/crm-db-password"), "unused\n").expect("password");
        std::fs::write(connectors.join("keys/cameras-s3-secret"), s3::SECRET).expect("secret");
        let crm = fresh_database().await;
        std::fs::copy(
            examples.join("coordinator.toml"),
            root.join("coordinator.toml"),
        )
        .expect("coordinator.toml");
        ok(&crate::cli_with(
            &[
                "example-data",
                connectors.join("data").to_str().expect("utf-8"),
                "--postgres",
                &crm,
                "--s3",
                &cameras.endpoint,
                "--s3-bucket",
                &cameras.name,
            ],
            &s3::credentials(),
        ));
        let trust = root.join("coordinator-data/trusted-connectors.json");
        for system in SYSTEMS {
            let config = connectors.join(format!("{system}.toml"));
            ok(&crate::cli(&[
                "connector",
                "--config",
                config.to_str().expect("utf-8"),
                "--register",
                trust.to_str().expect("utf-8"),
            ]));
        }
        let database = fresh_database().await;
        let broker = if scram_over_tls {
            secure_bus(root)
        } else {
            Broker::start(&root.join("broker"))
        };
        Self {
            root: root.to_owned(),
            database,
            crm,
            cameras,
            broker,
            coordinator: None,
            connectors: Vec::new(),
            log_level: "info",
        }
    }

    pub fn data(&self) -> PathBuf {
        self.root.join("connectors/data")
    }

    pub fn start_coordinator(&mut self) -> &Server {
        let config = self.root.join("coordinator.toml");
        let envs = [
            ("ERASURE_STORE_URL", self.database.as_str()),
            ("ERASURE_KAFKA_BROKERS", self.broker.clients.as_str()),
            ("ERASURE_LOG", self.log_level),
        ];
        let server = Server::start_with(
            &self.root.join("coordinator-data"),
            &["--config", config.to_str().expect("utf-8")],
            &envs,
        );
        self.coordinator.insert(server)
    }

    /// A second coordinator on the same database and broker, with its own data directory
    /// but the same keys (replicas share the master key, as a Kubernetes Secret would).
    pub fn start_second_coordinator(&self) -> Server {
        let (first, second) = (
            self.root.join("coordinator-data"),
            self.root.join("coordinator-data-2"),
        );
        copy_dir(&first.join("keys"), &second.join("keys"));
        std::fs::copy(
            first.join("trusted-connectors.json"),
            second.join("trusted-connectors.json"),
        )
        .expect("trust file");
        let config = self.root.join("coordinator.toml");
        let envs = [
            ("ERASURE_STORE_URL", self.database.as_str()),
            ("ERASURE_KAFKA_BROKERS", self.broker.clients.as_str()),
        ];
        Server::start_with(
            &second,
            &["--config", config.to_str().expect("utf-8")],
            &envs,
        )
    }

    pub fn start_connector(&mut self, system: &str) {
        let config = self.root.join(format!("connectors/{system}.toml"));
        let envs = vec![
            ("ERASURE_DATABASE_URL", self.crm.clone()),
            ("ERASURE_S3_ENDPOINT", self.cameras.endpoint.clone()),
            ("ERASURE_LOG", self.log_level.to_owned()),
        ];
        let process = ConnectorProcess::start(&config, &self.broker.clients, envs);
        self.connectors.push((system.to_owned(), process));
    }

    pub fn start_all(&mut self) {
        self.start_coordinator();
        for system in SYSTEMS {
            self.start_connector(system);
        }
    }

    /// Submits a request with `identifiers` (`--email X …`) and watches it to completion;
    /// its id. Fails with every process's log when the watch does.
    pub fn erase(&self, identifiers: &[&str]) -> String {
        let mut args = vec!["submit"];
        args.extend_from_slice(identifiers);
        let id = ok(&self.server().cli(&args));
        let watched = self.server().cli(&["watch", &id]);
        assert!(
            watched.status.success(),
            "watch failed: {}\n{}",
            crate::stderr(&watched),
            self.logs()
        );
        id
    }

    pub fn server(&self) -> &Server {
        self.coordinator.as_ref().expect("coordinator started")
    }

    pub fn connector(&mut self, system: &str) -> &mut ConnectorProcess {
        &mut self
            .connectors
            .iter_mut()
            .find(|(s, _)| s == system)
            .expect("connector started")
            .1
    }

    /// Every process's log, for failure messages.
    pub fn logs(&self) -> String {
        let mut out = self
            .coordinator
            .as_ref()
            .map(Server::log_text)
            .unwrap_or_default();
        for (system, c) in &self.connectors {
            out.push_str(&format!("\n--- connector {system}\n{}", c.log_text()));
        }
        let broker = std::fs::read_to_string(self.broker.dir.join("tansu.log")).unwrap_or_default();
        let mut panics: Vec<&str> = broker
            .lines()
            .filter(|l| l.contains("panicked at"))
            .map(|l| l.split_once(") panicked at ").map_or(l, |(_, at)| at))
            .collect();
        panics.sort_unstable();
        panics.dedup();
        let tail: Vec<&str> = broker.lines().rev().take(20).collect();
        out.push_str("\n--- broker (panics, then last lines)\n");
        out.push_str(&panics.join("\n"));
        out.push_str("\n...\n");
        out.push_str(&tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        out
    }
}

/// The password file, the CA and the `[bus.tls]` and `[bus.sasl]` sections of every
/// configuration of the set-up; the broker they lead to.
fn secure_bus(root: &Path) -> Broker {
    let (password, ca) = (root.join("broker-password"), root.join("broker-ca.pem"));
    std::fs::write(&password, "correct horse battery staple\n").expect("password file");
    let broker = Broker::start_scram_over_tls(&root.join("broker"), &password, &ca);
    let section = |mechanism: &str| {
        format!(
            "\n[bus.tls]\nca_file = {ca:?}\n\n[bus.sasl]\nmechanism = \"{mechanism}\"\n\
             username = \"{SCRAM_USER}\"\npassword_file = {password:?}\n"
        )
    };
    let mut configs = vec![(root.join("coordinator.toml"), "SCRAM-SHA-512")];
    for system in SYSTEMS {
        configs.push((
            root.join(format!("connectors/{system}.toml")),
            "SCRAM-SHA-256",
        ));
    }
    for (file, mechanism) in configs {
        let mut text = std::fs::read_to_string(&file).expect("configuration");
        text.push_str(&section(mechanism));
        std::fs::write(&file, text).expect("configuration");
    }
    broker
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Reads every message ever sent on the work topics and the acknowledgment topic (with a
/// consumer group of its own), at least `expected` of them, and sends each once more.
/// Returns how many.
pub async fn replay_topics(brokers: &str, expected: usize) -> usize {
    use erasure_bus::conformance::Recorder;
    use erasure_bus::kafka::{KafkaConfig, KafkaTransport};
    use erasure_bus::{Transport, topics};
    let config = KafkaConfig {
        idempotent: true,
        brokers: brokers.to_owned(),
        group_id: format!("replay-{}", uuid::Uuid::new_v4().simple()),
        partitions: 6,
        replication_factor: 1,
        client_id: "replay".into(),
        security: Default::default(),
    };
    let transport = KafkaTransport::new(config).expect("kafka transport");
    let mut names: Vec<String> = SYSTEMS.iter().map(|s| topics::work(s)).collect();
    names.push(topics::ACKS.to_owned());
    let mut recorders = Vec::new();
    let mut subscriptions = Vec::new();
    for name in &names {
        let recorder = Recorder::failing_first(0);
        subscriptions.push(
            transport
                .subscribe(name, recorder.clone())
                .await
                .expect("subscribe"),
        );
        recorders.push(recorder);
    }
    // Until the expected number arrived and nothing more comes for two seconds.
    let mut seen = 0;
    for _ in 0..120 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now: usize = recorders.iter().map(|r| r.messages().len()).sum();
        if now >= expected && now == seen {
            break;
        }
        seen = now;
    }
    drop(subscriptions);
    let messages: Vec<_> = recorders.iter().flat_map(|r| r.messages()).collect();
    for m in &messages {
        transport.send(m.clone()).await.expect("send again");
    }
    messages.len()
}
