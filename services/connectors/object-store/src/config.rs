//! The `object-store` connector's configuration, as written in the inventory under
//! `[systems.connector]` with `kind = "object-store"`:
//!
//! ```toml
//! root = "cameras"
//! keys = ["customers/{customer_id}/", "by-email/{email}/"]
//! ```

use serde::Deserialize;
use std::path::PathBuf;

/// Where the objects are, and under which keys a person's objects live.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The directory holding the objects. A relative path resolves against the base
    /// directory given to [`crate::ObjectStoreConnector::new`] (the inventory's directory);
    /// it is created if missing. Nothing outside it is ever listed or deleted.
    pub root: PathBuf,
    /// Key templates, each naming a prefix (ending in `/`) under which every object is the
    /// person's. Placeholders: `{email}`, `{phone}`, `{customer_id}`; a template whose
    /// identifier the request does not carry is skipped.
    pub keys: Vec<String>,
}
