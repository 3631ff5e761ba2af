//! Store failures, through an in-memory store that fails on command: listing or deleting
//! errors are retryable, objects that survive deletion are retryable, and no message
//! carries an object path.

use async_trait::async_trait;
use erasure_connector_object_store::ObjectStoreConnector;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{alice, assert_no_personal_data, job};
use erasure_core::events::Outcome;
use futures::stream::BoxStream;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{
    GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    List,
    Delete,
    /// Deletes report success but keep the object.
    Ignore,
}

/// InMemory, with one fault.
#[derive(Debug)]
struct Faulty {
    inner: InMemory,
    fault: Fault,
}

impl std::fmt::Display for Faulty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Faulty({:?})", self.fault)
    }
}

/// An error whose message holds an object path, as real store errors do.
fn failure(location: &str) -> object_store::Error {
    object_store::Error::Generic {
        store: "faulty",
        source: format!("cannot reach {location}").into(),
    }
}

#[async_trait]
impl ObjectStore for Faulty {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    async fn delete(&self, location: &Path) -> object_store::Result<()> {
        match self.fault {
            Fault::Delete => Err(failure(location.as_ref())),
            Fault::Ignore => Ok(()),
            Fault::List => self.inner.delete(location).await,
        }
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        if self.fault == Fault::List {
            let location = prefix.map(|p| p.to_string()).unwrap_or_default();
            return Box::pin(futures::stream::once(
                async move { Err(failure(&location)) },
            ));
        }
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy(&self, from: &Path, to: &Path) -> object_store::Result<()> {
        self.inner.copy(from, to).await
    }

    async fn copy_if_not_exists(&self, from: &Path, to: &Path) -> object_store::Result<()> {
        self.inner.copy_if_not_exists(from, to).await
    }
}

async fn connector_with(fault: Fault) -> ObjectStoreConnector {
    let store = Faulty {
        inner: InMemory::new(),
        fault,
    };
    let key = Path::from_iter(["customers", "C-1001", "a.jpg"]);
    store
        .put(&key, PutPayload::from_static(b"x"))
        .await
        .expect("put");
    let keys = ["customers/{customer_id}/".to_owned()];
    ObjectStoreConnector::with_store(Arc::new(store), &keys).expect("valid")
}

#[tokio::test]
async fn a_listing_error_is_retryable_and_names_no_path() {
    let report = connector_with(Fault::List)
        .await
        .erase(&job(&alice(), "r1", 1))
        .await;
    assert_eq!(report.outcome, Outcome::FailedRetryable);
    assert_eq!(
        report.detail,
        "key template customers/{customer_id}/: listing failed: storage error"
    );
    assert_no_personal_data(&report, &alice());
}

#[tokio::test]
async fn a_delete_error_is_retryable_and_names_no_path() {
    let report = connector_with(Fault::Delete)
        .await
        .erase(&job(&alice(), "r1", 1))
        .await;
    assert_eq!(report.outcome, Outcome::FailedRetryable);
    assert_eq!(
        report.detail,
        "key template customers/{customer_id}/: deleting failed: storage error"
    );
    assert_no_personal_data(&report, &alice());
}

#[tokio::test]
async fn objects_still_listed_after_deleting_are_retryable() {
    let report = connector_with(Fault::Ignore)
        .await
        .erase(&job(&alice(), "r1", 1))
        .await;
    assert_eq!(report.outcome, Outcome::FailedRetryable);
    assert_eq!(report.detail, "1 objects still listed after deleting");
    assert!(
        report.evidence_summary.ends_with("1 remain"),
        "{}",
        report.evidence_summary
    );
}
