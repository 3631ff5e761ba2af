//! `erasure verify`: checks a certificate file offline, with nothing but public keys.

use anyhow::{Context, Result, bail};
use erasure_proof::TrustStore;
use erasure_proof::certificate::verify_file;
use std::path::Path;

pub fn run(file: &Path, trust: Option<&Path>) -> Result<()> {
    let json =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let trust = trust
        .map(|p| -> Result<TrustStore> {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read trust file {}", p.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("trust file {} is not a trust file", p.display()))
        })
        .transpose()?;
    let v = verify_file(&json, trust.as_ref());
    for c in &v.checks {
        println!(
            "{}  {}: {}",
            if c.ok { "ok  " } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    if v.self_declared_keys {
        println!(
            "note: keys were taken from the certificate itself; pass --trust FILE to check them against keys you trust"
        );
    }
    if !v.is_valid() {
        let failed: Vec<_> = v.failures().map(|c| c.name.as_str()).collect();
        bail!(
            "certificate {} is NOT valid: {}",
            file.display(),
            failed.join("; ")
        );
    }
    println!("certificate {} is valid", file.display());
    Ok(())
}
