//! What a store offers the erasure: [`Backend::erase_prefix`] deletes everything under one
//! prefix and looks again. The backends:
//!
//! - [`crate::plain`]: any `object_store` implementation (list, delete, list again).
//! - [`crate::local`]: a local directory, walked without ever following a symbolic link.
//! - [`crate::s3`]: an S3 bucket, every version and delete marker included.
//!
//! Failures are described by kind only ("permission denied"): stores' own messages hold
//! object paths, and object paths hold identifiers.

use async_trait::async_trait;
use object_store::path::Path;
use std::ops::AddAssign;

/// A store to erase from.
#[async_trait]
pub trait Backend: std::fmt::Debug + Send + Sync {
    /// Deletes everything under `prefix` (keys starting with `prefix/`), then lists it again.
    async fn erase_prefix(&self, prefix: &Path) -> Result<Counts, StepError>;

    /// Lists under a prefix that names nobody, changing nothing: the store is reachable and
    /// grants what the erasure needs to list (`erasure config check --connect`).
    async fn probe(&self) -> Result<(), StepError>;
}

/// The prefix [`Backend::probe`] lists: no key template can render it.
pub const PROBE_PREFIX: &str = "erasure-config-check-probe";

/// What erasing under one or more prefixes came to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Objects deleted; in a versioned bucket, object versions (each a copy of the data).
    pub deleted: u64,
    /// Delete markers removed (versioned buckets).
    pub delete_markers: u64,
    /// Objects, versions or delete markers found under the prefix afterwards.
    pub remaining: u64,
    /// Symbolic links found under the prefix and left alone (local directory).
    pub links: u64,
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Self) {
        self.deleted += other.deleted;
        self.delete_markers += other.delete_markers;
        self.remaining += other.remaining;
        self.links += other.links;
    }
}

/// A store operation that failed: the step, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepError {
    /// "listing", "deleting", "listing versions", ...
    pub step: &'static str,
    pub cause: Cause,
}

/// Why a step failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The store failed, is unreachable or refused for now: retryable. The kind of failure
    /// ("storage error", "unreachable", "permission denied").
    Failed(&'static str),
    /// The store denied an action the erasure cannot do without (S3's `AccessDenied`):
    /// permanent, until a person grants this permission (`s3:ListBucketVersions`).
    Denied(&'static str),
}

impl StepError {
    pub fn failed(step: &'static str, kind: &'static str) -> Self {
        Self {
            step,
            cause: Cause::Failed(kind),
        }
    }

    pub fn denied(step: &'static str, permission: &'static str) -> Self {
        Self {
            step,
            cause: Cause::Denied(permission),
        }
    }
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cause {
            Cause::Failed(kind) => write!(f, "{} failed: {kind}", self.step),
            Cause::Denied(permission) => write!(
                f,
                "{} failed: access denied: the connector's credentials need the {permission} permission on the bucket (a policy may deny it), or the person's objects cannot all be erased",
                self.step
            ),
        }
    }
}
