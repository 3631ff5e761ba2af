//! The `object-store` connector kind: erases a person's objects (camera pictures and
//! video, uploads) by deleting everything under the key prefixes that the configuration's
//! templates give for the person, then listing again as evidence. Built on the
//! `object_store` crate: a local directory now, any S3-compatible store later. It cannot
//! restrict objects (GDPR Art. 18), so a job carrying legal holds is refused as a permanent
//! failure and nothing is deleted: a system behind it must not declare a held category.
//!
//! - [`config`]: [`Config`], as it appears in the inventory (every field documented).
//! - [`template`]: key templates such as `customers/{customer_id}/`: parsed at
//!   construction, rendered per person (pure), refusing values that could leave the root.
//! - [`erase`]: the I/O: list, delete, list again, per prefix.
//! - [`evidence`]: turns per-template results into the outcome, summary and evidence.
//! - [`connector`]: [`ObjectStoreConnector`], the [`erasure_connector_sdk::Connector`].

pub mod config;
pub mod connector;
pub mod erase;
mod error;
pub mod evidence;
pub mod template;

pub use config::Config;
pub use connector::ObjectStoreConnector;
pub use error::ConfigError;
