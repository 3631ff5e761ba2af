//! The connector conformance kit against a CRM-like and a telemetry-like SQLite database.

mod support;

use support::{crm, telemetry};

erasure_connector_sdk::connector_conformance!(crm_database, crm);
erasure_connector_sdk::connector_conformance!(telemetry_database, telemetry);
