//! The `sql` connector kind: erases a person from the tables of a relational database by
//! deleting rows or anonymising columns, found through identity columns and join paths
//! that the configuration names. Rows that a retention rule of the job still holds are
//! restricted (a marker column set to 1) and kept instead, and reported per rule. SQLite
//! now; PostgreSQL later, which is why the SQL text is built apart from its execution.
//!
//! - [`config`]: [`Config`], as it appears in the inventory (every field documented).
//! - [`plan`]: the validated configuration: checked names, resolved joins, processing
//!   order. Building it is where configuration errors ([`ConfigError`]) are found.
//! - [`builder`]: pure SQL generation; identifier values only ever become bound parameters.
//! - [`execute`]: runs a plan in one SQLite transaction.
//! - [`sqlite`]: opening the database, running statements, classifying SQLite's errors.
//! - [`result`]: what a run did in each table ([`TableResult`]), and why it failed.
//! - [`restrict`]: tables the job's retention rules may hold: per row, restrict (GDPR
//!   Art. 18) what a rule still holds and erase the rest.
//! - [`evidence`]: turns per-table counts into the outcome, summary and evidence document.
//! - [`connector`]: [`SqlConnector`], the [`erasure_connector_sdk::Connector`] gluing them.

pub mod builder;
pub mod config;
pub mod connector;
mod error;
pub mod evidence;
pub mod execute;
pub mod plan;
pub mod restrict;
pub mod result;
pub mod sqlite;

pub use config::{Action, Config, Join, MatchColumn, Table};
pub use connector::SqlConnector;
pub use error::ConfigError;
pub use result::{Failure, TableResult};
