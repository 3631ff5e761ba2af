//! The example systems' data: a small smart-home operator's customer register, camera
//! pictures, sensor readings and invoices, created in the data directory on first start.
//!
//! - this module: SQLite databases and local directories ([`seed`], [`seed_into`]);
//! - [`postgres`]: the customer register in a PostgreSQL database;
//! - [`s3`]: the camera pictures in an S3 bucket (versioned);
//! - `people`: the example people, the same in every system;
//! - [`synthetic`]: numbered people for measurements (`erasure bench`).

mod people;
pub mod postgres;
pub mod s3;
pub mod synthetic;

pub use people::PEOPLE;

use anyhow::{Context, Result};
use rusqlite::{Connection, params};
use std::path::Path;

/// Creates the example data under `dir/example` unless it is there already.
/// Returns whether it was created.
pub fn seed(dir: &Path) -> Result<bool> {
    seed_into(&dir.join("example"))
}

/// Creates the example systems' data in `root`: `crm.sqlite`, `telemetry.sqlite`,
/// `support.sqlite`, `cameras/`, `uploads/` (the five systems of the distributed example),
/// `billing.sqlite` (invoices, kept under the retention rules in the embedded example) and
/// `backup-catalog.sqlite` (the backup sets of the embedded example's `backups` system).
pub fn seed_into(root: &Path) -> Result<bool> {
    let marker = root.join(".seeded");
    let billing = root.join("billing.sqlite");
    let catalog = root.join("backup-catalog.sqlite");
    if marker.exists() {
        // A directory seeded before the billing or backups system existed gets its data
        // now: without it their connectors could never answer.
        let mut added = false;
        if !billing.exists() {
            seed_billing(&billing)?;
            added = true;
        }
        if !catalog.exists() {
            seed_backup_catalog(&catalog, chrono::Utc::now())?;
            added = true;
        }
        return Ok(added);
    }
    std::fs::create_dir_all(root).with_context(|| format!("cannot create {}", root.display()))?;
    seed_crm(&root.join("crm.sqlite"))?;
    seed_telemetry(&root.join("telemetry.sqlite"))?;
    seed_support(&root.join("support.sqlite"))?;
    seed_cameras(&root.join("cameras"))?;
    seed_uploads(&root.join("uploads"))?;
    seed_billing(&billing)?;
    seed_backup_catalog(&catalog, chrono::Utc::now())?;
    synthetic::index(root)?;
    std::fs::write(&marker, b"").with_context(|| format!("cannot write {}", marker.display()))?;
    Ok(true)
}

fn open_fresh(path: &Path) -> Result<Connection> {
    let _ = std::fs::remove_file(path);
    Connection::open(path).with_context(|| format!("cannot create {}", path.display()))
}

fn seed_crm(path: &Path) -> Result<()> {
    let mut db = open_fresh(path)?;
    db.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, customer_number TEXT NOT NULL UNIQUE,
             name TEXT, email TEXT, phone TEXT, address TEXT);
         CREATE TABLE contracts (id INTEGER PRIMARY KEY, customer_id INTEGER, product TEXT,
             started TEXT, holder_name TEXT, billing_address TEXT);
         CREATE TABLE support_tickets (id INTEGER PRIMARY KEY, customer_id INTEGER, opened TEXT,
             subject TEXT, body TEXT);",
    )?;
    let tx = db.transaction()?;
    for (i, (number, name, email, phone)) in PEOPLE.iter().enumerate() {
        let id = i as i64 + 1;
        let address = format!("Esimerkkikatu {}, 00100 Helsinki", 10 + i);
        tx.execute(
            "INSERT INTO customers (id, customer_number, name, email, phone, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, number, name, email, phone, address],
        )?;
        for (product, started) in [
            ("Smart Home Basic", "2023-03-01"),
            ("Camera Cloud 30 days", "2024-09-15"),
        ] {
            tx.execute(
                "INSERT INTO contracts (customer_id, product, started, holder_name, billing_address) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, product, started, name, address],
            )?;
        }
        for (opened, subject) in [
            ("2025-01-12", "Thermostat offline"),
            ("2025-06-03", "Camera shows a black picture"),
        ] {
            tx.execute(
                "INSERT INTO support_tickets (customer_id, opened, subject, body) VALUES (?1, ?2, ?3, ?4)",
                params![id, opened, subject, format!("{name} called about: {subject}")],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn seed_telemetry(path: &Path) -> Result<()> {
    let mut db = open_fresh(path)?;
    db.execute_batch(
        "CREATE TABLE devices (id INTEGER PRIMARY KEY, serial TEXT, model TEXT, customer_number TEXT, installed TEXT);
         CREATE TABLE readings (id INTEGER PRIMARY KEY, device_id INTEGER, at TEXT, kind TEXT, value REAL);",
    )?;
    let tx = db.transaction()?;
    let mut device = 0;
    for (number, ..) in PEOPLE {
        for model in ["thermostat T2", "motion sensor M1"] {
            device += 1;
            tx.execute(
                "INSERT INTO devices (id, serial, model, customer_number, installed) VALUES (?1, ?2, ?3, ?4, '2024-01-20')",
                params![device, format!("SN-{device:05}"), model, number],
            )?;
            for hour in 0..24 {
                let (kind, value) = if model.starts_with("thermostat") {
                    ("temperature", 20.5 + f64::from(hour % 5) * 0.3)
                } else {
                    ("motion", f64::from(hour % 2))
                };
                tx.execute(
                    "INSERT INTO readings (device_id, at, kind, value) VALUES (?1, ?2, ?3, ?4)",
                    params![device, format!("2026-11-01T{hour:02}:00:00Z"), kind, value],
                )?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

fn seed_support(path: &Path) -> Result<()> {
    let mut db = open_fresh(path)?;
    db.execute_batch(
        "CREATE TABLE calls (id INTEGER PRIMARY KEY, customer_number TEXT, phone TEXT, at TEXT,
             duration_s INTEGER, notes TEXT);",
    )?;
    let tx = db.transaction()?;
    for (number, name, _, phone) in PEOPLE {
        for (at, notes) in [
            ("2025-02-10T09:12:00Z", "asked about invoice"),
            ("2025-08-21T15:40:00Z", "reported a broken sensor"),
        ] {
            tx.execute(
                "INSERT INTO calls (customer_number, phone, at, duration_s, notes) VALUES (?1, ?2, ?3, 240, ?4)",
                params![number, phone, at, format!("{name} {notes}")],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Invoices are accounting vouchers: the law keeps them for years after an erasure request
/// (`restricted` marks those kept). Oskar (C-1004) has none.
fn seed_billing(path: &Path) -> Result<()> {
    let mut db = open_fresh(path)?;
    db.execute_batch(
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_number TEXT, invoice_number TEXT,
             issued_on TEXT, amount_cents INTEGER, restricted INTEGER NOT NULL DEFAULT 0);",
    )?;
    let invoices = [
        ("C-1001", "2025-03-14", 4_900),
        ("C-1001", "2026-02-10", 5_900),
        ("C-1002", "2025-05-02", 4_900),
        ("C-1002", "2025-11-28", 12_900),
        ("C-1002", "2026-02-10", 5_900),
        ("C-1003", "2026-01-15", 7_500),
    ];
    let tx = db.transaction()?;
    for (i, (number, issued_on, amount_cents)) in invoices.into_iter().enumerate() {
        let invoice_number = format!("INV-{}-{:04}", &issued_on[..4], i + 1);
        tx.execute(
            "INSERT INTO invoices (customer_number, invoice_number, issued_on, amount_cents) VALUES (?1, ?2, ?3, ?4)",
            params![number, invoice_number, issued_on, amount_cents],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Nightly backups of the CRM and the support desk: one set at 02:00 UTC on each of the
/// seven days before `now`, each kept 35 days. A table as a backup tool would keep it.
fn seed_backup_catalog(path: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let mut db = open_fresh(path)?;
    db.execute_batch(
        "CREATE TABLE backup_sets (set_id TEXT PRIMARY KEY, taken_at TEXT NOT NULL,
             expires TEXT NOT NULL, systems TEXT NOT NULL);",
    )?;
    let tx = db.transaction()?;
    for days_ago in 1..=7 {
        let day = now.date_naive() - chrono::Days::new(days_ago);
        let taken_at = day.and_hms_opt(2, 0, 0).unwrap_or_default().and_utc();
        let expires = day + chrono::Days::new(35);
        tx.execute(
            "INSERT INTO backup_sets (set_id, taken_at, expires, systems) VALUES (?1, ?2, ?3, 'crm,support')",
            params![
                format!("nightly-{day}"),
                taken_at.to_rfc3339(),
                expires.to_string()
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn seed_uploads(root: &Path) -> Result<()> {
    for (number, _, email, _) in PEOPLE {
        for (dir, file) in [
            (format!("by-customer/{number}"), "floor-plan.pdf"),
            (format!("by-email/{email}"), "profile.png"),
        ] {
            let dir = root.join(dir);
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let path = dir.join(file);
            std::fs::write(&path, format!("example upload {file}"))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}

fn seed_cameras(root: &Path) -> Result<()> {
    for (number, ..) in PEOPLE {
        for camera in ["front-door", "garden"] {
            let dir = root.join("customers").join(number).join(camera);
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for hour in [8, 12, 18] {
                // A stand-in for a JPEG: the SOI marker, a comment, the EOI marker.
                let picture = [
                    &[0xFF, 0xD8][..],
                    format!("example picture {camera} {hour}").as_bytes(),
                    &[0xFF, 0xD9],
                ]
                .concat();
                let file = dir.join(format!("2026-11-01T{hour:02}-00-00.jpg"));
                std::fs::write(&file, picture)
                    .with_context(|| format!("cannot write {}", file.display()))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The issue dates of a customer's invoices, oldest first.
    fn invoices(root: &Path, customer: &str) -> Vec<String> {
        let db = Connection::open(root.join("billing.sqlite")).expect("open");
        let mut query = db
            .prepare("SELECT issued_on FROM invoices WHERE customer_number = ?1 AND restricted = 0 ORDER BY issued_on")
            .expect("prepare");
        let rows = query.query_map([customer], |r| r.get(0)).expect("query");
        rows.collect::<Result<_, _>>().expect("rows")
    }

    #[test]
    fn billing_has_invoices_for_all_but_one_person() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(seed_into(dir.path()).expect("seeded"));
        assert_eq!(invoices(dir.path(), "C-1001"), ["2025-03-14", "2026-02-10"]);
        assert_eq!(invoices(dir.path(), "C-1002").len(), 3);
        assert_eq!(invoices(dir.path(), "C-1003").len(), 1);
        assert!(invoices(dir.path(), "C-1004").is_empty());
    }

    #[test]
    fn a_directory_seeded_before_billing_gets_it_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        seed_into(dir.path()).expect("seeded");
        std::fs::remove_file(dir.path().join("billing.sqlite")).expect("remove");

        assert!(seed_into(dir.path()).expect("backfilled"));
        assert_eq!(invoices(dir.path(), "C-1001").len(), 2);
        assert!(!seed_into(dir.path()).expect("already there"));
    }
}
