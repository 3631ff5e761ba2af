//! This processor's OpenDSR signing certificate and key: configured (`certificate_file`,
//! `key_file`), or a self-signed P-256 certificate for the domain, created once in
//! `<data-dir>/keys/opendsr/`. Signatures are what the specification and the processor
//! connector expect: base64 of an ECDSA (ASN.1 DER) or RSA PKCS #1 v1.5 signature over the
//! body's SHA-256 digest.

use crate::config::OpenDsrConfig;
use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use std::path::Path;

enum Key {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// The signing certificate (served at `cert.pem`) and its key.
pub struct Signer {
    key: Key,
    rng: SystemRandom,
    /// The certificate file's PEM, as served.
    pub certificate_pem: String,
    /// Hex SHA-256 of the leaf certificate's DER (the trust file lists it).
    pub fingerprint: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// The configured certificate and key, or the generated ones (created when missing).
    pub fn load(config: &OpenDsrConfig, data_dir: &Path, domain: &str) -> Result<Self> {
        let (cert, key) = match (&config.certificate_file, &config.key_file) {
            (Some(c), Some(k)) => (data_dir.join(c), data_dir.join(k)),
            (None, None) => generated(data_dir, domain)?,
            _ => bail!("opendsr: set both certificate_file and key_file, or neither"),
        };
        let read = |p: &Path, what: &str| {
            std::fs::read(p).with_context(|| format!("opendsr.{what}: cannot read {}", p.display()))
        };
        let (cert_pem, key_pem) = (read(&cert, "certificate_file")?, read(&key, "key_file")?);
        Self::from_pem(&cert_pem, &key_pem)
    }

    fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self> {
        let leaf = CertificateDer::pem_slice_iter(cert_pem)
            .next()
            .context("opendsr.certificate_file: no PEM certificate")?
            .context("opendsr.certificate_file: not a PEM certificate")?;
        let pkcs8 = PrivatePkcs8KeyDer::from_pem_slice(key_pem)
            .context("opendsr.key_file: not a PKCS #8 PEM private key")?;
        let der = pkcs8.secret_pkcs8_der();
        let rng = SystemRandom::new();
        let p256 = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;
        let key = match EcdsaKeyPair::from_pkcs8(p256, der, &rng) {
            Ok(k) => Key::Ec(k),
            Err(_) => Key::Rsa(RsaKeyPair::from_pkcs8(der).map_err(|_| {
                anyhow::anyhow!("opendsr.key_file: neither an ECDSA P-256 nor an RSA key")
            })?),
        };
        Ok(Self {
            key,
            rng,
            certificate_pem: String::from_utf8_lossy(cert_pem).into_owned(),
            fingerprint: hex::encode(erasure_proof::sha256(leaf.as_ref())),
        })
    }

    /// Base64 of the signature of `body`.
    pub fn sign(&self, body: &[u8]) -> String {
        let bytes = match &self.key {
            Key::Ec(k) => k.sign(&self.rng, body).map(|s| s.as_ref().to_vec()).ok(),
            Key::Rsa(k) => {
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &self.rng, body, &mut out)
                    .ok()
                    .map(|_| out)
            }
        };
        B64.encode(bytes.unwrap_or_default())
    }
}

/// `<data-dir>/keys/opendsr/{certificate,key}.pem`, created self-signed when missing.
fn generated(data_dir: &Path, domain: &str) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
    let dir = data_dir.join("keys/opendsr");
    let (cert, key) = (dir.join("certificate.pem"), dir.join("key.pem"));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let made = rcgen::generate_simple_self_signed(vec![domain.to_owned()])
        .context("cannot create the OpenDSR signing certificate")?;
    crate::keys::write_private(&key, made.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(&cert, made.cert.pem())
        .with_context(|| format!("cannot write {}", cert.display()))?;
    Ok((cert, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_certificate_signs_what_its_key_verifies() {
        let dir = tempfile::tempdir().expect("dir");
        let config: OpenDsrConfig =
            toml::from_str("public_url = \"https://b.test/opendsr/v1\"").expect("config");
        let signer = Signer::load(&config, dir.path(), "b.test").expect("signer");
        let again = Signer::load(&config, dir.path(), "b.test").expect("kept");
        assert_eq!(
            signer.fingerprint, again.fingerprint,
            "created once, then kept"
        );
        let der = CertificateDer::pem_slice_iter(signer.certificate_pem.as_bytes())
            .next()
            .expect("pem")
            .expect("cert");
        let cert = webpki::EndEntityCert::try_from(&der).expect("certificate");
        let signature = B64.decode(signer.sign(b"{\"a\":1}")).expect("base64");
        let alg = webpki::ring::ECDSA_P256_SHA256;
        assert!(cert.verify_signature(alg, b"{\"a\":1}", &signature).is_ok());
        assert!(
            cert.verify_signature(alg, b"{\"a\":2}", &signature)
                .is_err()
        );
    }
}
