//! The schema, versioned in `erasure_schema` and created on connect.
//!
//! The same tables as SQLite's. Integers the API holds as `u32` (payload versions,
//! attempts) are `bigint`, since `integer` is a signed 32-bit type. Headers are TEXT
//! holding a JSON array of `[name, value]`, exactly as serialised: JSONB would refuse a
//! header containing `\u0000`, and nothing queries inside them. Sequences never hand out
//! a value twice, so a deleted outbox row's id never comes back as another message (the
//! relay excludes ids it is delivering).

use deadpool_postgres::Client;

use super::error::Context;
use super::{execute, query_one};
use crate::StoreError;

/// The schema this binary writes; a newer database is refused rather than misread.
pub(super) const SCHEMA_VERSION: i64 = 1;

/// Advisory lock key held while creating or checking the schema, so that replicas
/// starting together do not race on `CREATE TABLE IF NOT EXISTS` (which can fail with a
/// duplicate-type error when two sessions run it at once). "ERASURE" + 0x01 in ASCII.
const MIGRATION_LOCK: i64 = 0x4552_4153_5552_4501;

const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS events (
    position       bigserial PRIMARY KEY,
    stream_id      text      NOT NULL,
    stream_version bigint    NOT NULL,
    type           text      NOT NULL,
    version        bigint    NOT NULL,
    payload        bytea     NOT NULL,
    recorded_at    bigint    NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS outbox (
    id           bigserial PRIMARY KEY,
    topic        text      NOT NULL,
    key          text      NOT NULL,
    payload      bytea     NOT NULL,
    headers      text      NOT NULL, -- JSON array of [name, value]
    available_at bigint    NOT NULL,
    attempts     bigint    NOT NULL DEFAULT 0,
    created_at   bigint    NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_available_at ON outbox (available_at, id);
CREATE TABLE IF NOT EXISTS outbox_dead (
    id       bigint PRIMARY KEY,
    topic    text   NOT NULL,
    key      text   NOT NULL,
    payload  bytea  NOT NULL,
    headers  text   NOT NULL,
    attempts bigint NOT NULL,
    reason   text   NOT NULL,
    dead_at  bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS data_keys (
    request_id text   PRIMARY KEY,
    wrapped    bytea  NOT NULL,
    created_at bigint NOT NULL
);
";

/// Creates the schema of a new database, or checks the version of an existing one, in
/// one transaction under [`MIGRATION_LOCK`].
pub(super) async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await.ctx("begin migration")?;
    execute(&tx, "SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .ctx("lock the schema")?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS erasure_schema (version bigint NOT NULL)")
        .await
        .ctx("create schema version table")?;
    let found: Option<i64> = query_one(&tx, "SELECT MAX(version) FROM erasure_schema", &[])
        .await
        .and_then(|row| row.try_get(0))
        .ctx("read schema version")?;
    match found {
        None => {
            tx.batch_execute(SCHEMA_V1).await.ctx("create schema")?;
            let insert = "INSERT INTO erasure_schema (version) VALUES ($1)";
            execute(&tx, insert, &[&SCHEMA_VERSION])
                .await
                .ctx("write schema version")?;
        }
        Some(SCHEMA_VERSION) => {}
        Some(other) => return Err(unsupported(other)),
    }
    tx.commit().await.ctx("commit migration")
}

fn unsupported(found: i64) -> StoreError {
    let relation = if found > SCHEMA_VERSION {
        "newer than this binary supports"
    } else {
        "not one this binary knows"
    };
    StoreError::Unavailable(format!(
        "schema version {found} is {relation} ({SCHEMA_VERSION})"
    ))
}
