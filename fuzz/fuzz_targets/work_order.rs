//! Work orders as a connector receives them from the broker: the input is the message
//! payload, handed to the SDK's [`Runner`] (the bus handler every connector kind runs),
//! which decodes it, checks it, runs a stand-in connector and signs the acknowledgment or
//! resolution; what it publishes is dropped.
#![no_main]

use async_trait::async_trait;
use erasure_bus::{BusError, Handler, Message, Subscription, Transport};
use erasure_connector_sdk::{Connector, Job, Report, Resolution, Runner, RunnerConfig};
use erasure_core::SystemId;
use erasure_core::events::Outcome;
use erasure_fuzz::{SYSTEM, connector_key};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, LazyLock};
use tokio::runtime::Runtime;

/// Erases nothing; answers as a real kind would, from the job.
struct StandIn;

#[async_trait]
impl Connector for StandIn {
    fn kind(&self) -> &'static str {
        "fuzz"
    }

    async fn erase(&self, job: &Job) -> Report {
        match job.holds.is_empty() {
            true => Report::success(Outcome::Erased, 1, "1 row", Vec::new()),
            false => Report::failed_permanent("this kind cannot restrict data"),
        }
    }

    async fn resolve(&self, job: &Job) -> Resolution {
        Resolution::found(job.identifiers.clone())
    }
}

/// Drops what the runner publishes.
struct Sink;

#[async_trait]
impl Transport for Sink {
    async fn send(&self, _message: Message) -> Result<(), BusError> {
        Ok(())
    }

    async fn subscribe(
        &self,
        _topic: &str,
        _handler: Arc<dyn Handler>,
    ) -> Result<Subscription, BusError> {
        Ok(Subscription::new(|| {}))
    }
}

static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
});

static RUNNER: LazyLock<Runner> = LazyLock::new(|| {
    let config = RunnerConfig {
        system_id: SystemId::new(SYSTEM),
        state_path: None,
        max_per_second: None,
    };
    RUNTIME
        .block_on(Runner::new(
            config,
            Arc::new(StandIn),
            connector_key(),
            Arc::new(Sink),
        ))
        .expect("a runner")
});

fuzz_target!(|data: &[u8]| {
    let topic = erasure_bus::topics::work(SYSTEM);
    let message = Message::new(topic, "r-0001", data.to_vec());
    let _ = RUNTIME.block_on(RUNNER.handle(message));
});
