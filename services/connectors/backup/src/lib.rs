//! The `backup` connector kind. A backup cannot be edited, so this connector erases
//! nothing: for a work order it answers which backup sets may still hold the person
//! (taken at or before the erasure, not yet expired on the order's date, holding one of
//! the systems it covers) and the last day each may exist, with
//! [`Report::in_backups`](erasure_connector_sdk::Report::in_backups); with no such set,
//! nothing found. It never opens a backup, and never reads or writes the person's
//! identifiers: every person erased at the same moment gets the same answer.
//!
//! The catalog is written out in the configuration, or is a table of a SQLite or
//! PostgreSQL database read afresh for every job. A set without an expiry is refused
//! (a backup kept forever would hold the person forever): when the connector is built
//! for a written-out catalog, as a permanent failure naming the set for a table.
//!
//! - [`config`]: [`Config`], as it appears in the inventory (every field documented).
//! - [`when`]: reading the catalog's times and dates, pure.
//! - [`set`]: a catalog's entries checked into sets (the wire form's `BackupCopy`), pure.
//! - [`select`]: which sets may hold the person, pure.
//! - [`evidence`]: the report, its summary and evidence document.
//! - [`table`]: reading a catalog table on SQLite or PostgreSQL.
//! - [`catalog`]: the catalog a connector reads, whichever form.
//! - [`connector`]: [`BackupConnector`], the [`erasure_connector_sdk::Connector`].
//!
//! See `docs/backups.md` for how a platform team declares a catalog.

pub mod catalog;
pub mod config;
pub mod connector;
mod error;
pub mod evidence;
pub mod select;
pub mod set;
pub mod table;
pub mod when;

pub use config::{Columns, Config, SetConfig, TableCatalog};
pub use connector::BackupConnector;
pub use error::ConfigError;
