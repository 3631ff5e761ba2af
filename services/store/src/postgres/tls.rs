//! TLS to the server (rustls, the ring provider the workspace already builds): the
//! server's certificate must chain to the configured CA file, or to the system's roots, and
//! name the host connected to (libpq's `sslmode=verify-full`). No mode encrypts without
//! verifying: an unverified TLS connection protects from nobody who can intercept it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::StoreError;

/// How the store reaches PostgreSQL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PostgresTls {
    /// Plain TCP: a trusted network, a local socket or a sidecar proxy only.
    #[default]
    Disabled,
    /// TLS, required; the server's certificate chains to the CA certificates of `ca_file`
    /// (PEM), or to the system's roots when `None`, and names the host.
    VerifyFull { ca_file: Option<PathBuf> },
}

/// The connector for [`PostgresTls::VerifyFull`].
pub(super) fn connector(ca_file: Option<&Path>) -> Result<MakeRustlsConnect, StoreError> {
    let roots = match ca_file {
        Some(path) => roots_from(path)?,
        None => system_roots()?,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Invalid(format!("PostgreSQL TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn roots_from(path: &Path) -> Result<RootCertStore, StoreError> {
    let invalid =
        |why: String| StoreError::Invalid(format!("PostgreSQL CA file {}: {why}", path.display()));
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| invalid(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(e.to_string()))?;
    if certs.is_empty() {
        return Err(invalid("no PEM certificate in it".to_owned()));
    }
    let mut roots = RootCertStore::empty();
    for cert in certs {
        roots.add(cert).map_err(|e| invalid(e.to_string()))?;
    }
    Ok(roots)
}

fn system_roots() -> Result<RootCertStore, StoreError> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if roots.is_empty() {
        return Err(StoreError::Invalid(
            "PostgreSQL TLS: the system has no CA certificates; give a CA file".to_owned(),
        ));
    }
    Ok(roots)
}
