//! A camera archive in a temporary directory: per person, pictures and a nested clip under
//! `customers/<customer id>/`, and an upload under `by-email/<e-mail>/`. Seeded and
//! counted with `std::fs`, never through the connector.
//! [`s3`]: a bucket of its own per test on the S3 test server, for the S3 tests.

#![allow(dead_code)]

pub mod s3;

use async_trait::async_trait;
use erasure_connector_object_store::{Config, ObjectStoreConnector};
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::KitSubject;
use erasure_core::{IdentifierKind, Identifiers};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;

pub const CONFIG: &str = r#"
    root = "cameras"
    keys = ["customers/{customer_id}/", "by-email/{email}/"]
"#;

pub struct Cameras {
    pub dir: TempDir,
    pub connector: Arc<ObjectStoreConnector>,
}

pub async fn cameras() -> Cameras {
    let dir = tempfile::tempdir().expect("tempdir");
    let config: Config = toml::from_str(CONFIG).expect("config parses");
    let connector = ObjectStoreConnector::new(config, dir.path()).expect("config valid");
    Cameras {
        dir,
        connector: Arc::new(connector),
    }
}

impl Cameras {
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("cameras")
    }

    /// The person's directories (those of the identifiers they have).
    pub fn person_dirs(&self, person: &Identifiers) -> Vec<PathBuf> {
        let mut dirs = Vec::new();
        for cid in person.values(IdentifierKind::CustomerId) {
            dirs.push(self.root().join("customers").join(cid));
        }
        for email in person.values(IdentifierKind::Email) {
            dirs.push(self.root().join("by-email").join(email));
        }
        dirs
    }

    pub fn write(&self, relative: &str, bytes: &[u8]) {
        let path = self.root().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
}

/// Files under `dir`, recursively; 0 if it does not exist.
pub fn count_files(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| e.expect("entry").path())
        .map(|p| if p.is_dir() { count_files(&p) } else { 1 })
        .sum()
}

#[async_trait]
impl KitSubject for Cameras {
    fn connector(&self) -> Arc<dyn Connector> {
        self.connector.clone()
    }

    async fn seed(&self, person: &Identifiers) {
        let [by_customer, by_email] =
            [IdentifierKind::CustomerId, IdentifierKind::Email].map(|k| {
                person
                    .values(k)
                    .next()
                    .expect("kit people have every identifier")
            });
        for name in ["cam1-0001.jpg", "cam1-0002.jpg", "clips/2025-01-01.mp4"] {
            self.write(
                &format!("customers/{by_customer}/{name}"),
                b"\xff\xd8 frame",
            );
        }
        self.write(&format!("by-email/{by_email}/upload.png"), b"\x89PNG");
    }

    async fn remaining(&self, person: &Identifiers) -> u64 {
        self.person_dirs(person)
            .iter()
            .map(|d| count_files(d))
            .sum()
    }
}
