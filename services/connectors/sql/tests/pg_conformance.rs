//! The connector conformance kit against a CRM-like PostgreSQL schema (needs
//! `ERASURE_TEST_POSTGRES_URL`), with the default batch size and with batches of one row.

mod support;

use support::pg::{PgCrm, crm, crm_with};

async fn crm_one_row_batches() -> PgCrm {
    crm_with("batch_size = 1").await
}

erasure_connector_sdk::connector_conformance!(crm_postgres, crm);
erasure_connector_sdk::connector_conformance!(crm_postgres_one_row_batches, crm_one_row_batches);
