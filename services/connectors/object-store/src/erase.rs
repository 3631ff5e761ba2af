//! The I/O: for each template that applies to the person, list every object under its
//! prefix, delete each, and list again; what the second listing finds is the evidence of
//! what remains.
//!
//! Store errors are reported by kind only ("permission denied"): the store's own messages
//! hold object paths, and object paths hold identifiers.

use crate::template::{KeyTemplate, Rendered};
use erasure_core::{IdentifierKind, Identifiers};
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore};

/// What one template came to for one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateResult {
    /// Objects deleted under the prefix, and objects found there afterwards.
    Erased { deleted: u64, remaining: u64 },
    /// The person has no identifier of this kind.
    Absent(IdentifierKind),
    /// The person's identifier of this kind cannot be used in a key.
    Refused(IdentifierKind),
    /// The template is per controller and the request names none: nothing was touched.
    NoController,
}

/// A template and what it came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateOutcome {
    pub template: String,
    pub result: TemplateResult,
}

/// A store operation failed: retryable, as a store that cannot list is down or denies
/// access for now, or a person must fix its permissions, and the retry shows when.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("key template {template}: {step} failed: {kind}")]
pub struct StoreFailure {
    pub template: String,
    pub step: &'static str,
    pub kind: &'static str,
}

/// Applies every template to `person`: under each of its prefixes, everything is erased;
/// a template with a value unusable in a key is reported refused (after the prefixes of
/// its other values were erased).
pub async fn run(
    store: &dyn ObjectStore,
    templates: &[KeyTemplate],
    person: &Identifiers,
    controller: Option<&str>,
) -> Result<Vec<TemplateOutcome>, StoreFailure> {
    let mut outcomes = Vec::with_capacity(templates.len());
    for template in templates {
        let mut result = TemplateResult::Erased {
            deleted: 0,
            remaining: 0,
        };
        let mut refused = None;
        for rendered in template.render(person, controller) {
            match rendered {
                Rendered::Absent(kind) => result = TemplateResult::Absent(kind),
                Rendered::NoController => result = TemplateResult::NoController,
                Rendered::Refused(kind) => refused = Some(kind),
                Rendered::Prefix(prefix) => {
                    let (deleted, remaining) =
                        erase_prefix(store, &prefix).await.map_err(|(step, kind)| {
                            StoreFailure {
                                template: template.source().to_owned(),
                                step,
                                kind,
                            }
                        })?;
                    if let TemplateResult::Erased {
                        deleted: d,
                        remaining: r,
                    } = &mut result
                    {
                        *d += deleted;
                        *r += remaining;
                    }
                }
            }
        }
        outcomes.push(TemplateOutcome {
            template: template.source().to_owned(),
            result: refused.map_or(result, TemplateResult::Refused),
        });
    }
    Ok(outcomes)
}

type StepError = (&'static str, &'static str);

/// Deletes every object under `prefix`; (deleted, found there afterwards).
async fn erase_prefix(store: &dyn ObjectStore, prefix: &Path) -> Result<(u64, u64), StepError> {
    let objects = list(store, prefix)
        .await
        .map_err(|kind| ("listing", kind))?;
    let mut deleted = 0;
    for object in &objects {
        match store.delete(&object.location).await {
            Ok(()) => deleted += 1,
            // Gone meanwhile (a concurrent erasure): not ours to count, and not left over.
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(("deleting", error_kind(&e))),
        }
    }
    let left = list(store, prefix)
        .await
        .map_err(|kind| ("listing again", kind))?;
    Ok((deleted, left.len() as u64))
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
