//! The configurations `docs/processors.md` shows are what the runtime reads: the inventory
//! example passes `erasure config check` and its recipient is told through the API; the
//! standalone connector files are connector files of the `processor` kind.

use erasure_core::inventory::Notice;
use erasure_runtime::check::check;
use erasure_runtime::config::Config;
use erasure_runtime::connector::ConnectorFile;

const PAGE: &str = include_str!("../../../docs/processors.md");

/// The page's TOML blocks, in order.
fn blocks() -> Vec<&'static str> {
    PAGE.split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .collect()
}

fn inventory() -> &'static str {
    let inventories: Vec<&str> = blocks()
        .into_iter()
        .filter(|b| b.starts_with("[[systems]]"))
        .collect();
    assert_eq!(inventories.len(), 1, "the inventory example is gone");
    inventories[0]
}

#[tokio::test]
async fn the_inventory_example_is_sound() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("secrets")).expect("mkdir");
    let secret = dir.path().join("secrets/analytics-client-secret");
    std::fs::write(secret, "s3cret\n").expect("write");
    let file = dir.path().join("erasure.toml");
    std::fs::write(&file, inventory()).expect("write");

    let checked = check(&file, dir.path(), false).await.expect("parses");

    assert_eq!(checked.problems, Vec::<String>::new());
}

#[test]
fn a_processor_connector_tells_its_recipient_through_the_api_or_opendsr() {
    let config = Config::parse(inventory(), "docs/processors.md").expect("parses");
    let recipient = config.systems[0]
        .recipient()
        .expect("valid")
        .expect("a recipient");
    assert_eq!(recipient.via, Notice::Api);

    let opendsr = inventory()
        .split("[systems.connector.request]")
        .next()
        .expect("head")
        .to_owned()
        + "[systems.connector.opendsr]\nbase_url = \"https://opendsr.analytics.example/v1\"\n";
    let config = Config::parse(&opendsr, "an OpenDSR variant").expect("parses");
    let recipient = config.systems[0]
        .recipient()
        .expect("valid")
        .expect("a recipient");
    assert_eq!(recipient.via, Notice::OpenDsr);
}

#[test]
fn the_standalone_files_are_processor_connector_files() {
    let files: Vec<&str> = blocks()
        .into_iter()
        .filter(|block| block.starts_with("system = "))
        .collect();
    assert_eq!(files.len(), 3, "the standalone examples are gone");
    for file in files {
        let parsed = ConnectorFile::parse(file, "docs/processors.md").expect("parses");
        assert_eq!(parsed.connector.kind(), "processor");
    }
}
