//! The conformance kit's reporting and failure cases against a catalog written out in
//! the configuration, a SQLite catalog table and a PostgreSQL one (the latter needs
//! `ERASURE_TEST_POSTGRES_URL`).

mod support;

use support::pg::postgres;
use support::{listed, sqlite};

erasure_connector_sdk::report_conformance!(listed_catalog, listed);
erasure_connector_sdk::report_conformance!(sqlite_catalog, sqlite);
erasure_connector_sdk::failure_conformance!(sqlite_catalog_failures, sqlite);
erasure_connector_sdk::report_conformance!(postgres_catalog, postgres);
erasure_connector_sdk::failure_conformance!(postgres_catalog_failures, postgres);
