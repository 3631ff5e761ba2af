use super::*;
use erasure_core::Identifiers;

const KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// Two vaults hold the same master key when one opens what the other wrapped.
fn same_key(a: &Vault, b: &Vault) -> bool {
    let wrapped = a.new_wrapped_key("r1").expect("wrap");
    b.unwrap_key(&wrapped, "r1").is_ok()
}

fn reference() -> Vault {
    Vault::from_hex(KEY, "test").expect("valid key")
}

#[test]
fn the_master_key_comes_from_the_environment_before_any_file() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("other.key"), "11".repeat(32)).expect("write");
    let vault = vault_from(Some(KEY), Some(Path::new("other.key")), dir.path()).expect("vault");
    assert!(same_key(&vault, &reference()));
    assert!(
        !dir.path().join("keys/master.key").exists(),
        "no key is created when one is given"
    );
}

#[test]
fn the_master_key_comes_from_the_configured_file() {
    let dir = tempfile::tempdir().expect("dir");
    let secret = dir.path().join("secret");
    std::fs::create_dir(&secret).expect("mkdir");
    std::fs::write(secret.join("master.key"), format!("{KEY}\n")).expect("write");
    let vault = vault_from(None, Some(Path::new("secret/master.key")), dir.path()).expect("vault");
    assert!(same_key(&vault, &reference()));
    assert!(!dir.path().join("keys/master.key").exists());
    let absolute = vault_from(Some(" "), Some(&secret.join("master.key")), dir.path());
    assert!(same_key(&absolute.expect("vault"), &reference()));
}

#[test]
fn a_configured_master_key_file_that_is_missing_is_an_error_not_a_new_key() {
    let dir = tempfile::tempdir().expect("dir");
    let err = vault_from(None, Some(Path::new("missing.key")), dir.path())
        .expect_err("missing file")
        .to_string();
    assert!(err.contains("cannot read master key"), "{err}");
    assert!(err.contains("missing.key"), "{err}");
    assert!(!dir.path().join("missing.key").exists());
}

#[test]
fn without_a_given_key_the_data_directory_keeps_its_own() {
    let dir = tempfile::tempdir().expect("dir");
    let first = vault_from(None, None, dir.path()).expect("created");
    assert!(dir.path().join("keys/master.key").exists());
    let again = vault_from(None, None, dir.path()).expect("loaded");
    assert!(same_key(&first, &again));
}

#[test]
fn a_malformed_master_key_is_a_one_line_error_that_does_not_show_it() {
    let dir = tempfile::tempdir().expect("dir");
    let short = &KEY[..62];
    let err = vault_from(Some(short), None, dir.path())
        .expect_err("too short")
        .to_string();
    assert_eq!(
        err,
        "ERASURE_MASTER_KEY is not 64 hex digits (make one with `openssl rand -hex 32`)"
    );
    std::fs::write(dir.path().join("bad.key"), "zz".repeat(32)).expect("write");
    let err = vault_from(None, Some(Path::new("bad.key")), dir.path())
        .expect_err("not hex")
        .to_string();
    assert!(err.contains("bad.key is not 64 hex digits"), "{err}");
    assert!(!err.contains("zz"), "{err}");
    assert!(!err.contains('\n'), "{err}");
}

#[test]
fn blind_indexes_depend_on_the_given_master_key() {
    let dir = tempfile::tempdir().expect("dir");
    let given = vault_from(Some(KEY), None, dir.path()).expect("vault");
    let own = vault_from(None, None, dir.path()).expect("vault");
    let ids = Identifiers::parse(Some("a@x.fi"), None, None).expect("ids");
    assert_eq!(given.blind_indexes(&ids), reference().blind_indexes(&ids));
    assert_ne!(given.blind_indexes(&ids), own.blind_indexes(&ids));
}

#[test]
fn a_secret_comes_from_a_file_or_an_environment_variable() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("password");
    std::fs::write(&file, "s3cret\n").expect("write");
    assert_eq!(read_secret("p", Some(&file), None).expect("file"), "s3cret");
    // PATH is set in every test process; its value stands in for a secret.
    let path = std::env::var("PATH").expect("PATH");
    assert_eq!(read_secret("p", None, Some("PATH")).expect("env"), path);
}

#[test]
fn a_missing_secret_is_a_one_line_error_naming_where_it_was_looked_for() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("nope");
    let err = read_secret("bus.sasl password", Some(&file), None).expect_err("missing");
    let line = format!("{err:#}");
    assert!(
        line.starts_with("bus.sasl password: cannot read "),
        "{line}"
    );
    assert!(line.contains("nope"), "{line}");
    assert!(!line.contains('\n'), "{line}");
    let err = read_secret(
        "bus.sasl password",
        None,
        Some("ERASURE_TEST_UNSET_VARIABLE_4711"),
    );
    assert_eq!(
        err.expect_err("unset").to_string(),
        "bus.sasl password: environment variable ERASURE_TEST_UNSET_VARIABLE_4711 is not set"
    );
    assert!(read_secret("x", Some(&file), Some("PATH")).is_err());
    assert!(read_secret("x", None, None).is_err());
}
