//! What the fuzz targets share: a fixed test trust (the coordinator's key and two
//! connectors' keys, made from fixed seeds), and valid documents built with those keys, for
//! the seed corpora (`examples/make_seeds.rs`) and for targets that sign what the fuzzer
//! made so that it gets past the signature check.
//!
//! The keys are test keys: their seeds are in this file, so nothing they sign means
//! anything outside the fuzzer.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use erasure_proof::keys::TrustedKey;
use erasure_proof::merkle::MerkleTree;
use erasure_proof::{KeyPair, TrustStore, ack, certificate, supplement, transparency};
use erasure_proto::v1::{
    Acknowledgment, Certificate, CertificateSupplement, Outcome, Resolution, SignedCertificate,
    SystemResult,
};
use prost::Message;

/// The system whose connector key signs acknowledgments and resolutions.
pub const SYSTEM: &str = "crm";
/// A request id used throughout.
pub const REQUEST: &str = "r-0001";
/// 2026-01-01T00:00:00Z, in milliseconds.
pub const AT_MS: i64 = 1_767_225_600_000;

pub fn coordinator_key() -> KeyPair {
    KeyPair::from_seed([1; 32])
}

pub fn connector_key() -> KeyPair {
    KeyPair::from_seed([3; 32])
}

/// A rotated-out connector key: valid only during 2025, so validity periods are checked.
pub fn old_connector_key() -> KeyPair {
    KeyPair::from_seed([4; 32])
}

/// The trust every target verifies with.
pub fn trust() -> TrustStore {
    let mut trust = TrustStore::default();
    trust.add_coordinator(&coordinator_key().public());
    trust.add_connector(SYSTEM, &connector_key().public());
    let mut old = TrustedKey::from(&old_connector_key().public());
    old.valid_from = Some("2025-01-01T00:00:00Z".into());
    old.valid_until = Some("2026-01-01T00:00:00Z".into());
    trust.add_connector_entry(SYSTEM, old);
    trust
}

pub fn acknowledgment() -> Acknowledgment {
    Acknowledgment {
        request_id: REQUEST.into(),
        task_id: format!("{REQUEST}/{SYSTEM}"),
        system_id: SYSTEM.into(),
        attempt: 1,
        outcome: Outcome::Erased as i32,
        items_affected: 2,
        completed_at_ms: AT_MS,
        evidence_summary: "2 rows deleted".into(),
        ..Default::default()
    }
}

pub fn resolution() -> Resolution {
    Resolution {
        request_id: REQUEST.into(),
        task_id: format!("{REQUEST}/{SYSTEM}"),
        system_id: SYSTEM.into(),
        attempt: 1,
        completed_at_ms: AT_MS,
        ..Default::default()
    }
}

pub fn certificate() -> Certificate {
    let signed_ack = ack::sign_ack(&connector_key(), &acknowledgment());
    Certificate {
        format: certificate::CERTIFICATE_FORMAT.into(),
        request_id: REQUEST.into(),
        jurisdiction: "FI".into(),
        received_at_ms: AT_MS - 86_400_000,
        deadline: "2026-01-30".into(),
        completed_at_ms: AT_MS,
        identifier_commitment: vec![7; 32],
        systems: vec![SystemResult {
            system_id: SYSTEM.into(),
            outcome: Outcome::Erased as i32,
            acknowledgment: Some(signed_ack),
            attestation: None,
        }],
        coordinator_key_id: coordinator_key().key_id().into(),
        issued_at_ms: AT_MS + 1000,
        ..Default::default()
    }
}

pub fn supplement_of(certificate: &SignedCertificate) -> CertificateSupplement {
    CertificateSupplement {
        format: supplement::SUPPLEMENT_FORMAT.into(),
        request_id: REQUEST.into(),
        certificate_hash: erasure_proof::sha256(&certificate.encode_to_vec()).to_vec(),
        sequence: 1,
        coordinator_key_id: coordinator_key().key_id().into(),
        issued_at_ms: AT_MS + 2000,
        ..Default::default()
    }
}

/// A log of `extra + 1` leaves whose first is `signed`, its tree head signed at `size`,
/// and the log proof of leaf 0.
fn logged(signed: &SignedCertificate, extra: u8) -> (MerkleTree, transparency::LogProof) {
    let mut tree = MerkleTree::new();
    tree.push(&transparency::leaf_of(&signed.encode_to_vec()));
    for i in 0..extra {
        tree.push(&[i]);
    }
    let size = tree.len();
    let root = tree.root(size).expect("root of the whole tree");
    let head = transparency::sign_tree_head(&coordinator_key(), size, &root, AT_MS + 5000);
    let proof = tree
        .inclusion_proof(0, size)
        .expect("leaf 0 is in the tree");
    let log = transparency::log_proof(&head, 0, &proof).expect("a tree head we signed");
    (tree, log)
}

/// A certificate file (JSON) that verifies against [`trust`].
pub fn certificate_file(cert: &Certificate) -> Option<String> {
    let signed = certificate::sign_certificate(&coordinator_key(), cert);
    let (_, log) = logged(&signed, 2);
    let file = certificate::to_file(&signed, trust(), Some(log)).ok()?;
    serde_json::to_string_pretty(&file).ok()
}

/// A supplement file (JSON) for [`certificate`].
pub fn supplement_file(s: &CertificateSupplement) -> Option<String> {
    let signed = supplement::sign_supplement(&coordinator_key(), s);
    let (_, log) = logged(&signed, 3);
    let file = supplement::supplement_to_file(&signed, trust(), Some(log)).ok()?;
    serde_json::to_string_pretty(&file).ok()
}

/// Two tree head files of one log (sizes 3 and 7) and the consistency proof between them.
pub fn tree_heads() -> (String, String, String) {
    let mut tree = MerkleTree::new();
    for i in 0..7u8 {
        tree.push(&[i; 3]);
    }
    let head_file = |size: u64| {
        let root = tree.root(size).expect("size within the tree");
        let signed = transparency::sign_tree_head(&coordinator_key(), size, &root, AT_MS);
        let file = transparency::tree_head_file(&signed, trust()).expect("a head we signed");
        serde_json::to_string_pretty(&file).expect("serialisable")
    };
    let proof = tree.consistency_proof(3, 7).expect("3 <= 7");
    let proof = transparency::consistency_file(3, 7, &proof);
    (
        head_file(3),
        head_file(7),
        serde_json::to_string_pretty(&proof).expect("serialisable"),
    )
}

/// Base64 of encoded bytes, as the files carry them.
pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// Splits fuzz input at NUL bytes into at most `n` UTF-8 parts (lossy: the JSON and TOML
/// parsers take `&str`, as the CLI does after reading a file as UTF-8).
pub fn parts(data: &[u8], n: usize) -> Vec<String> {
    data.splitn(n, |b| *b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

/// A test OpenDSR signing certificate (self-signed, ECDSA P-256) and its key, made once per
/// process: what a processor orchestrator signs its statuses with.
pub struct OpenDsrSigner {
    /// The certificate's DER.
    pub certificate: Vec<u8>,
    key: ring::signature::EcdsaKeyPair,
}

impl OpenDsrSigner {
    /// Hex SHA-256 of the certificate: its entry in a trust file's `opendsr_certificates`.
    pub fn fingerprint(&self) -> String {
        hex::encode(erasure_proof::sha256(&self.certificate))
    }

    /// ECDSA P-256 with SHA-256, ASN.1 DER: an `X-OpenDSR-Signature` over `body`.
    pub fn sign(&self, body: &[u8]) -> Vec<u8> {
        let rng = ring::rand::SystemRandom::new();
        self.key
            .sign(&rng, body)
            .map(|s| s.as_ref().to_vec())
            .unwrap_or_default()
    }
}

/// The one [`OpenDsrSigner`] of this process.
pub fn opendsr_signer() -> &'static OpenDsrSigner {
    static SIGNER: std::sync::LazyLock<OpenDsrSigner> = std::sync::LazyLock::new(|| {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let params = rcgen::CertificateParams::new(vec!["processor.test".to_owned()])
            .expect("params");
        let cert = params.self_signed(&key).expect("certificate");
        let key = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &key.serialize_der(),
            &ring::rand::SystemRandom::new(),
        )
        .expect("PKCS #8 key");
        OpenDsrSigner {
            certificate: cert.der().to_vec(),
            key,
        }
    });
    &SIGNER
}
