//! The configuration: the examples of `docs/processors.md` parse and build, mistakes are
//! refused naming the setting, the files a deployment must mount are listed, and
//! `config check --connect` asks the processor.

use crate::support::customers::Customers;
use crate::support::opendsr::fixture;
use crate::support::{build, free_port};
use erasure_connector_processor::{Config, ProcessorConnector};
use erasure_connector_sdk::{Connector, KindConfig};
use std::path::PathBuf;

/// Every TOML example of the documentation with a processor connector: its connector
/// section (the `kind` taken out).
fn documented() -> Vec<toml::Table> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../docs/processors.md");
    let text = std::fs::read_to_string(path).expect("docs/processors.md");
    let blocks: Vec<&str> = text
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("\n```").next())
        .collect();
    assert!(blocks.len() >= 4, "the examples are gone");
    blocks
        .iter()
        .map(|block| {
            let file: toml::Table = toml::from_str(block).expect("an example parses");
            let mut connector = match file.get("systems") {
                Some(systems) => systems.as_array().expect("[[systems]]")[0]["connector"].clone(),
                None => file["connector"].clone(),
            };
            let table = connector.as_table_mut().expect("a connector section");
            assert_eq!(
                table.remove("kind").expect("kind").as_str(),
                Some("processor")
            );
            table.clone()
        })
        .collect()
}

#[test]
fn the_documented_examples_parse_and_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (file, text) in [
        ("secrets/payments-token", "t0ken".to_owned()),
        ("secrets/analytics-client-secret", "s3cret".to_owned()),
        ("certs/marketing-ca.pem", fixture("ca.pem")),
    ] {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, text).expect("write");
    }
    let env = |name: &str| {
        name.ends_with("SECRET")
            .then(|| "s3cret".to_owned())
            .or_else(|| (name == "MARKETING_OPENDSR_TOKEN").then(|| "t0ken".to_owned()))
    };
    let mut protocols = Vec::new();
    for table in documented() {
        let config: Config = table
            .try_into()
            .expect("a documented example is a valid Config");
        ProcessorConnector::with_env(&config, dir.path(), &env)
            .expect("a documented example builds");
        protocols.push(if config.opendsr.is_some() {
            "opendsr"
        } else {
            "request"
        });
    }
    assert_eq!(protocols, ["request", "request", "request", "opendsr"]);
}

fn refused(config: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    match toml::from_str::<Config>(config) {
        Err(e) => e.to_string(),
        Ok(config) => ProcessorConnector::with_env(&config, dir.path(), &|_| None)
            .expect_err("refused")
            .to_string(),
    }
}

const REQUEST: &str =
    "[request]\nmethod = \"DELETE\"\nurl = \"https://api.example/v1/c/{customer_id}\"\n";

#[test]
fn mistakes_are_refused_naming_the_setting() {
    let cases = [
        ("state = \"s\"\n".to_owned(), "request: say how the processor is told"),
        (format!("state = \"s\"\n{REQUEST}[opendsr]\nbase_url = \"https://p.example/v1\"\n"), "opendsr: give [request] or [opendsr], not both"),
        (format!("state = \"s\"\n{}", REQUEST.replace("https", "http")), "request.url: use https://"),
        (format!("state = \"s\"\n{}", REQUEST.replace("{customer_id}", "{ssn}")), "request.url: unknown placeholder {ssn}"),
        (format!("state = \"s\"\n{REQUEST}headers = {{ \"X-Who\" = \"{{email}}\" }}\n"), "request.headers.X-Who: {email}: no identifier may be placed here"),
        (format!("state = \"s\"\n{}", REQUEST.replace("DELETE", "TRACE")), "request.method: use DELETE"),
        (format!("state = \"s\"\n{REQUEST}[job]\nid = \"/id\"\nstatus = \"/s\"\ndone = [\"ok\"]\n"), "job: a job is followed by polling"),
        (format!("state = \"s\"\n{REQUEST}[job]\nid = \"id\"\nstatus = \"/s\"\ndone = [\"ok\"]\npoll_url = \"https://api.example/j/{{job_id}}\"\n"), "job.id: a JSON pointer starts with '/'"),
        (format!("state = \"s\"\n{REQUEST}[callback]\nlisten = \"127.0.0.1:1\"\npublic_url = \"https://cb.example\"\n"), "callback.signature: callbacks must be signed"),
        (format!("state = \"s\"\n{REQUEST}[auth.bearer]\ntoken = {{ env = \"A\" }}\n[auth.oauth2]\ntoken_url = \"https://t.example\"\nclient_id = \"c\"\nclient_secret = {{ env = \"B\" }}\n"), "auth: bearer and oauth2"),
        (format!("state = \"s\"\n{REQUEST}[auth.bearer]\ntoken = {{ env = \"UNSET_TOKEN\" }}\n"), "auth.bearer.token: the environment variable UNSET_TOKEN is not set"),
        (format!("state = \"s\"\nrequest_timeout = 3\n{REQUEST}"), "unknown field `request_timeout`"),
        ("state = \"s\"\n[opendsr]\nbase_url = \"https://p.example/v1\"\ncertificate_file = \"x.pem\"\n[nothing_found]\nstatus = [404]\n".to_owned(), "nothing_found: belongs to [request]"),
        ("state = \"s\"\n[opendsr]\nbase_url = \"https://p.example/v1\"\nidentities = { ssn = \"ssn\" }\ncertificate_file = \"x.pem\"\n".to_owned(), "opendsr.certificate_file: cannot read"),
    ];
    for (config, expected) in cases {
        let error = refused(&config);
        assert!(error.contains(expected), "{expected:?} not in {error:?}");
    }
}

#[test]
fn the_files_a_deployment_mounts_are_listed_with_their_settings() {
    let config: Config = toml::from_str(&format!(
        "state = \"state/p.sqlite\"\n{REQUEST}[auth.bearer]\ntoken = {{ file = \"secrets/t\" }}\n\
         [auth.hmac]\nheader = \"X-S\"\nsecret = {{ env = \"S\" }}\n"
    ))
    .expect("config");
    assert_eq!(
        config.paths(),
        [
            ("state", PathBuf::from("state/p.sqlite")),
            ("auth.bearer.token", PathBuf::from("secrets/t")),
        ]
    );
}

#[tokio::test]
async fn a_check_reads_the_check_url_and_names_what_fails() {
    let api = Customers::new();
    let base = api.start().await;
    let with_check = |url: &str| {
        format!(
            "state = \"s.sqlite\"\nallow_http = true\ncheck_url = \"{url}\"\n\
             [request]\nmethod = \"DELETE\"\nurl = \"{base}/v1/customers/{{customer_id}}\"\n"
        )
    };
    let healthy = build(&with_check(&format!("{base}/v1/health")), &[], &[]);
    let missing = build(&with_check(&format!("{base}/v1/nothing-here")), &[], &[]);
    let down = build(
        &with_check(&format!("http://127.0.0.1:{}/", free_port())),
        &[],
        &[],
    );

    assert_eq!(healthy.connector.check().await, Vec::<String>::new());
    assert_eq!(
        missing.connector.check().await,
        ["connector.check_url: HTTP 404"]
    );
    assert_eq!(
        down.connector.check().await,
        ["connector.check_url: could not connect"]
    );
    assert!(api.log.all().is_empty(), "the check called the erasure API");
}
