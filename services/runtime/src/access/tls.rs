//! TLS on the listener (tonic's rustls), and client certificates as principals: with
//! `[tls] client_ca_file` every client must present a certificate that CA issued, and
//! `[auth.client_certificates]` maps a certificate's name (subject CN, or a DNS SAN) to
//! its roles.

use super::token::Principal;
use crate::config::TlsConfig;
use anyhow::{Context, Result, bail};
use axum::extract::Request;
use erasure_core::access::Role;
use rustls_pki_types::CertificateDer;
use std::collections::BTreeMap;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
use tonic::transport::{Certificate, Identity, ServerTlsConfig};

/// The listener's TLS: its identity, and the client CA when clients must present one.
pub fn server_config(config: &TlsConfig) -> Result<ServerTlsConfig> {
    let read = |what: &str, path: &std::path::Path| {
        std::fs::read(path).with_context(|| format!("tls.{what}: cannot read {}", path.display()))
    };
    let cert = read("cert_file", &config.cert_file)?;
    let key = read("key_file", &config.key_file)?;
    let mut tls = ServerTlsConfig::new().identity(Identity::from_pem(cert, key));
    if let Some(ca) = &config.client_ca_file {
        tls = tls.client_ca_root(Certificate::from_pem(read("client_ca_file", ca)?));
    }
    Ok(tls)
}

/// The roles of client certificates, by name.
#[derive(Debug, Default)]
pub struct CertificateRoles(BTreeMap<String, Vec<Role>>);

impl CertificateRoles {
    pub fn from_config(names: &BTreeMap<String, Vec<String>>) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (name, roles) in names {
            let roles = roles
                .iter()
                .map(|r| Role::parse(r).with_context(|| format!("auth.client_certificates.\"{name}\": unknown role {r:?} (operator, supervisor, platform, auditor)")))
                .collect::<Result<Vec<_>>>()?;
            if roles.is_empty() {
                bail!("auth.client_certificates.\"{name}\": no roles");
            }
            map.insert(name.clone(), roles);
        }
        Ok(Self(map))
    }

    /// The principal of the verified client certificate of the call's connection, when
    /// its name (CN first, then DNS SANs) has an entry.
    pub fn principal(&self, request: &Request) -> Option<Principal> {
        if self.0.is_empty() {
            return None;
        }
        let info = request
            .extensions()
            .get::<TlsConnectInfo<TcpConnectInfo>>()?;
        let certs = info.peer_certs()?;
        let leaf = certs.first()?;
        names(leaf).into_iter().find_map(|name| {
            let mut roles = self.0.get(&name)?.clone();
            roles.sort();
            roles.dedup();
            Some(Principal {
                subject: name,
                roles,
                controller: None,
            })
        })
    }
}

/// A certificate's names: the subject's common name, then its DNS SANs.
fn names(der: &CertificateDer<'_>) -> Vec<String> {
    let Ok(cert) = webpki::EndEntityCert::try_from(der) else {
        return Vec::new();
    };
    let mut names: Vec<String> = common_name(cert.subject()).into_iter().collect();
    names.extend(cert.valid_dns_names().map(str::to_owned));
    names
}

/// The CN of a DER-encoded X.509 Name: the string after the attribute type 2.5.4.3.
fn common_name(subject: &[u8]) -> Option<String> {
    const CN: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x03];
    let at = subject.windows(CN.len()).position(|w| w == CN)? + CN.len();
    let (&tag, rest) = subject.get(at..)?.split_first()?;
    // UTF8String, PrintableString, IA5String; short-form length.
    if ![0x0c, 0x13, 0x16].contains(&tag) {
        return None;
    }
    let (&len, rest) = rest.split_first()?;
    let value = rest.get(..usize::from(len).min(0x7f))?;
    (len < 0x80).then(|| String::from_utf8(value.to_vec()).ok())?
}
