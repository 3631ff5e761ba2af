//! The example customer register in a PostgreSQL database (the distributed example's CRM):
//! the same tables and people as `crm.sqlite`.

use super::PEOPLE;
use anyhow::{Context, Result};
use tokio_postgres::NoTls;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS customers (id BIGINT PRIMARY KEY, customer_number TEXT NOT NULL UNIQUE,
        name TEXT, email TEXT, phone TEXT, address TEXT);
    CREATE TABLE IF NOT EXISTS contracts (id BIGSERIAL PRIMARY KEY, customer_id BIGINT, product TEXT,
        started TEXT, holder_name TEXT, billing_address TEXT);
    CREATE TABLE IF NOT EXISTS support_tickets (id BIGSERIAL PRIMARY KEY, customer_id BIGINT,
        opened TEXT, subject TEXT, body TEXT);";

/// Creates the customer register in the database at `url` unless it holds customers
/// already. Returns whether it was created.
pub async fn seed_crm(url: &str) -> Result<bool> {
    let (mut client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .context("cannot connect to the example CRM's PostgreSQL database")?;
    tokio::spawn(connection);
    client
        .batch_execute(SCHEMA)
        .await
        .context("creating the CRM tables")?;
    let existing: i64 = client
        .query_one("SELECT COUNT(*) FROM customers", &[])
        .await?
        .get(0);
    if existing > 0 {
        return Ok(false);
    }
    let tx = client.transaction().await?;
    for (i, (number, name, email, phone)) in PEOPLE.iter().enumerate() {
        let id = i as i64 + 1;
        let address = format!("Esimerkkikatu {}, 00100 Helsinki", 10 + i);
        tx.execute(
            "INSERT INTO customers (id, customer_number, name, email, phone, address) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&id, number, name, email, phone, &address],
        )
        .await?;
        for (product, started) in [
            ("Smart Home Basic", "2023-03-01"),
            ("Camera Cloud 30 days", "2024-09-15"),
        ] {
            tx.execute(
                "INSERT INTO contracts (customer_id, product, started, holder_name, billing_address) VALUES ($1, $2, $3, $4, $5)",
                &[&id, &product, &started, name, &address],
            )
            .await?;
        }
        let body = format!("{name} called about: Thermostat offline");
        tx.execute(
            "INSERT INTO support_tickets (customer_id, opened, subject, body) VALUES ($1, '2025-01-12', 'Thermostat offline', $2)",
            &[&id, &body],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}
