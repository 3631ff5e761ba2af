//! The conformance suite against PostgreSQL: every case in a schema of its own on the
//! server named by `ERASURE_TEST_POSTGRES_URL` (start one with `scripts/start-postgres`).
//! Without that variable every case fails, saying so.

erasure_store::store_conformance!(erasure_store::postgres::testing::store(4));
