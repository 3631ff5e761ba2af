//! Synthetic people for measurements (`erasure bench`, `erasure example-data --people`):
//! `{prefix}-0`, `{prefix}-1`, ... added to the embedded example's systems, so that every
//! erasure of the benchmark finds and deletes real rows through an index, as it would in a
//! production register.
//!
//! Each person is a customer with a contract and a support ticket (crm), a device with four
//! readings (telemetry), an invoice old enough that no retention rule keeps it (billing) and
//! one camera picture (cameras).

use anyhow::{Context, Result};
use rusqlite::{Connection, params};
use std::path::Path;

/// The lookup columns of the example systems, indexed (a register of millions looks a
/// person up through an index, not a scan). `IF NOT EXISTS`: also for a directory seeded
/// before the indexes existed.
const INDEXES: [(&str, &str); 3] = [
    (
        "crm.sqlite",
        "CREATE INDEX IF NOT EXISTS customers_email ON customers (email);
         CREATE INDEX IF NOT EXISTS customers_phone ON customers (phone);
         CREATE INDEX IF NOT EXISTS contracts_customer ON contracts (customer_id);
         CREATE INDEX IF NOT EXISTS support_tickets_customer ON support_tickets (customer_id);",
    ),
    (
        "telemetry.sqlite",
        "CREATE INDEX IF NOT EXISTS devices_customer ON devices (customer_number);
         CREATE INDEX IF NOT EXISTS readings_device ON readings (device_id);",
    ),
    (
        "billing.sqlite",
        "CREATE INDEX IF NOT EXISTS invoices_customer ON invoices (customer_number);",
    ),
];

/// Indexes the lookup and join columns of the example's SQLite systems in `root`.
pub fn index(root: &Path) -> Result<()> {
    for (file, sql) in INDEXES {
        let path = root.join(file);
        let db =
            Connection::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        db.execute_batch(sql)
            .with_context(|| format!("cannot index {}", path.display()))?;
    }
    Ok(())
}

/// The customer number of synthetic person `i`.
pub fn customer_number(prefix: &str, i: usize) -> String {
    format!("{prefix}-{i}")
}

/// Adds `count` synthetic people `{prefix}-0` .. to the example systems in `root`
/// (created first if missing), one transaction per system.
pub fn seed_people(root: &Path, prefix: &str, count: usize) -> Result<()> {
    super::seed_into(root)?;
    index(root)?;
    let numbers: Vec<String> = (0..count).map(|i| customer_number(prefix, i)).collect();
    crm(&root.join("crm.sqlite"), &numbers)?;
    telemetry(&root.join("telemetry.sqlite"), &numbers)?;
    billing(&root.join("billing.sqlite"), &numbers)?;
    cameras(&root.join("cameras"), &numbers)
}

fn open(path: &Path) -> Result<Connection> {
    Connection::open(path).with_context(|| format!("cannot open {}", path.display()))
}

fn crm(path: &Path, numbers: &[String]) -> Result<()> {
    let mut db = open(path)?;
    let tx = db.transaction()?;
    {
        let mut customer = tx.prepare(
            "INSERT INTO customers (customer_number, name, email, phone, address) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut contract = tx.prepare(
            "INSERT INTO contracts (customer_id, product, started, holder_name, billing_address)
             VALUES (?1, 'Smart Home Basic', '2025-01-01', ?2, ?3)",
        )?;
        let mut ticket = tx.prepare(
            "INSERT INTO support_tickets (customer_id, opened, subject, body)
             VALUES (?1, '2025-06-01', 'Thermostat offline', ?2)",
        )?;
        for (i, number) in numbers.iter().enumerate() {
            let name = format!("Bench Person {i}");
            let address = format!("Mittauskatu {i}, 00100 Helsinki");
            let email = format!("{}@bench.example", number.to_lowercase());
            let phone = format!("+35850{:07}", i % 10_000_000);
            customer.execute(params![number, name, email, phone, address])?;
            let id = tx.last_insert_rowid();
            contract.execute(params![id, name, address])?;
            ticket.execute(params![id, format!("{name} called")])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn telemetry(path: &Path, numbers: &[String]) -> Result<()> {
    let mut db = open(path)?;
    let tx = db.transaction()?;
    {
        let mut device = tx.prepare(
            "INSERT INTO devices (serial, model, customer_number, installed)
             VALUES (?1, 'thermostat T2', ?2, '2025-01-20')",
        )?;
        let mut reading = tx.prepare(
            "INSERT INTO readings (device_id, at, kind, value) VALUES (?1, ?2, 'temperature', 21.0)",
        )?;
        for number in numbers {
            device.execute(params![format!("SN-{number}"), number])?;
            let id = tx.last_insert_rowid();
            for hour in [0, 6, 12, 18] {
                reading.execute(params![id, format!("2026-11-01T{hour:02}:00:00Z")])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// One invoice of 2015: no retention rule of the example keeps it any more, so the erasure
/// deletes it (a current invoice would be restricted and kept).
fn billing(path: &Path, numbers: &[String]) -> Result<()> {
    let mut db = open(path)?;
    let tx = db.transaction()?;
    {
        let mut invoice = tx.prepare(
            "INSERT INTO invoices (customer_number, invoice_number, issued_on, amount_cents)
             VALUES (?1, ?2, '2015-03-14', 4900)",
        )?;
        for number in numbers {
            invoice.execute(params![number, format!("INV-{number}")])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn cameras(root: &Path, numbers: &[String]) -> Result<()> {
    for number in numbers {
        let dir = root.join("customers").join(number).join("front-door");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let file = dir.join("2026-11-01T08-00-00.jpg");
        std::fs::write(&file, [0xFF, 0xD8, 0xFF, 0xD9])
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    Ok(())
}

/// What the systems in `root` still hold of the synthetic people `{prefix}-*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Left {
    pub customers: u64,
    pub devices: u64,
    pub invoices: u64,
    pub camera_folders: u64,
}

impl Left {
    pub fn total(&self) -> u64 {
        self.customers + self.devices + self.invoices + self.camera_folders
    }
}

/// Counts what the systems in `root` still hold of the synthetic people `{prefix}-*`.
pub fn left(root: &Path, prefix: &str) -> Result<Left> {
    let like = format!("{prefix}-%");
    let count = |file: &str, sql: &str| -> Result<u64> {
        let db = open(&root.join(file))?;
        let n: i64 = db.query_row(sql, [&like], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    };
    let folders = match std::fs::read_dir(root.join("cameras/customers")) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with(&format!("{prefix}-")))
            })
            .count() as u64,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(e).context("cannot list the camera folders"),
    };
    Ok(Left {
        customers: count(
            "crm.sqlite",
            "SELECT COUNT(*) FROM customers WHERE customer_number LIKE ?1",
        )?,
        devices: count(
            "telemetry.sqlite",
            "SELECT COUNT(*) FROM devices WHERE customer_number LIKE ?1",
        )?,
        invoices: count(
            "billing.sqlite",
            "SELECT COUNT(*) FROM invoices WHERE customer_number LIKE ?1",
        )?,
        camera_folders: folders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_people_are_in_every_system_and_looked_up_through_an_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        seed_people(dir.path(), "BENCH-t", 25).expect("seeded");
        let left = left(dir.path(), "BENCH-t").expect("counted");
        assert_eq!(
            left,
            Left {
                customers: 25,
                devices: 25,
                invoices: 25,
                camera_folders: 25
            }
        );
        assert_eq!(left.total(), 100);
        let db = Connection::open(dir.path().join("telemetry.sqlite")).expect("open");
        let plan: String = db
            .query_row(
                "EXPLAIN QUERY PLAN SELECT id FROM devices WHERE customer_number = 'BENCH-t-3'",
                [],
                |r| r.get(3),
            )
            .expect("plan");
        assert!(plan.contains("INDEX devices_customer"), "{plan}");
    }

    #[test]
    fn runs_with_different_prefixes_are_counted_apart() {
        let dir = tempfile::tempdir().expect("tempdir");
        seed_people(dir.path(), "BENCH-1", 3).expect("seeded");
        seed_people(dir.path(), "BENCH-10", 2).expect("seeded again");
        assert_eq!(left(dir.path(), "BENCH-1").expect("counted").customers, 3);
        assert_eq!(left(dir.path(), "BENCH-10").expect("counted").total(), 8);
        assert_eq!(
            left(dir.path(), "C").expect("counted").customers,
            4,
            "the example people"
        );
    }
}
