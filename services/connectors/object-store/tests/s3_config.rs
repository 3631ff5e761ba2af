//! The `[s3]` configuration: parsed as the inventory writes it, checked when built (no
//! server reached), exactly one of `root` and `[s3]`, and the local paths it names.

use erasure_connector_object_store::{Config, ConfigError, ObjectStoreConnector};
use erasure_connector_sdk::KindConfig;
use std::path::PathBuf;

const S3: &str = r#"
keys = ["customers/{customer_id}/", "by-email/{email}/"]

[s3]
bucket = "cameras"
endpoint = "http://127.0.0.1:9"
region = "eu-north-1"
prefix = "archive/"
allow_http = true
access_key_id = "AKIAEXAMPLE"
secret_access_key_file = "secrets/s3.key"
"#;

fn with_secret() -> tempfile::TempDir {
    let base = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(base.path().join("secrets")).expect("mkdir");
    std::fs::write(base.path().join("secrets/s3.key"), "wJalrXUtnFEMI\n").expect("write");
    base
}

#[test]
fn an_s3_configuration_parses_and_builds_without_reaching_the_store() {
    let config: Config = toml::from_str(S3).expect("parses");
    let s3 = config.s3.as_ref().expect("[s3]");
    assert_eq!(
        (s3.bucket.as_str(), s3.region.as_str()),
        ("cameras", "eu-north-1")
    );
    assert!(config.root.as_os_str().is_empty());
    let base = with_secret();
    ObjectStoreConnector::new(config.clone(), base.path()).expect("valid");
    assert_eq!(
        config.paths(),
        [("s3.secret_access_key_file", PathBuf::from("secrets/s3.key"))],
        "the local paths only"
    );
}

#[test]
fn defaults_are_aws_in_us_east_1_over_https() {
    let config: Config =
        toml::from_str("keys = [\"c/{customer_id}/\"]\n[s3]\nbucket = \"b\"\n").expect("parses");
    let s3 = config.s3.expect("[s3]");
    assert_eq!(s3.region, "us-east-1");
    assert_eq!((s3.endpoint, s3.prefix, s3.allow_http), (None, None, false));
}

#[test]
fn exactly_one_of_root_and_s3() {
    let base = with_secret();
    let both: Config = toml::from_str(&format!("root = \"cameras\"\n{S3}")).expect("parses");
    assert_eq!(
        ObjectStoreConnector::new(both, base.path()).map(drop),
        Err(ConfigError::RootAndS3)
    );
    let neither: Config = toml::from_str("keys = [\"c/{customer_id}/\"]").expect("parses");
    let err = ObjectStoreConnector::new(neither, base.path()).expect_err("neither");
    assert_eq!(err, ConfigError::NoRoot);
    assert!(err.to_string().contains("[s3]"), "{err}");
}

#[test]
fn an_unknown_s3_key_is_an_error_naming_the_key() {
    let text = S3.replace("bucket =", "buckett = \"x\"\nbucket =");
    let err = toml::from_str::<Config>(&text)
        .expect_err("unknown")
        .to_string();
    assert!(err.contains("buckett"), "{err}");
}

#[test]
fn bad_s3_settings_are_named_and_the_secret_never_shown() {
    let base = with_secret();
    let build = |text: String| {
        let config: Config = toml::from_str(&text).expect("parses");
        ObjectStoreConnector::new(config, base.path())
            .expect_err("refused")
            .to_string()
    };
    let http = build(S3.replace("allow_http = true", "allow_http = false"));
    assert!(
        http.contains("endpoint") && http.contains("allow_http"),
        "{http}"
    );
    let prefix = build(S3.replace("\"archive/\"", "\"../up\""));
    assert!(prefix.contains("prefix"), "{prefix}");
    let secret = build(S3.replace("secrets/s3.key", "secrets/missing.key"));
    assert!(secret.contains("secret_access_key_file"), "{secret}");
    let bucket = build(S3.replace("\"cameras\"", "\"\""));
    assert!(bucket.contains("bucket"), "{bucket}");
    for err in [http, prefix, secret, bucket] {
        assert!(!err.contains("wJalrXUtnFEMI"), "{err}");
    }
}
