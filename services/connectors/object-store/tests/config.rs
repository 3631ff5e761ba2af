//! The configuration as TOML: on its own, embedded the way the CLI's inventory does (as
//! the content of an internally tagged enum, `kind = "object-store"`), and validated.

mod support;

use erasure_connector_object_store::{Config, ConfigError, ObjectStoreConnector};
use serde::Deserialize;

#[test]
fn the_documented_example_parses_and_builds_creating_the_root() {
    let config: Config = toml::from_str(support::CONFIG).expect("parses");
    assert_eq!(
        config.keys,
        ["customers/{customer_id}/", "by-email/{email}/"]
    );
    let base = tempfile::tempdir().expect("tempdir");
    ObjectStoreConnector::new(config, base.path()).expect("valid");
    assert!(base.path().join("cameras").is_dir());
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum ConnectorConfig {
    ObjectStore(Config),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct System {
    connector: ConnectorConfig,
}

const EMBEDDED: &str = r#"
[connector]
kind = "object-store"
root = "cameras"
keys = ["customers/{customer_id}/"]
"#;

#[test]
fn parses_as_the_content_of_an_internally_tagged_variant() {
    let system: System = toml::from_str(EMBEDDED).expect("parses");
    let ConnectorConfig::ObjectStore(config) = system.connector;
    assert_eq!(config.root, std::path::Path::new("cameras"));
}

#[test]
fn an_unknown_key_is_an_error_naming_the_key() {
    let text = EMBEDDED.replace("root =", "bucket = \"x\"\nroot =");
    let err = toml::from_str::<System>(&text)
        .expect_err("unknown key")
        .to_string();
    assert!(err.contains("bucket"), "{err}");
}

#[test]
fn invalid_configurations_are_refused() {
    let base = tempfile::tempdir().expect("tempdir");
    let build = |root: &str, keys: &[&str]| {
        let config = Config {
            root: root.into(),
            s3: None,
            keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        };
        ObjectStoreConnector::new(config, base.path()).map(drop)
    };
    assert_eq!(build("", &["c/{customer_id}/"]), Err(ConfigError::NoRoot));
    assert_eq!(build("cameras", &[]), Err(ConfigError::NoKeys));
    assert!(matches!(
        build("cameras", &["c/{ssn}/"]),
        Err(ConfigError::Template { .. })
    ));
    std::fs::write(base.path().join("a-file"), b"x").expect("write");
    let err = build("a-file", &["c/{customer_id}/"]).expect_err("root is a file");
    assert!(err.to_string().contains("a-file"), "{err}");
}
