//! The processor's signing certificate and the signatures made with it.
//!
//! OpenDSR processors sign their answers and callbacks: a base64 signature of the body's
//! SHA-256 digest (FIPS 186-4: RSA PKCS #1 v1.5 or ECDSA) in `X-OpenDSR-Signature`. The
//! certificate is either pinned (`certificate_file`, trusted as it is) or the one the
//! discovery document points to, fetched from the discovery document's own host, which
//! must chain to the configured roots (`ca_file`, else the system's) and be issued for the
//! processor's domain: a self-signed certificate is refused, as the specification says.
//! A signature that does not verify against a discovered certificate is tried once more
//! against the certificate fetched again (the processor may have renewed it).

use super::discovery::DiscoveryCache;
use crate::error::ConfigError;
use crate::http::{Client, Failure, Outgoing};
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{
    CertificateDer, ServerName, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;
use webpki::{EndEntityCert, KeyUsage};

/// The signature algorithms a processor may use: SHA-256 digests, RSA or ECDSA.
const SIGNATURES: [&dyn SignatureVerificationAlgorithm; 3] = [
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P384_SHA256,
];

/// A certificate trusted to sign the processor's answers.
#[derive(Debug)]
pub struct Trusted {
    /// The certificate (DER) and, for a discovered one, the intermediates after it.
    chain: Vec<CertificateDer<'static>>,
    /// Hex SHA-256 of the certificate, for the evidence.
    pub fingerprint: String,
}

impl Trusted {
    fn new(chain: Vec<CertificateDer<'static>>) -> Option<Self> {
        let fingerprint = hex::encode(Sha256::digest(chain.first()?.as_ref()));
        Some(Self { chain, fingerprint })
    }

    /// The certificate itself (DER).
    pub fn der(&self) -> &[u8] {
        self.chain.first().map(|c| c.as_ref()).unwrap_or_default()
    }

    /// Whether `signature` (base64, whitespace allowed) signs `body`.
    pub fn verifies(&self, body: &[u8], signature: &str) -> bool {
        let compact: String = signature.split_whitespace().collect();
        let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(compact) else {
            return false;
        };
        let Some(Ok(certificate)) = self.chain.first().map(EndEntityCert::try_from) else {
            return false;
        };
        SIGNATURES
            .iter()
            .any(|alg| certificate.verify_signature(*alg, body, &signature).is_ok())
    }
}

/// Where the certificate comes from.
#[derive(Debug)]
enum Source {
    Pinned(Arc<Trusted>),
    Discovered {
        roots: Vec<TrustAnchor<'static>>,
        domain: ServerName<'static>,
        current: Mutex<Option<Arc<Trusted>>>,
    },
}

#[derive(Debug)]
pub struct Certificates {
    source: Source,
    allow_http: bool,
}

impl Certificates {
    /// A pinned certificate, or the roots a discovered one must chain to.
    pub fn new(
        pinned: Option<&Path>,
        ca_file: Option<&Path>,
        domain: &str,
        allow_http: bool,
    ) -> Result<Self, ConfigError> {
        if let Some(path) = pinned {
            let chain = read_pem(path, "opendsr.certificate_file")?;
            let trusted = Trusted::new(chain).ok_or_else(|| {
                ConfigError::new("opendsr.certificate_file", "no certificate in the file")
            })?;
            return Ok(Self {
                source: Source::Pinned(Arc::new(trusted)),
                allow_http,
            });
        }
        let roots = match ca_file {
            Some(path) => read_pem(path, "opendsr.ca_file")?,
            None => rustls_native_certs::load_native_certs().certs,
        };
        let roots: Vec<TrustAnchor<'static>> = roots
            .iter()
            .filter_map(|c| {
                webpki::anchor_from_trusted_cert(c)
                    .ok()
                    .map(|a| a.to_owned())
            })
            .collect();
        if roots.is_empty() {
            return Err(ConfigError::new(
                "opendsr.ca_file",
                "no root certificate to trust",
            ));
        }
        let domain = ServerName::try_from(domain.to_owned())
            .map_err(|_| ConfigError::new("opendsr.processor_domain", "not a domain name"))?;
        Ok(Self {
            source: Source::Discovered {
                roots,
                domain,
                current: Mutex::new(None),
            },
            allow_http,
        })
    }

    /// The certificate's fingerprint and whether `signature` signs `body` with it: `Ok` with
    /// the fingerprint when it does, a permanent failure naming `step` when it does not.
    pub async fn verify(
        &self,
        client: &Client,
        discovery: &DiscoveryCache,
        step: &str,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<String, Failure> {
        let Some(signature) = signature else {
            return Err(Failure::Permanent(format!(
                "{step}: the answer is not signed (no X-OpenDSR-Signature)"
            )));
        };
        let trusted = self.trusted(client, discovery, false).await?;
        if trusted.verifies(body, signature) {
            return Ok(trusted.fingerprint.clone());
        }
        if matches!(self.source, Source::Discovered { .. }) {
            let renewed = self.trusted(client, discovery, true).await?;
            if renewed.verifies(body, signature) {
                return Ok(renewed.fingerprint.clone());
            }
        }
        Err(Failure::Permanent(format!(
            "{step}: the signature does not verify against the processor's certificate"
        )))
    }

    /// The certificate: pinned, kept, or fetched (again, when `fresh`) and checked.
    pub async fn trusted(
        &self,
        client: &Client,
        discovery: &DiscoveryCache,
        fresh: bool,
    ) -> Result<Arc<Trusted>, Failure> {
        let (roots, domain, current) = match &self.source {
            Source::Pinned(trusted) => return Ok(Arc::clone(trusted)),
            Source::Discovered {
                roots,
                domain,
                current,
            } => (roots, domain, current),
        };
        let mut current = current.lock().await;
        if let Some(trusted) = current.as_ref().filter(|_| !fresh) {
            return Ok(Arc::clone(trusted));
        }
        let document = discovery.get(client, fresh).await?;
        let url = self.certificate_url(&document.processor_certificate, discovery.url())?;
        let deadline = Instant::now() + Duration::from_secs(60);
        let answer = client
            .send("certificate", &Outgoing::get(url), deadline)
            .await?;
        if !answer.is_success() {
            return Err(answer.failure("certificate"));
        }
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(answer.body.as_bytes())
                .filter_map(Result::ok)
                .collect();
        let trusted = check_chain(chain, roots, domain)?;
        *current = Some(Arc::clone(&trusted));
        Ok(trusted)
    }

    /// The certificate's URL, on the discovery document's own host.
    fn certificate_url(
        &self,
        text: &str,
        discovery: &reqwest::Url,
    ) -> Result<reqwest::Url, Failure> {
        let refused =
            |why: &str| Failure::Permanent(format!("discovery: processor_certificate {why}"));
        let url = reqwest::Url::parse(text).map_err(|_| refused("is not a URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            _ => return Err(refused("must be an https:// URL")),
        }
        if url.host_str() != discovery.host_str() {
            return Err(refused("is not on the discovery document's host"));
        }
        Ok(url)
    }
}

/// The certificate, checked: it chains to `roots`, now, for server authentication, and
/// names `domain`.
fn check_chain(
    chain: Vec<CertificateDer<'static>>,
    roots: &[TrustAnchor<'static>],
    domain: &ServerName<'static>,
) -> Result<Arc<Trusted>, Failure> {
    let refused = |why: &str| Failure::Permanent(format!("certificate: {why}"));
    let (leaf, intermediates) = chain
        .split_first()
        .ok_or_else(|| refused("no certificate in the answer"))?;
    let certificate = EndEntityCert::try_from(leaf).map_err(|_| refused("not a certificate"))?;
    certificate
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            roots,
            intermediates,
            UnixTime::now(),
            KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(|e| refused(&format!("not issued by a trusted root ({e})")))?;
    certificate
        .verify_is_valid_for_subject_name(domain)
        .map_err(|_| refused("not issued for the processor's domain"))?;
    Trusted::new(chain.clone())
        .map(Arc::new)
        .ok_or_else(|| refused("no certificate in the answer"))
}

fn read_pem(path: &Path, setting: &str) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ConfigError::new(setting, format!("cannot read {}: {e}", path.display())))?;
    let certificates: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|_| {
            ConfigError::new(setting, format!("{}: not PEM certificates", path.display()))
        })?;
    if certificates.is_empty() {
        return Err(ConfigError::new(
            setting,
            format!("{}: no certificate", path.display()),
        ));
    }
    Ok(certificates)
}
