//! The `object-store` connector kind: erases a person's objects (camera pictures and
//! video, uploads) by deleting everything under the key prefixes that the configuration's
//! templates give for the person, then listing again as evidence. The store is a local
//! directory (never left through a symbolic link) or an S3 bucket, AWS or any
//! S3-compatible store, where every version and delete marker is removed too. It cannot
//! restrict objects (GDPR Art. 18), so a job carrying legal holds is refused as a permanent
//! failure and nothing is deleted: a system behind it must not declare a held category.
//!
//! - [`config`]: [`Config`], as it appears in the inventory (every field documented).
//! - [`template`]: key templates such as `customers/{customer_id}/`: parsed at
//!   construction, rendered per person (pure), refusing values that could leave the root.
//! - [`erase`]: per template and prefix, the erasure through a [`backend::Backend`].
//! - [`backend`]: what a store offers (erase one prefix, look again), and its failures.
//!   The stores: [`local`] (a directory), [`s3`] (a bucket, versions included), [`plain`]
//!   (any `object_store` implementation).
//! - [`evidence`]: turns per-template results into the outcome, summary and evidence.
//! - [`connector`]: [`ObjectStoreConnector`], the [`erasure_connector_sdk::Connector`].

pub mod backend;
pub mod config;
pub mod connector;
pub mod erase;
mod error;
pub mod evidence;
pub mod local;
pub mod plain;
pub mod s3;
pub mod template;

pub use config::{Config, S3Config};
pub use connector::ObjectStoreConnector;
pub use error::ConfigError;
