//! Offline verification of files (`erasure verify`): a certificate or certificate
//! supplement, with nothing but public keys. `--processor-trust SYSTEM=FILE` adds the trust
//! file of the processor (another orchestrator) behind SYSTEM, for the proofs that
//! system's acknowledgment nests. Given the certificate a supplement supplements
//! (`--certificate`), also checks that the supplement names that certificate. With
//! `--tree-heads A B --proof P`, checks two tree heads and the consistency between them.

use anyhow::{Context, Result};
use erasure_proof::certificate::FILE_FORMAT;
use erasure_proof::consistency::verify_tree_heads;
use erasure_proof::supplement::SUPPLEMENT_FILE_FORMAT;
use erasure_proof::{TrustStore, Verification, verify_any};
use std::path::{Path, PathBuf};

/// A verification and what it verified, e.g. "certificate c.json is".
#[derive(Debug)]
pub struct Verified {
    pub verification: Verification,
    pub subject: String,
}

/// A certificate or supplement file; with `certificate`, also the link of a supplement to
/// the certificate it supplements.
pub fn file(
    file: &Path,
    trust: Option<&Path>,
    certificate: Option<&Path>,
    processors: &[(String, PathBuf)],
) -> Result<Verified> {
    let json = read(file, "")?;
    let certificate_json = certificate
        .map(|p| read(p, "certificate file "))
        .transpose()?;
    let mut trust = read_trust(trust)?;
    if !processors.is_empty() {
        let Some(trust) = trust.as_mut() else {
            anyhow::bail!("--processor-trust needs --trust (the issuer's own trust file)");
        };
        for (system, path) in processors {
            let processor = read_trust(Some(path))?.unwrap_or_default();
            trust.processors.insert(system.clone(), processor);
        }
    }
    Ok(Verified {
        verification: verify_any(&json, trust.as_ref(), certificate_json.as_deref()),
        subject: format!("{} {} is", noun(&json), file.display()),
    })
}

/// `--tree-heads A B [--proof P]`: both heads signed, and the larger log extends the
/// smaller one.
pub fn tree_heads(
    a: &Path,
    b: &Path,
    proof: Option<&Path>,
    trust: Option<&Path>,
) -> Result<Verified> {
    let (ja, jb) = (read(a, "")?, read(b, "")?);
    let proof = proof.map(|p| read(p, "proof file ")).transpose()?;
    let trust = read_trust(trust)?;
    Ok(Verified {
        verification: verify_tree_heads(&ja, &jb, proof.as_deref(), trust.as_ref()),
        subject: format!("tree heads {} and {} are", a.display(), b.display()),
    })
}

/// `SYSTEM=FILE`, as `--processor-trust` takes it.
pub fn processor_trust(arg: &str) -> Result<(String, PathBuf), String> {
    match arg.split_once('=') {
        Some((system, file)) if !system.is_empty() && !file.is_empty() => {
            Ok((system.to_owned(), PathBuf::from(file)))
        }
        _ => Err(
            "expected SYSTEM=FILE (the system that stands for the processor, and its trust file)"
                .into(),
        ),
    }
}

fn read_trust(trust: Option<&Path>) -> Result<Option<TrustStore>> {
    trust
        .map(|p| -> Result<TrustStore> {
            serde_json::from_str(&read(p, "trust file ")?)
                .with_context(|| format!("trust file {} is not a trust file", p.display()))
        })
        .transpose()
}

fn read(path: &Path, what: &str) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {what}{}", path.display()))
}

/// What the file says it is, for the messages (verification itself checks the format).
fn noun(json: &str) -> &'static str {
    let format = serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("format")?.as_str().map(str::to_owned));
    match format.as_deref() {
        Some(FILE_FORMAT) => "certificate",
        Some(SUPPLEMENT_FILE_FORMAT) => "supplement",
        _ => "file",
    }
}
