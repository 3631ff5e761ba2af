use super::*;

#[test]
fn the_built_in_example_parses() {
    let c = Config::parse(EXAMPLE, "example").expect("example");
    let ids: Vec<_> = c.systems.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["crm", "cameras", "telemetry", "billing", "backups"]);
    let (rules, _) = c.retention.load(Path::new(".")).expect("built-in rules");
    assert!(rules.get("fi-kpl-vouchers").is_some());
    assert!(c.retries.policy().is_ok());
}

#[test]
fn an_unknown_key_is_named() {
    let text = EXAMPLE.replace("[server]\n", "[server]\nlisen = \"x\"\n");
    let err = Config::parse(&text, "f.toml")
        .expect_err("unknown key")
        .to_string();
    assert!(err.contains("lisen"), "{err}");
    let text = EXAMPLE.replace(
        "kind = \"object-store\"\n",
        "kind = \"object-store\"\nbucket = \"b\"\n",
    );
    let err = Config::parse(&text, "f.toml")
        .expect_err("unknown key")
        .to_string();
    assert!(err.contains("bucket"), "{err}");
}

#[test]
fn the_distributed_example_parses_and_runs_no_connector_in_process() {
    let text = include_str!("../../../../deploy/examples/distributed/coordinator.toml");
    let c = Config::parse(text, "distributed").expect("distributed example");
    assert!(matches!(c.bus, BusConfig::Kafka(_)));
    assert!(matches!(c.store, StoreConfig::Postgres { .. }));
    assert_eq!(c.systems.len(), 5);
    assert!(c.systems.iter().all(|s| s.connector.is_none()));
}

#[test]
fn connectors_must_match_the_bus() {
    let text = EXAMPLE.replace(
        "[bus]\nkind = \"embedded\"",
        "[bus]\nkind = \"kafka\"\nbrokers = \"127.0.0.1:9092\"",
    );
    let err = Config::parse(&text, "f")
        .expect_err("kafka with in-process connectors")
        .to_string();
    assert!(err.contains("run as their own processes"), "{err}");
    let err = Config::parse("[[systems]]\nid = \"crm\"\n", "f")
        .expect_err("embedded without connectors")
        .to_string();
    assert!(err.contains("has no [systems.connector]"), "{err}");
}

#[test]
fn bad_retention_and_retry_settings_are_named() {
    let text = EXAMPLE.replace(
        "[retention]\n",
        "[retention]\nfinancial_year_end = \"06-31\"\n",
    );
    let c = Config::parse(&text, "f").expect("shape is fine");
    let err = format!(
        "{:#}",
        c.retention.load(Path::new(".")).expect_err("no 31 June")
    );
    assert!(err.contains("financial_year_end"), "{err}");
    let text = EXAMPLE.replace("[retention]\n", "[retention]\nrules = \"missing.toml\"\n");
    let c = Config::parse(&text, "f").expect("shape is fine");
    let err = format!(
        "{:#}",
        c.retention
            .load(Path::new("/nonexistent"))
            .expect_err("missing")
    );
    assert!(err.contains("cannot read retention rules"), "{err}");
    let text = format!("[retries]\nmax_attempts = 0\n{EXAMPLE}");
    let c = Config::parse(&text, "f").expect("shape is fine");
    assert!(c.retries.policy().is_err());
}

#[test]
fn duplicate_or_malformed_systems_are_refused() {
    let twice = format!(
        "{EXAMPLE}\n[[systems]]\nid = \"crm\"\n[systems.connector]\nkind = \"object-store\"\nroot = \"x\"\nkeys = []\n"
    );
    assert!(
        Config::parse(&twice, "f")
            .expect_err("twice")
            .to_string()
            .contains("declared twice")
    );
}

#[test]
fn the_default_jurisdiction_is_an_iso_code_or_absent() {
    let c = Config::parse(EXAMPLE, "f").expect("example");
    assert_eq!(
        c.retention.default_jurisdiction().expect("FI"),
        Some("FI".into())
    );
    for bad in ["XX", "fi", "Finland"] {
        let text = EXAMPLE.replace(
            "default_jurisdiction = \"FI\"",
            &format!("default_jurisdiction = \"{bad}\""),
        );
        let c = Config::parse(&text, "f").expect("shape is fine");
        let err = c
            .retention
            .default_jurisdiction()
            .expect_err(bad)
            .to_string();
        assert!(err.contains("default_jurisdiction"), "{err}");
    }
    let text = EXAMPLE.replace("default_jurisdiction = \"FI\"\n", "");
    let c = Config::parse(&text, "f").expect("no default");
    assert_eq!(c.retention.default_jurisdiction().expect("none"), None);
}
