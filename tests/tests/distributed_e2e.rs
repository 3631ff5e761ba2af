//! The end-to-end erasure of the embedded test, in distributed mode: PostgreSQL event
//! store, a Kafka-compatible broker, the coordinator and five connectors as processes; the
//! customer register in PostgreSQL and the camera pictures in a versioned S3 bucket.

use erasure_tests::distributed::*;
use erasure_tests::*;

#[tokio::test(flavor = "multi_thread")]
async fn erasing_a_person_across_five_connector_processes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut d = Distributed::prepare(tmp.path()).await;
    d.start_all();
    let data = d.data();
    assert_eq!(
        d.cameras.versions("customers/C-1001/").await,
        12,
        "two versions each"
    );

    let id = d.erase(&[
        "--email",
        "aino.virtanen@example.com",
        "--phone",
        "+358401234567",
        "--customer-id",
        "C-1001",
    ]);
    let status = ok(&d.server().cli(&["status", &id]));
    for system in SYSTEMS {
        assert!(status.contains(&format!("  {system}")), "{status}");
    }

    assert_eq!(
        pg_count(
            &d.crm,
            "SELECT count(*) FROM customers WHERE customer_number = 'C-1001'"
        )
        .await,
        0
    );
    assert_eq!(pg_count(&d.crm, "SELECT count(*) FROM customers").await, 3);
    assert_eq!(
        count(
            &data.join("telemetry.sqlite"),
            "SELECT count(*) FROM readings WHERE device_id IN (1, 2)"
        ),
        0
    );
    assert_eq!(
        count(
            &data.join("support.sqlite"),
            "SELECT count(*) FROM calls WHERE customer_number = 'C-1001'"
        ),
        0
    );
    assert_eq!(
        count(&data.join("support.sqlite"), "SELECT count(*) FROM calls"),
        6
    );
    assert_eq!(
        d.cameras.versions("customers/C-1001/").await,
        0,
        "every version"
    );
    assert_eq!(d.cameras.versions("customers/C-1002/").await, 12);
    assert_eq!(files_under(&data.join("uploads/by-customer/C-1001")), 0);
    assert_eq!(
        files_under(&data.join("uploads/by-email/aino.virtanen@example.com")),
        0
    );
    assert_eq!(
        files_under(&data.join("uploads/by-email/mikko.korhonen@example.com")),
        1
    );

    let cert = tmp.path().join("cert.json");
    ok(&d
        .server()
        .cli(&["certificate", &id, "-o", cert.to_str().expect("utf-8")]));
    let trust = tmp.path().join("coordinator-data/trust.json");
    let verified = ok(&cli(&[
        "verify",
        cert.to_str().expect("utf-8"),
        "--trust",
        trust.to_str().expect("utf-8"),
    ]));
    assert!(verified.contains("is valid"), "{verified}");
    assert_eq!(
        verified.matches("ok    acknowledgment of").count(),
        5,
        "{verified}"
    );

    // Events are in PostgreSQL, sealed; logs hold no identifier.
    let events = pg_count(
        &d.database,
        &format!("SELECT count(*) FROM events WHERE stream_id = '{id}'"),
    )
    .await;
    assert!(events >= 1 + 1 + 5 + 5 + 2, "{events} events");
    let logs = d.logs();
    for secret in ["aino", "C-1001", "+358401234567"] {
        assert!(!logs.contains(secret), "{secret} in a log");
    }
}
