//! The coordinator: its rooms assembled over one store, vault, signing key and clock. The
//! gRPC edge and the tests call the use cases here; background workers take the rooms
//! they need ([`Coordinator::streams`], [`Coordinator::sealer`], ...).

use crate::certify::Notary;
use crate::clock::Clock;
use crate::commands::Commands;
use crate::error::CoordinatorError;
use crate::export::Export;
use crate::ingest::Ingest;
use crate::sealing::Sealer;
use crate::streams::{Storage, Streams};
use crate::submit::{Intake, SubmitInput, Submitted};
use crate::transparency::TransparencyLog;
use crate::vault::Vault;
use erasure_bus::Message;
use erasure_core::access::Actor;
use erasure_core::decide::Policy;
use erasure_core::inventory::Inventory;
use erasure_core::{RequestState, SystemId};
use erasure_proof::{KeyPair, TrustStore};
use erasure_proto::v1 as pb;
use std::sync::Arc;

#[derive(Debug)]
pub struct Coordinator {
    streams: Streams,
    sealer: Sealer,
    notary: Arc<Notary>,
    inventory: Arc<Inventory>,
    policy: Arc<Policy>,
    intake: Intake,
    acks: Ingest,
    commands: Commands,
    export: Export,
}

impl Coordinator {
    /// A coordinator with the default policy (no retention rules, default retries).
    pub fn new(
        storage: Arc<dyn Storage>,
        vault: Vault,
        inventory: Inventory,
        signer: KeyPair,
        trust: TrustStore,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let sealer = Sealer::new(Arc::new(vault), storage.clone());
        Self::assemble(
            Streams::new(storage, clock),
            sealer,
            Arc::new(Notary::new(signer, trust)),
            Arc::new(inventory),
            Arc::new(Policy::default()),
        )
    }

    /// Retention rules, retries and deadline warnings.
    pub fn with_policy(self, policy: Policy) -> Self {
        let Self {
            streams,
            sealer,
            notary,
            inventory,
            ..
        } = self;
        Self::assemble(streams, sealer, notary, inventory, Arc::new(policy))
    }

    fn assemble(
        streams: Streams,
        sealer: Sealer,
        notary: Arc<Notary>,
        inventory: Arc<Inventory>,
        policy: Arc<Policy>,
    ) -> Self {
        Self {
            intake: Intake {
                streams: streams.clone(),
                sealer: sealer.clone(),
                inventory: inventory.clone(),
                policy: policy.clone(),
            },
            acks: Ingest {
                streams: streams.clone(),
                notary: notary.clone(),
                policy: policy.clone(),
                sealer: sealer.clone(),
            },
            commands: Commands {
                streams: streams.clone(),
                notary: notary.clone(),
                policy: policy.clone(),
                sealer: sealer.clone(),
            },
            export: Export {
                streams: streams.clone(),
                notary: notary.clone(),
            },
            streams,
            sealer,
            notary,
            inventory,
            policy,
        }
    }

    pub fn streams(&self) -> &Streams {
        &self.streams
    }

    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    pub fn notary(&self) -> &Arc<Notary> {
        &self.notary
    }

    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// The acknowledgment topic's handler.
    pub fn acks(&self) -> &Ingest {
        &self.acks
    }

    /// Timers and operators' commands.
    pub fn commands(&self) -> &Commands {
        &self.commands
    }

    /// Public keys of the coordinator and every trusted connector.
    pub fn public_keys(&self) -> TrustStore {
        self.notary.public_keys()
    }

    /// Submits with nobody authenticated (open mode, tests); see [`Self::submit_by`].
    pub async fn submit(&self, input: SubmitInput) -> Result<Submitted, CoordinatorError> {
        self.submit_by(input, &Actor::unauthenticated()).await
    }

    /// Submits, recording who did.
    pub async fn submit_by(
        &self,
        input: SubmitInput,
        by: &Actor,
    ) -> Result<Submitted, CoordinatorError> {
        self.intake.submit(input, by).await
    }

    pub async fn ingest(&self, message: &Message) -> Result<(), CoordinatorError> {
        self.acks.ingest(message).await
    }

    pub async fn ingest_resolution(&self, message: &Message) -> Result<(), CoordinatorError> {
        self.acks.ingest_resolution(message).await
    }

    pub async fn get(&self, request_id: &str) -> Result<RequestState, CoordinatorError> {
        self.streams.get(request_id).await
    }

    pub async fn tick(&self, request_id: &str) -> Result<RequestState, CoordinatorError> {
        self.commands.tick(request_id).await
    }

    pub async fn extend(
        &self,
        request_id: &str,
        months: u32,
        reason: &str,
        by: &Actor,
    ) -> Result<RequestState, CoordinatorError> {
        self.commands.extend(request_id, months, reason, by).await
    }

    pub async fn reject(
        &self,
        request_id: &str,
        reason: &str,
        by: &Actor,
    ) -> Result<RequestState, CoordinatorError> {
        self.commands.reject(request_id, reason, by).await
    }

    pub async fn retry(
        &self,
        request_id: &str,
        system: Option<&SystemId>,
        reason: &str,
        by: &Actor,
    ) -> Result<RequestState, CoordinatorError> {
        self.commands.retry(request_id, system, reason, by).await
    }

    /// An operator closes a manual task (see [`Commands::attest`]).
    pub async fn attest(
        &self,
        request_id: &str,
        attestation: erasure_core::events::Attestation,
    ) -> Result<RequestState, CoordinatorError> {
        self.commands.attest(request_id, attestation).await
    }

    /// Opens a request's sealed identifiers (for its work orders).
    pub async fn open_identifiers(
        &self,
        state: &RequestState,
    ) -> Result<pb::Identifiers, CoordinatorError> {
        self.sealer.open(state).await
    }

    pub async fn certificate_json(
        &self,
        request_id: &str,
        log: &TransparencyLog,
    ) -> Result<String, CoordinatorError> {
        self.export.certificate_json(request_id, log).await
    }

    pub async fn supplements_json(
        &self,
        request_id: &str,
        log: &TransparencyLog,
    ) -> Result<Vec<String>, CoordinatorError> {
        self.export.supplements_json(request_id, log).await
    }

    /// A transparency log over this coordinator's store, signing heads with its key.
    pub fn transparency_log(&self) -> Arc<TransparencyLog> {
        TransparencyLog::new(self.streams.clone(), Arc::clone(&self.notary))
    }
}
