//! `erasure bench --start`: its own server, the people it seeded erased from every system,
//! and the figures it reports. Figures are checked for presence and order, never for speed.

use erasure_tests::{cli, count, files_under, ok};
use serde_json::Value;
use std::path::Path;

fn number(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing or not a number in {v}"))
}

/// p50 <= p90 <= p99 <= p99.9 <= max, all above zero.
fn assert_ordered(p: &Value) {
    let values: Vec<f64> = ["p50_ms", "p90_ms", "p99_ms", "p99.9_ms", "max_ms"]
        .iter()
        .map(|k| number(p, k))
        .collect();
    assert!(values[0] > 0.0, "{p}");
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{p}");
}

/// `erasure bench --start --rate 20 --data-dir DIR EXTRA…`; its standard output.
fn bench_start(dir: &Path, extra: &[&str]) -> String {
    let dir = dir.to_str().expect("utf-8");
    let args = ["bench", "--start", "--rate", "20", "--data-dir", dir];
    ok(&cli(&[&args[..], extra].concat()))
}

#[test]
fn bench_start_erases_the_people_it_seeded_and_reports_its_figures() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = bench_start(
        tmp.path(),
        &[
            "--requests",
            "40",
            "--warmup",
            "10",
            "--prefix",
            "BENCH-t",
            "--json",
        ],
    );
    let report: Value = serde_json::from_str(&out).expect("JSON on stdout");

    assert_eq!(report["requests"], 40, "{report}");
    assert_eq!(report["completed"], 40, "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["warmup"], 10, "{report}");
    assert!(number(&report, "throughput") > 0.0, "{report}");
    assert_ordered(&report["submit"]);
    assert_ordered(&report["certificate"]);
    assert!(
        number(&report["submit"], "p50_ms") <= number(&report["certificate"], "p50_ms"),
        "the submit's answer comes before the certificate: {report}"
    );

    let processes = report["processes"].as_array().expect("processes");
    assert_eq!(processes.len(), 1, "the server started: {report}");
    let server = &processes[0];
    assert_eq!(server["name"], "erasure serve", "{report}");
    for key in [
        "cpu_seconds",
        "cpu_ms_per_request",
        "peak_rss_mib",
        "rss_mib",
    ] {
        assert!(number(server, key) > 0.0, "{key}: {report}");
    }
    assert!(number(&report, "cpu_ms_per_request") > 0.0, "{report}");

    // Warm-up and measured people were seeded; the run says none is left, and so do the
    // systems themselves.
    assert_eq!(report["seeded"]["people"], 50, "{report}");
    for (what, left) in report["seeded"]["left"].as_object().expect("left") {
        assert_eq!(left, 0, "{what} left: {report}");
    }
    let example = tmp.path().join("data/example");
    let left = |file: &str, sql: &str| count(&example.join(file), sql);
    for (file, table) in [
        ("crm.sqlite", "customers"),
        ("telemetry.sqlite", "devices"),
        ("billing.sqlite", "invoices"),
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE customer_number LIKE 'BENCH-t-%'");
        assert_eq!(left(file, &sql), 0, "{table} of the seeded people");
    }
    assert_eq!(
        left(
            "crm.sqlite",
            "SELECT COUNT(*) FROM support_tickets WHERE body LIKE 'Bench Person %'"
        ),
        0
    );
    assert_eq!(
        left(
            "telemetry.sqlite",
            "SELECT COUNT(*) FROM readings WHERE device_id NOT IN (SELECT id FROM devices)"
        ),
        0,
        "readings of erased devices"
    );
    for n in [0, 17, 49] {
        let folder = example.join(format!("cameras/customers/BENCH-t-{n}"));
        assert_eq!(files_under(&folder), 0, "{}", folder.display());
    }
    // The example people were not in the run and are all still there.
    assert_eq!(left("crm.sqlite", "SELECT COUNT(*) FROM customers"), 4);
    assert!(files_under(&example.join("cameras/customers/C-1001")) > 0);
}

#[test]
fn bench_prints_a_table_by_default_and_counts_in_a_temporary_directory() {
    let out = ok(&cli(&[
        "bench",
        "--start",
        "--rate",
        "20",
        "--requests",
        "10",
        "--warmup",
        "0",
    ]));
    for line in [
        "completed         10\n",
        "errors            0\n",
        "  submit  ",
        "  certificate  ",
        "(erasure serve): CPU ",
        "peak RSS ",
        "left in the systems: 0 customers, 0 devices, 0 invoices, 0 camera folders",
    ] {
        assert!(out.contains(line), "{line:?} missing:\n{out}");
    }
}

#[test]
fn bench_start_and_pid_exclude_each_other() {
    let out = cli(&["bench", "--start", "--pid", "1"]);
    assert!(!out.status.success());
    let err = erasure_tests::stderr(&out);
    assert!(err.contains("--pid") && err.contains("--start"), "{err}");
}

#[test]
fn a_pid_that_is_not_running_is_refused_before_the_run() {
    let out = cli(&[
        "--server",
        "http://127.0.0.1:9",
        "bench",
        "--pid",
        "2147483647",
    ]);
    let line = erasure_tests::one_error_line(&out);
    assert!(line.contains("no process 2147483647"), "{line}");
}

/// `example-data --history N`: the completed requests of a bench run copied N times; a
/// server of that directory lists every copy and logs a leaf for each.
#[tokio::test(flavor = "multi_thread")]
async fn a_history_copied_from_completed_requests_is_served_after_a_restart() {
    use erasure_proto::v1 as pb;
    let tmp = tempfile::tempdir().expect("tmp");
    bench_start(
        tmp.path(),
        &["--requests", "8", "--warmup", "0", "--prefix", "HIST"],
    );
    let data = tmp.path().join("data");
    let out = ok(&cli(&[
        "example-data",
        data.to_str().expect("utf-8"),
        "--history",
        "300",
    ]));
    assert!(out.contains("300 requests"), "{out}");
    assert!(out.contains("copied from 8 completed ones"), "{out}");

    let server = erasure_tests::Server::start(&data, &[]);
    let mut client = server.client().await;
    let (mut completed, mut token) = (0, String::new());
    loop {
        let page = client
            .list(pb::ListRequest {
                status: pb::RequestStatus::Completed as i32,
                page_size: 100,
                page_token: token,
                ..Default::default()
            })
            .await
            .expect("list")
            .into_inner();
        completed += page.requests.len();
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(completed, 308, "the run's 8 and 300 copies");
    let head = client
        .get_tree_head(pb::GetTreeHeadRequest {
            tree_size: 0,
            publish: true,
        })
        .await
        .expect("tree head")
        .into_inner();
    assert_eq!(head.tree_size, 308, "a leaf for each certificate");
}
