//! Measures the sql connector on PostgreSQL at volume: one person with N readings (default
//! 1,000,000) among other people's, erased through the real connector in batches.
//!
//! ```text
//! export ERASURE_TEST_POSTGRES_URL=$(scripts/start-postgres /tmp/pg | tail -n1)
//! cargo run --release -p erasure-connector-sql --example pg_volume -- 1000000 [batch_size]
//! ```
//!
//! Seeds a throwaway schema (dropped at the end), erases, checks that every row of the
//! other people stays, and prints the total time, rows per second, the number of batches,
//! the longest batch transaction (the longest any row lock was held: as the connector
//! timed it, and as sampled from `pg_stat_activity` while it ran) and the most rows one
//! batch locked. Not a test: the figures depend on the machine (and on the server's
//! settings: `scripts/start-postgres` runs with `fsync = off`).

use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::job;
use erasure_connector_sql::{Config, SqlConnector};
use erasure_core::Identifiers;
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio_postgres::{Client, NoTls};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Other people: this many, with one meter and 100 readings each.
const OTHERS: i64 = 1_000;

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let readings: i64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let batch_size: u64 = args.next().map_or(Ok(10_000), |a| a.parse())?;
    let url = std::env::var("ERASURE_TEST_POSTGRES_URL")
        .map_err(|_| "ERASURE_TEST_POSTGRES_URL is not set: run scripts/start-postgres")?;
    let schema = format!(
        "volume_{}_{}",
        std::process::id(),
        SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos()
    );
    let admin = connect(&url).await?;
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await?;
    let outcome = measure(&url, &schema, readings, batch_size).await;
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await?;
    outcome
}

async fn measure(url: &str, schema: &str, readings: i64, batch_size: u64) -> Result<()> {
    let schema_url = format!("{url}?options=-c%20search_path%3D{schema}&application_name={schema}");
    let client = connect(&schema_url).await?;
    println!(
        "pg_volume: {readings} readings of one person, {} of {OTHERS} others, batch_size {batch_size}",
        OTHERS * 100
    );
    let started = Instant::now();
    seed(&client, readings).await?;
    println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    let others_before = others(&client).await?;

    let connector = connector(&schema_url, schema, batch_size)?;
    let person = Identifiers::parse(None, None, Some("C-1")).map_err(|e| e.to_string())?;
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = tokio::spawn(sample_transactions(
        url.to_owned(),
        schema.to_owned(),
        sampling.clone(),
    ));
    let started = Instant::now();
    let report = connector.erase(&job(&person, "req-volume", 1)).await;
    let took = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let sampled = sampler.await??;

    let evidence: serde_json::Value = serde_json::from_slice(&report.evidence)?;
    let batches = &evidence["batches"];
    let left = count(
        &client,
        "SELECT COUNT(*) FROM readings WHERE device_id BETWEEN 1 AND 4",
    )
    .await?;
    let others_after = others(&client).await?;
    println!("outcome: {:?}; {}", report.outcome, report.evidence_summary);
    println!(
        "erased {} rows in {:.2} s: {:.0} rows/s",
        report.items_affected,
        took.as_secs_f64(),
        report.items_affected as f64 / took.as_secs_f64()
    );
    println!(
        "batches: {} of at most {} rows",
        batches["count"], batches["size"]
    );
    println!(
        "longest batch transaction: {} ms as the connector timed it, {} ms sampled from pg_stat_activity (writing transactions)",
        batches["longest_ms"],
        sampled.as_millis()
    );
    println!(
        "peak row locks: {} (the largest batch's rows; a batch's locks end with its commit)",
        batches["largest"]
    );
    println!("the person's readings left: {left}");
    println!("other people's readings: {others_before} before, {others_after} after");
    if left != 0 || others_after != others_before {
        return Err("the erasure left the person's rows or took other people's".into());
    }
    Ok(())
}

async fn connect(url: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// The person (customer C-1) owns meters 1-4 and `readings` readings; other people own
/// one meter each, with 100 readings.
async fn seed(client: &Client, readings: i64) -> Result<()> {
    client
        .batch_execute(
            "CREATE TABLE devices (id bigint PRIMARY KEY, customer_number text NOT NULL, label text);
             CREATE TABLE readings (id bigserial PRIMARY KEY, device_id bigint NOT NULL,
                 taken_at timestamptz NOT NULL, kwh real NOT NULL);
             INSERT INTO devices SELECT i, 'C-1', 'meter' FROM generate_series(1, 4) i;",
        )
        .await?;
    let others = "INSERT INTO devices SELECT 100 + i, 'C-' || (100 + i), 'meter' FROM generate_series(1, $1::bigint) i";
    client.execute(others, &[&OTHERS]).await?;
    let person = "INSERT INTO readings (device_id, taken_at, kwh)
        SELECT 1 + i % 4, now() - i * interval '15 minutes', random() FROM generate_series(1, $1::bigint) i";
    client.execute(person, &[&readings]).await?;
    let neighbours = "INSERT INTO readings (device_id, taken_at, kwh)
        SELECT 101 + i % $1::bigint, now() - i * interval '15 minutes', random() FROM generate_series(1, $1::bigint * 100) i";
    client.execute(neighbours, &[&OTHERS]).await?;
    client
        .batch_execute("CREATE INDEX ON readings (device_id); ANALYZE devices; ANALYZE readings;")
        .await?;
    Ok(())
}

fn connector(url: &str, schema: &str, batch_size: u64) -> Result<SqlConnector> {
    let text = format!(
        r#"
        url = "{url}"
        progress_schema = "{schema}"
        batch_size = {batch_size}
        [[tables]]
        table = "readings"
        join = {{ column = "device_id", references = "devices.id" }}
        action = "delete"
        [[tables]]
        table = "devices"
        match = [ {{ column = "customer_number", identifier = "customer_id" }} ]
        action = "delete"
        "#
    );
    let config: Config = toml::from_str(&text)?;
    Ok(SqlConnector::new(config, std::path::Path::new("."))?)
}

async fn count(client: &Client, sql: &str) -> Result<i64> {
    Ok(client.query_one(sql, &[]).await?.try_get(0)?)
}

async fn others(client: &Client) -> Result<i64> {
    count(
        client,
        "SELECT COUNT(*) FROM readings WHERE device_id > 100",
    )
    .await
}

/// The longest writing transaction (one with a transaction id: it holds row locks) of
/// the connector's sessions seen while `running`, sampled every 5 ms from
/// `pg_stat_activity` on a connection of its own. Read-only statements (the counts before
/// each table) take no row locks and are left out.
async fn sample_transactions(
    url: String,
    schema: String,
    running: Arc<AtomicBool>,
) -> Result<Duration> {
    let client = connect(&url).await?;
    let sql = "SELECT COALESCE(MAX(EXTRACT(EPOCH FROM clock_timestamp() - xact_start)), 0)::float8
               FROM pg_stat_activity
               WHERE application_name = $1 AND xact_start IS NOT NULL AND backend_xid IS NOT NULL";
    let mut longest = 0f64;
    while running.load(Ordering::Relaxed) {
        let seconds: f64 = client.query_one(sql, &[&schema]).await?.try_get(0)?;
        longest = longest.max(seconds);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(Duration::from_secs_f64(longest))
}
