//! A local directory is never left through a symbolic link: a link under a person's
//! prefix (to a directory or a file outside the root), or a prefix that is itself a link,
//! is neither followed nor deleted, what it leads to survives, and the report says so as
//! a permanent failure (a person must look), after erasing everything else.

#![cfg(unix)]

mod support;

use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{assert_no_personal_data, job};
use erasure_core::events::Outcome;
use erasure_core::{IdentifierKind, Identifiers};
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use support::{Cameras, cameras};

fn customer(id: &str) -> Identifiers {
    Identifiers::unchecked([(IdentifierKind::CustomerId, id)])
}

/// A directory beside the root with a file in it, as another system's data.
fn outside(subject: &Cameras) -> PathBuf {
    let dir = subject.dir.path().join("outside");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("secret.txt"), b"keep").expect("write");
    dir
}

fn assert_links_reported(report: &erasure_connector_sdk::Report, links: u64) {
    assert_eq!(
        report.outcome,
        Outcome::FailedPermanent,
        "{}",
        report.detail
    );
    assert!(
        report.detail.starts_with(&format!(
            "key template customers/{{customer_id}}/: {links} symbolic links under the person's prefixes were not followed"
        )),
        "{}",
        report.detail
    );
}

#[tokio::test]
async fn links_to_a_directory_and_a_file_outside_are_not_followed() {
    let subject = cameras().await;
    let outside = outside(&subject);
    subject.write("customers/C-1/a.jpg", b"x");
    subject.write("customers/C-1/clips/b.mp4", b"x");
    let prefix = subject.root().join("customers/C-1");
    symlink(&outside, prefix.join("linked-dir")).expect("link to a directory");
    symlink(outside.join("secret.txt"), prefix.join("clips/linked.jpg")).expect("link to a file");

    let report = subject
        .connector
        .erase(&job(&customer("C-1"), "req-1", 1))
        .await;

    assert_eq!(
        std::fs::read(outside.join("secret.txt")).expect("kept"),
        b"keep"
    );
    assert_eq!(report.items_affected, 2, "only the files under the root");
    for file in ["a.jpg", "clips/b.mp4"] {
        assert!(
            !prefix.join(file).exists(),
            "the person's own {file} is gone"
        );
    }
    assert!(
        prefix.join("linked-dir").is_symlink(),
        "the link is left to a person"
    );
    assert!(prefix.join("clips/linked.jpg").is_symlink());
    assert_links_reported(&report, 2);
    assert_eq!(
        report.evidence_summary,
        "customers/{customer_id}/: 2 deleted, 2 symbolic links not followed; by-email/{email}/: skipped (no email); 0 remain"
    );
    assert_no_personal_data(&report, &customer("C-1"));
}

#[tokio::test]
async fn a_prefix_that_is_a_link_is_not_followed() {
    let subject = cameras().await;
    let outside = outside(&subject);
    std::fs::create_dir_all(subject.root().join("customers")).expect("mkdir");
    symlink(&outside, subject.root().join("customers/C-2")).expect("link");

    let report = subject
        .connector
        .erase(&job(&customer("C-2"), "req-1", 1))
        .await;

    assert!(outside.join("secret.txt").exists());
    assert_eq!(report.items_affected, 0);
    assert_links_reported(&report, 1);
}

#[tokio::test]
async fn a_link_above_the_prefix_is_not_followed_either() {
    let subject = cameras().await;
    let outside = outside(&subject);
    std::fs::create_dir_all(outside.join("C-3")).expect("mkdir");
    std::fs::write(outside.join("C-3/photo.jpg"), b"keep").expect("write");
    std::fs::create_dir_all(subject.root()).expect("mkdir");
    symlink(&outside, subject.root().join("customers")).expect("link");

    let report = subject
        .connector
        .erase(&job(&customer("C-3"), "req-1", 1))
        .await;

    assert!(outside.join("C-3/photo.jpg").exists());
    assert_links_reported(&report, 1);
}
