//! The `sql` connector kind: erases a person from the tables of a relational database,
//! SQLite or PostgreSQL, by deleting rows or anonymising columns (NULL, a fixed value or a
//! keyed hash), found through identity columns and join paths that the configuration
//! names. Rows that a retention rule of the job still holds are restricted (a marker
//! column set to 1) and kept instead, and reported per rule.
//!
//! Shared by both databases:
//! - [`config`]: [`Config`], as it appears in the inventory (every field documented).
//! - [`plan`]: the validated configuration: checked names, resolved joins, processing
//!   order. Building it is where configuration errors ([`ConfigError`]) are found.
//! - [`scope`]: what a job may touch (controllers, declared holds), which tables it holds.
//! - [`builder`]: pure SQL generation with a [`builder::Dialect`]; identifier values only
//!   ever become bound parameters.
//! - [`restrict`]: the legal-hold decision (GDPR Art. 17(3), Art. 18), pure.
//! - [`resolve`]: identity resolution, reading identity columns until nothing new.
//! - [`hash`]: keyed hashes for anonymising, computed in Rust.
//! - [`result`]: what a run did in each table ([`TableResult`]), and why it failed.
//! - [`evidence`]: turns per-table counts into the outcome, summary and evidence document;
//!   [`notes`] adds what each database does with deleted rows.
//! - [`connector`]: [`SqlConnector`], the [`erasure_connector_sdk::Connector`] gluing them.
//!
//! SQLite, one transaction per job:
//! - [`execute`]: runs a plan (and held tables) in one transaction.
//! - [`sqlite`]: opening the database (`secure_delete`), running statements, classifying
//!   SQLite's errors.
//!
//! PostgreSQL, one transaction per batch:
//! - [`pg_backend`]: settings, pool, per-job flow and report.
//! - [`pg_execute`]: runs a plan in batches; [`pg_restrict`]: held tables, page by page;
//!   [`pg_batch`]: a batch transaction and the run's tally.
//! - [`progress`]: the progress table that makes an interrupted run resumable with right
//!   counts.
//! - [`vacuum`]: the optional `VACUUM` schedule of the tables erasures changed.
//! - [`pg_pool`]: the connection pool; [`postgres`]: text parameters and classifying
//!   errors by SQLSTATE.

pub mod builder;
pub mod config;
pub mod connector;
mod error;
pub mod evidence;
pub mod execute;
pub mod hash;
pub mod notes;
pub mod pg_backend;
pub mod pg_batch;
pub mod pg_execute;
pub mod pg_pool;
pub mod pg_restrict;
pub mod plan;
pub mod postgres;
pub mod progress;
pub mod resolve;
pub mod restrict;
pub mod result;
pub mod scope;
pub mod sqlite;
pub mod vacuum;

pub use config::{Action, Anonymised, Config, Join, MatchColumn, Replacement, Table};
pub use connector::SqlConnector;
pub use error::ConfigError;
pub use result::{Failure, TableResult};
