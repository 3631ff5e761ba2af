//! The configurations `docs/opendsr.md` shows are what the runtime reads: the serving
//! example (with an inventory added) is a configuration whose `[opendsr]` is complete, and
//! the federation example is a processor system told over OpenDSR.

use erasure_core::inventory::Notice;
use erasure_runtime::config::Config;
use erasure_runtime::opendsr::Prepared;

const PAGE: &str = include_str!("../../../docs/opendsr.md");

/// The page's TOML blocks, in order.
fn blocks() -> Vec<&'static str> {
    PAGE.split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .collect()
}

const SYSTEM: &str = "[[systems]]\nid = \"crm\"\nmanual = { instructions = \"by hand\" }\n";

#[test]
fn the_serving_example_enables_the_endpoints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let jwks = dir.path().join("jwks.json");
    let text = blocks()[0].replace("/etc/erasure/jwks.json", &jwks.display().to_string());
    let config = Config::parse(&format!("{text}\n{SYSTEM}"), "docs/opendsr.md").expect("parses");
    let opendsr = config.opendsr.as_ref().expect("[opendsr]");
    assert_eq!(opendsr.public_url, "https://erasure.example.com/opendsr/v1");
    assert!(config.server.http_listen.is_some());
    let prepared = Prepared::new(&config, dir.path())
        .expect("complete")
        .expect("enabled");
    assert_eq!(
        prepared.domain, "erasure.example.com",
        "the host of public_url"
    );
    assert!(dir.path().join("keys/opendsr/certificate.pem").exists());
}

#[test]
fn opendsr_without_auth_or_an_http_listener_does_not_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let no_auth = "controllers = [\"a\"]\n[server]\nhttp_listen = \"127.0.0.1:8080\"\n[opendsr]\npublic_url = \"https://x.test/opendsr/v1\"\n";
    let config = Config::parse(&format!("{no_auth}{SYSTEM}"), "test").expect("parses");
    let refused = Prepared::new(&config, dir.path()).expect_err("refused");
    assert!(refused.to_string().contains("needs [auth]"), "{refused}");
}

#[test]
fn the_federation_example_is_a_processor_told_over_opendsr() {
    let federation: Vec<&str> = blocks()
        .into_iter()
        .filter(|b| b.starts_with("[[systems]]"))
        .collect();
    assert_eq!(federation.len(), 1, "the federation example is gone");
    let config = Config::parse(federation[0], "docs/opendsr.md").expect("parses");
    let recipient = config.systems[0]
        .recipient()
        .expect("valid")
        .expect("a recipient");
    assert_eq!(recipient.via, Notice::OpenDsr);
}

#[tokio::test]
async fn config_check_names_what_opendsr_lacks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("erasure.toml");
    let text = "[server]\nhttp_listen = \"127.0.0.1:8080\"\n[opendsr]\npublic_url = \"https://x.test/opendsr/v1\"\n";
    std::fs::write(&file, format!("{text}{SYSTEM}")).expect("write");
    let checked = erasure_runtime::check::check(&file, dir.path(), false)
        .await
        .expect("parses");
    assert_eq!(checked.problems.len(), 1, "{:?}", checked.problems);
    assert!(
        checked.problems[0].contains("needs [auth]"),
        "{:?}",
        checked.problems
    );
    assert!(!dir.path().join("keys").exists(), "a check creates no key");
}
