//! From `[s3]` to what the clients need: the endpoint and the key prefix, checked when the
//! connector is built, and `object_store`'s S3 client (for stores without versions).

use super::credentials::Keys;
use crate::config::S3Config;
use crate::error::ConfigError;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ClientOptions, ObjectStore, RetryConfig};
use std::sync::Arc;
use std::time::Duration;

/// The configured prefix, checked like a template's literal segments.
pub fn prefix(prefix: Option<&str>) -> Result<Option<Path>, ConfigError> {
    let Some(text) = prefix
        .map(|p| p.trim_end_matches('/'))
        .filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    let invalid = || {
        ConfigError::s3(
            "prefix",
            "must be segments separated by '/', none empty, '.' or '..', not starting with '/'",
        )
    };
    if text.starts_with('/') {
        return Err(invalid());
    }
    Path::parse(text).map(Some).map_err(|_| invalid())
}

/// The store's URL: the configured one, or AWS's for the region.
pub fn endpoint(config: &S3Config) -> Result<reqwest::Url, ConfigError> {
    let text = match &config.endpoint {
        Some(e) => e.clone(),
        None => format!("https://s3.{}.amazonaws.com", config.region),
    };
    let url = reqwest::Url::parse(&text).map_err(|e| ConfigError::s3("endpoint", e.to_string()))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if config.allow_http => Ok(url),
        "http" => Err(ConfigError::s3(
            "endpoint",
            "is http: set allow_http = true to allow it (a test server on loopback)",
        )),
        _ => Err(ConfigError::s3("endpoint", "must be an http(s) URL")),
    }
}

/// `object_store`'s client for the bucket, under `prefix`; with a few retries only, as
/// the erasure is retried as a whole.
pub fn plain_store(
    config: &S3Config,
    endpoint: &reqwest::Url,
    keys: &Keys,
    prefix: Option<&Path>,
) -> Result<Arc<dyn ObjectStore>, ConfigError> {
    // Client options first: they replace `allow_http`, which is one of them.
    let mut builder = AmazonS3Builder::new()
        .with_client_options(
            ClientOptions::new()
                .with_connect_timeout(Duration::from_secs(5))
                .with_timeout(Duration::from_secs(60)),
        )
        .with_allow_http(config.allow_http)
        .with_bucket_name(&config.bucket)
        .with_region(&config.region)
        .with_endpoint(endpoint.as_str().trim_end_matches('/'))
        .with_access_key_id(&keys.id)
        .with_secret_access_key(&keys.secret)
        .with_retry(RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(30),
            ..RetryConfig::default()
        });
    if let Some(token) = &keys.token {
        builder = builder.with_token(token);
    }
    let store = builder.build().map_err(|e| {
        let kind = crate::plain::error_kind(&e);
        ConfigError::s3("bucket", format!("not usable by object_store ({kind})"))
    })?;
    Ok(match prefix {
        Some(p) => Arc::new(PrefixStore::new(store, p.clone())),
        None => Arc::new(store),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> S3Config {
        toml::from_str(&format!("bucket = \"b\"\n{extra}")).expect("config")
    }

    #[test]
    fn prefixes_are_segments_under_the_bucket() {
        assert_eq!(prefix(None), Ok(None));
        assert_eq!(prefix(Some("/")), Ok(None));
        let archive = prefix(Some("archive/2025/")).expect("valid");
        assert_eq!(
            archive.map(|p| p.to_string()).as_deref(),
            Some("archive/2025")
        );
        for bad in ["/abs", "a//b", "a/../b", "./a"] {
            assert!(prefix(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoints_default_to_aws_and_http_must_be_allowed() {
        let aws = endpoint(&config("region = \"eu-north-1\"")).expect("aws");
        assert_eq!(aws.as_str(), "https://s3.eu-north-1.amazonaws.com/");
        let local = "endpoint = \"http://127.0.0.1:9000\"\n";
        let err = endpoint(&config(local)).expect_err("http");
        assert!(err.to_string().contains("allow_http"), "{err}");
        assert!(endpoint(&config(&format!("{local}allow_http = true"))).is_ok());
        assert!(endpoint(&config("endpoint = \"ftp://x\"")).is_err());
    }
}
