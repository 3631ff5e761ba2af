//! One operator, several controllers: the same person's uploads kept under each
//! controller's prefix. Erasing for one controller leaves the other's copy, and without a
//! controller nothing under a per-controller template is touched.

use erasure_connector_object_store::{Config, ObjectStoreConnector};
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{alice, controller_job, job};
use erasure_core::IdentifierKind;
use erasure_core::events::Outcome;
use std::path::Path;

fn files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

fn uploads() -> (tempfile::TempDir, ObjectStoreConnector, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let email = alice()
        .values(IdentifierKind::Email)
        .next()
        .expect("email")
        .to_owned();
    for client in ["acme", "globex"] {
        let d = dir
            .path()
            .join(format!("uploads/clients/{client}/by-email/{email}"));
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("answers.pdf"), b"%PDF").expect("write");
    }
    let config = Config {
        root: "uploads".into(),
        s3: None,
        keys: vec!["clients/{controller}/by-email/{email}/".into()],
    };
    let connector = ObjectStoreConnector::new(config, dir.path()).expect("valid");
    (dir, connector, email)
}

#[tokio::test]
async fn erasing_for_one_controller_keeps_another_controllers_copy() {
    let (dir, connector, email) = uploads();
    let report = connector
        .erase(&controller_job(&alice(), "req-acme", "acme"))
        .await;
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 1)
    );
    let under = |client: &str| {
        dir.path()
            .join(format!("uploads/clients/{client}/by-email/{email}"))
    };
    assert_eq!(files(&under("acme")), 0);
    assert_eq!(
        files(&under("globex")),
        1,
        "the other controller's copy stays"
    );
}

#[tokio::test]
async fn without_a_controller_nothing_per_controller_is_touched() {
    let (dir, connector, email) = uploads();
    let report = connector.erase(&job(&alice(), "req-none", 1)).await;
    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert!(
        report.detail.contains("per controller"),
        "{}",
        report.detail
    );
    for client in ["acme", "globex"] {
        let d = dir
            .path()
            .join(format!("uploads/clients/{client}/by-email/{email}"));
        assert_eq!(files(&d), 1, "{client}");
    }
}
