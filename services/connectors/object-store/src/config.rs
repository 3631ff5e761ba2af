//! The `object-store` connector's configuration, as written in the inventory under
//! `[systems.connector]` with `kind = "object-store"`: exactly one of `root` (a local
//! directory) or `[s3]` (a bucket), and the key templates.
//!
//! ```toml
//! root = "cameras"
//! keys = ["customers/{customer_id}/", "by-email/{email}/"]
//! ```
//!
//! ```toml
//! keys = ["customers/{customer_id}/", "by-email/{email}/"]
//!
//! [s3]                                # [systems.connector.s3] in the inventory
//! bucket = "cameras"
//! endpoint = "https://minio.internal:9000"  # omit for AWS
//! region = "eu-north-1"
//! prefix = "archive"
//! access_key_id = "AKIA..."
//! secret_access_key_file = "secrets/cameras-s3.key"
//! ```

use serde::Deserialize;
use std::path::PathBuf;

/// Where the objects are, and under which keys a person's objects live.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The directory holding the objects. A relative path resolves against the base
    /// directory given to [`crate::ObjectStoreConnector::new`] (the inventory's directory);
    /// it is created if missing. Nothing outside it is ever listed or deleted: symbolic
    /// links under it are never followed. Empty or absent when `s3` is set.
    #[serde(default)]
    pub root: PathBuf,
    /// The S3 bucket (AWS or any S3-compatible store) holding the objects, instead of
    /// `root`.
    #[serde(default)]
    pub s3: Option<S3Config>,
    /// Key templates, each naming a prefix (ending in `/`) under which every object is the
    /// person's. Placeholders: `{email}`, `{phone}`, `{customer_id}`; a template whose
    /// identifier the request does not carry is skipped.
    pub keys: Vec<String>,
}

/// An S3 bucket. In a versioned bucket every version and delete marker under the person's
/// prefixes is removed, which needs the `s3:ListBucketVersions` and
/// `s3:DeleteObjectVersion` permissions on the bucket (a store that does not implement
/// versions needs `s3:ListBucket` and `s3:DeleteObject`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// The bucket's name.
    pub bucket: String,
    /// The store's URL, such as `http://127.0.0.1:9000`, for S3-compatible stores (MinIO,
    /// Ceph, moto, ...). Absent: AWS, `https://s3.<region>.amazonaws.com`. Requests name
    /// the bucket in the path (`<endpoint>/<bucket>/<key>`).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The region requests are signed for.
    #[serde(default = "default_region")]
    pub region: String,
    /// A key prefix within the bucket (`archive` or `archive/`): the templates' keys are
    /// under it, and nothing outside it is ever listed or deleted. Absent: the whole bucket.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Allows an `http://` endpoint (a test server on loopback); otherwise only `https://`.
    #[serde(default)]
    pub allow_http: bool,
    /// The access key id. With `secret_access_key_file`; both absent: the standard AWS
    /// environment variables `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optional)
    /// `AWS_SESSION_TOKEN`, read when the connector is built.
    #[serde(default)]
    pub access_key_id: Option<String>,
    /// A file holding the secret access key (surrounding whitespace ignored), relative to
    /// the base directory; read when the connector is built, and never logged.
    #[serde(default)]
    pub secret_access_key_file: Option<PathBuf>,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}
