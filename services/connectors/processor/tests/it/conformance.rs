//! The SDK's conformance kit, in its `recipient` variant (a new attempt of a finished task
//! repeats its answer rather than telling the processor twice), against three processors
//! that hold the kit's people: a synchronous API, an asynchronous one followed by
//! polling, and an OpenDSR one. Each keeps its data itself; the kit seeds and counts it
//! there, never through the connector. And the kit's failure cases, against a processor
//! nobody answers for and one whose API has no such route.

use crate::support::customers::Customers;
use crate::support::jobs::Jobs;
use crate::support::opendsr::OpenDsrProcessor;
use crate::support::{Built, Data, build, free_port};
use async_trait::async_trait;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::KitSubject;
use erasure_connector_sdk::kit::failure_cases::FailingSubject;
use erasure_core::{IdentifierKind, Identifiers};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// A connector and the processor it tells.
pub struct Subject {
    built: Built,
    processor: Arc<dyn Holds>,
    /// How the processor files a person's values.
    filed: fn(&Identifiers) -> Vec<String>,
}

/// A test processor, by what it holds.
pub trait Holds: Send + Sync {
    fn data(&self) -> &Data;
}

impl Holds for Customers {
    fn data(&self) -> &Data {
        &self.data
    }
}

impl Holds for Jobs {
    fn data(&self) -> &Data {
        &self.data
    }
}

impl Holds for OpenDsrProcessor {
    fn data(&self) -> &Data {
        &self.data
    }
}

#[async_trait]
impl KitSubject for Subject {
    fn connector(&self) -> Arc<dyn Connector> {
        self.built.connector.clone()
    }

    async fn seed(&self, person: &Identifiers) {
        self.processor.data().hold((self.filed)(person));
    }

    async fn remaining(&self, person: &Identifiers) -> u64 {
        let data = self.processor.data();
        (self.filed)(person)
            .iter()
            .filter(|v| data.holds(v))
            .count() as u64
    }
}

fn customer_ids(person: &Identifiers) -> Vec<String> {
    person
        .values(IdentifierKind::CustomerId)
        .map(str::to_owned)
        .collect()
}

fn emails(person: &Identifiers) -> Vec<String> {
    person
        .values(IdentifierKind::Email)
        .map(str::to_owned)
        .collect()
}

/// E-mail addresses as SHA-256 hex (what the OpenDSR processor takes), customer ids raw.
fn opendsr_filed(person: &Identifiers) -> Vec<String> {
    let hashed = emails(person)
        .into_iter()
        .map(|e| hex::encode(Sha256::digest(e.as_bytes())));
    hashed.chain(customer_ids(person)).collect()
}

async fn synchronous() -> Subject {
    let api = Customers::new();
    let base = api.start().await;
    let config = format!(
        r#"state = "state.sqlite"
        allow_http = true
        [request]
        method = "DELETE"
        url = "{base}/v1/customers/{{customer_id}}"
        [success]
        field = "/result"
        values = ["deleted"]
        [nothing_found]
        status = [404]"#
    );
    Subject {
        built: build(&config, &[], &[]),
        processor: api,
        filed: customer_ids,
    }
}

async fn asynchronous() -> Subject {
    let api = Jobs::new(2);
    let base = api.start().await;
    Subject {
        built: build(&crate::jobs::polled(&base, 30), &[], &[]),
        processor: api,
        filed: emails,
    }
}

async fn opendsr() -> Subject {
    let processor = OpenDsrProcessor::new("processor-ec", 1);
    let base = processor.start().await;
    Subject {
        built: crate::opendsr::opendsr(&base, 30),
        processor,
        filed: opendsr_filed,
    }
}

erasure_connector_sdk::connector_conformance!(synchronous_api, synchronous, recipient);
erasure_connector_sdk::connector_conformance!(asynchronous_api, asynchronous, recipient);
erasure_connector_sdk::connector_conformance!(opendsr_processor, opendsr, recipient);

/// A processor nobody answers for, and one whose API has no such route (the
/// configuration does not match it).
#[derive(Default)]
pub struct Broken {
    /// The connectors' directories, kept while the subject lives.
    built: Mutex<Vec<Built>>,
}

impl Broken {
    fn keep(&self, built: Built) -> Arc<dyn Connector> {
        let connector = built.connector.clone();
        self.built.lock().expect("built").push(built);
        connector
    }
}

/// DELETE `<base><path>`, where `path` names `{customer_id}`; 404 is nothing found.
fn deleting(base: &str, path: &str) -> String {
    format!(
        "state = \"state.sqlite\"\nallow_http = true\n[request]\nmethod = \"DELETE\"\n\
         url = \"{base}{path}\"\n[nothing_found]\nstatus = [404]"
    )
}

#[async_trait]
impl FailingSubject for Broken {
    async fn unreachable(&self) -> Arc<dyn Connector> {
        let base = format!("http://127.0.0.1:{}", free_port());
        self.keep(build(
            &deleting(&base, "/v1/customers/{customer_id}"),
            &[],
            &[],
        ))
    }

    /// The route takes POST only, so the API answers 405: a 4xx that is not "nothing
    /// found".
    async fn mismatched(&self) -> Arc<dyn Connector> {
        let base = Customers::new().start().await;
        let path = "/v1/people/forget?customer={customer_id}";
        self.keep(build(&deleting(&base, path), &[], &[]))
    }
}

async fn broken() -> Broken {
    Broken::default()
}

erasure_connector_sdk::failure_conformance!(processor_failures, broken);
