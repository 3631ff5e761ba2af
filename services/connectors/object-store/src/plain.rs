//! Any `object_store` implementation as a [`Backend`]: list every object under the prefix,
//! delete each, list again. Used for stores given to
//! [`crate::ObjectStoreConnector::with_store`], and for S3-compatible stores that do not
//! implement object versions (see [`crate::s3`]).

use crate::backend::{Backend, Counts, StepError};
use async_trait::async_trait;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore};
use std::sync::Arc;

/// Objects as `object_store` sees them: no versions, no symbolic links.
#[derive(Debug, Clone)]
pub struct PlainBackend {
    store: Arc<dyn ObjectStore>,
}

impl PlainBackend {
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl Backend for PlainBackend {
    async fn probe(&self) -> Result<(), StepError> {
        let prefix = Path::from(crate::backend::PROBE_PREFIX);
        list(self.store.as_ref(), &prefix)
            .await
            .map(|_| ())
            .map_err(|kind| StepError::failed("listing", kind))
    }

    async fn erase_prefix(&self, prefix: &Path) -> Result<Counts, StepError> {
        let store = self.store.as_ref();
        let objects = list(store, prefix)
            .await
            .map_err(|kind| StepError::failed("listing", kind))?;
        let mut deleted = 0;
        for object in &objects {
            match store.delete(&object.location).await {
                Ok(()) => deleted += 1,
                // Gone meanwhile (a concurrent erasure): not ours to count, and not left over.
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(StepError::failed("deleting", error_kind(&e))),
            }
        }
        let left = list(store, prefix)
            .await
            .map_err(|kind| StepError::failed("listing again", kind))?;
        Ok(Counts {
            deleted,
            remaining: left.len() as u64,
            ..Counts::default()
        })
    }
}

async fn list(store: &dyn ObjectStore, prefix: &Path) -> Result<Vec<ObjectMeta>, &'static str> {
    let listing = store.list(Some(prefix)).try_collect().await;
    listing.map_err(|e| error_kind(&e))
}

/// The kind of a store error, without its message.
pub fn error_kind(error: &object_store::Error) -> &'static str {
    match error {
        object_store::Error::NotFound { .. } => "not found",
        object_store::Error::PermissionDenied { .. } => "permission denied",
        object_store::Error::Unauthenticated { .. } => "unauthenticated",
        object_store::Error::InvalidPath { .. } => "invalid path",
        object_store::Error::NotSupported { .. } => "not supported",
        _ => "storage error",
    }
}
