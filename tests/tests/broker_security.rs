//! The distributed set-up over a broker that requires SASL/SCRAM, reached over TLS, as a
//! production deployment runs it: the coordinator and the five connectors each configured
//! by `[bus.tls]` (the broker's CA) and `[bus.sasl]` (user and password file). Tansu
//! checks the SCRAM credentials; a TLS terminator stands in front of it for the TLS
//! (see `erasure_tests::tls_front`).

use erasure_tests::distributed::*;
use erasure_tests::*;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn an_erasure_completes_over_scram_and_tls() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut d = Distributed::prepare_scram_over_tls(tmp.path()).await;
    d.start_all();
    let id = d.erase(&[
        "--email",
        "aino.virtanen@example.com",
        "--customer-id",
        "C-1001",
    ]);
    let gone = "SELECT count(*) FROM customers WHERE customer_number = 'C-1001'";
    assert_eq!(pg_count(&d.crm, gone).await, 0, "{}", d.logs());
    assert_eq!(d.cameras.versions("customers/C-1001/").await, 0);
    assert_eq!(d.cameras.versions("customers/C-1002/").await, 12);
    let status = ok(&d.server().cli(&["status", &id]));
    assert!(status.contains("completed"), "{status}");
    // The password file's content is never written anywhere it could leak.
    assert!(!d.logs().contains("correct horse"), "{}", d.logs());
}

/// A process whose broker settings can never work stops at start with the reason, instead
/// of running and retrying forever: a password the broker refuses, a CA the broker's
/// certificate does not chain to. The password itself is never printed.
#[tokio::test(flavor = "multi_thread")]
async fn a_process_the_broker_refuses_stops_and_says_why() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = Distributed::prepare_scram_over_tls(tmp.path()).await;
    let config = tmp.path().join("connectors/crm.toml");
    let good = std::fs::read_to_string(&config).expect("crm.toml");

    let wrong = tmp.path().join("wrong-password");
    std::fs::write(&wrong, "not-the-password-4711\n").expect("file");
    let other_ca = tmp.path().join("other-ca.pem");
    erasure_tests::tls_front::ServerIdentity::issue(&other_ca);
    let cases = [
        ("broker-password", &wrong, "refused the SASL credentials"),
        ("broker-ca.pem", &other_ca, "TLS to the broker failed"),
    ];
    for (file, instead, reason) in cases {
        let setting = tmp.path().join(file);
        std::fs::write(&config, good.replace(path(&setting), path(instead))).expect("crm.toml");
        let out = connector_until_exit(&config, &d);
        let (last, all) = (last_line(&out), stderr(&out));
        assert!(
            last.starts_with("error: ") && last.contains(reason),
            "{all}"
        );
        assert!(!all.contains("not-the-password"), "{all}");
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

fn last_line(o: &Output) -> String {
    stderr(o).lines().last().unwrap_or_default().to_owned()
}

/// Runs `erasure connector` until it exits on its own (killed after two minutes: a
/// connector that keeps running with settings that cannot work fails the test).
fn connector_until_exit(config: &Path, d: &Distributed) -> Output {
    let mut child = Command::new(erasure_bin())
        .args(["connector", "--config"])
        .arg(config)
        .env("ERASURE_KAFKA_BROKERS", &d.broker.clients)
        .env("ERASURE_DATABASE_URL", &d.crm)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn erasure connector");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let running = child.try_wait().expect("wait").is_none();
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    assert!(!running, "still running after 2 minutes:\n{}", stderr(&out));
    assert!(!out.status.success(), "{}", stderr(&out));
    out
}
