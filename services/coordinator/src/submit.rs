//! Submitting a request: an idempotency key maps to one request, the identifiers are sealed,
//! the request is received, planned and dispatched in one append.

use crate::error::CoordinatorError;
use crate::sealing::Sealer;
use crate::streams::Streams;
use erasure_core::access::Actor;
use erasure_core::decide::{self, Policy};
use erasure_core::events::RequestReceived;
use erasure_core::inventory::Inventory;
use erasure_core::{Identifiers, RequestId, SystemId, deadline};
use erasure_store::StoreError;
use std::sync::Arc;

/// A validated submit.
#[derive(Debug, Clone)]
pub struct SubmitInput {
    pub idempotency_key: Option<String>,
    pub identifiers: Identifiers,
    pub jurisdiction: String,
    pub channel: String,
    pub verified_by: String,
    pub scope: Vec<SystemId>,
    /// The controller the request is for (validated as an id; the inventory decides
    /// whether it is one of the deployment's).
    pub controller: Option<String>,
    /// The person asks to be told the recipients of the data (GDPR Art. 19).
    pub disclose_recipients: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub request_id: String,
    pub existing: bool,
}

/// Where requests come in.
#[derive(Clone, Debug)]
pub struct Intake {
    pub(crate) streams: Streams,
    pub(crate) sealer: Sealer,
    pub(crate) inventory: Arc<Inventory>,
    pub(crate) policy: Arc<Policy>,
}

impl Intake {
    #[tracing::instrument(skip_all, fields(request_id = tracing::field::Empty))]
    pub async fn submit(
        &self,
        input: SubmitInput,
        by: &Actor,
    ) -> Result<Submitted, CoordinatorError> {
        self.inventory.check_scope(&input.scope)?;
        self.inventory
            .check_identifiers(&input.scope, &input.identifiers)?;
        let vault = self.sealer.vault();
        let request_id = match &input.idempotency_key {
            Some(k) => vault.request_id_for(k),
            None => uuid::Uuid::new_v4().to_string(),
        };
        tracing::Span::current().record("request_id", request_id.as_str());
        if let Some(existing) = self.existing(&request_id, &input).await? {
            return Ok(existing);
        }
        let received = RequestReceived {
            submitted_by: by.clone(),
            ..self.received(&request_id, &input).await?
        };
        let now = self.streams.now();
        let decision = decide::receive(None, received, &self.inventory, &self.policy, now)?;
        match self.streams.append(&request_id, 0, decision).await {
            Ok(_) => {
                tracing::info!("request received");
                Ok(Submitted {
                    request_id,
                    existing: false,
                })
            }
            // The same idempotency key, submitted concurrently: the other one won.
            Err(CoordinatorError::Store(StoreError::Conflict { .. })) => {
                self.existing(&request_id, &input).await?.ok_or_else(|| {
                    CoordinatorError::Internal("conflict on a stream that does not exist".into())
                })
            }
            Err(e) => Err(e),
        }
    }

    /// An earlier request with the same idempotency key: the same one if its identifiers
    /// match, otherwise a clear refusal.
    async fn existing(
        &self,
        request_id: &str,
        input: &SubmitInput,
    ) -> Result<Option<Submitted>, CoordinatorError> {
        let Some((state, _)) = self.streams.load(request_id).await? else {
            return Ok(None);
        };
        let vault = self.sealer.vault();
        if state.received.blind_index != vault.blind_indexes(&input.identifiers) {
            return Err(CoordinatorError::IdempotencyMismatch(request_id.to_owned()));
        }
        Ok(Some(Submitted {
            request_id: request_id.to_owned(),
            existing: true,
        }))
    }

    /// The `RequestReceived` of a new request, its identifiers sealed.
    async fn received(
        &self,
        request_id: &str,
        input: &SubmitInput,
    ) -> Result<RequestReceived, CoordinatorError> {
        let sealed = self.sealer.seal(request_id, &input.identifiers).await?;
        let vault = self.sealer.vault();
        let now = self.streams.now();
        Ok(RequestReceived {
            disclose_recipients: input.disclose_recipients,
            request_id: RequestId::new(request_id),
            received_at: now,
            deadline: deadline::deadline_for(now.date_naive()),
            jurisdiction: input.jurisdiction.clone(),
            channel: input.channel.clone(),
            verified_by: input.verified_by.clone(),
            scope: input.scope.clone(),
            sealed_identifiers: sealed.identifiers,
            blind_index: vault.blind_indexes(&input.identifiers),
            idempotency_key_hash: input
                .idempotency_key
                .as_deref()
                .map(|k| vault.idempotency_hash(k))
                .unwrap_or_default(),
            identifier_commitment: sealed.commitment,
            controller: input.controller.clone(),
            submitted_by: Actor::unauthenticated(),
        })
    }
}
