//! A TLS terminator in front of a plaintext listener, for the broker tests: Tansu 0.6 takes
//! `--cert` and `--key` but never uses them, so the broker is reached through this, and
//! the clients' TLS (their CA, host name verification) meets a real handshake. What the
//! clients say inside the TLS session (SASL/SCRAM, the Kafka protocol) goes to the broker
//! unchanged.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// A server certificate for `localhost`, issued by a CA written to `ca_pem`.
#[derive(Debug)]
pub struct ServerIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ServerIdentity {
    /// A fresh CA (its certificate written to `ca_pem`) and a certificate it signs for
    /// `localhost`.
    pub fn issue(ca_pem: &Path) -> Self {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "broker test CA");
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
        std::fs::write(ca_pem, ca_cert.pem()).expect("CA file");
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().expect("server key");
        let params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
        let cert = params.signed_by(&key, &issuer).expect("server certificate");
        Self {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

/// Accepts TLS on `listener` and forwards each connection to `upstream` in plaintext, on a
/// thread of its own until the test process ends.
pub fn start(listener: std::net::TcpListener, upstream: String, identity: ServerIdentity) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![identity.cert], PrivateKeyDer::Pkcs8(identity.key))
        .expect("server certificate");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    listener.set_nonblocking(true).expect("non-blocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
                tokio::spawn(async move {
                    // A client that fails the handshake (it does not trust the CA, or
                    // speaks plaintext) just loses its connection, as with a real broker.
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let Ok(mut plain) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
    });
}
