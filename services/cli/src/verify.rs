//! `erasure verify`: checks a certificate or certificate supplement file offline, with
//! nothing but public keys. Given the certificate a supplement supplements
//! (`--certificate`), also checks that the supplement names that certificate.

use anyhow::{Context, Result, bail};
use erasure_proof::certificate::FILE_FORMAT;
use erasure_proof::supplement::SUPPLEMENT_FILE_FORMAT;
use erasure_proof::{TrustStore, verify_any};
use std::path::Path;

pub fn run(file: &Path, trust: Option<&Path>, certificate: Option<&Path>) -> Result<()> {
    let json = read(file, "")?;
    let certificate_json = certificate
        .map(|p| read(p, "certificate file "))
        .transpose()?;
    let trust = trust
        .map(|p| -> Result<TrustStore> {
            serde_json::from_str(&read(p, "trust file ")?)
                .with_context(|| format!("trust file {} is not a trust file", p.display()))
        })
        .transpose()?;
    let v = verify_any(&json, trust.as_ref(), certificate_json.as_deref());
    for c in &v.checks {
        println!(
            "{}  {}: {}",
            if c.ok { "ok  " } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    let noun = noun(&json);
    if v.self_declared_keys {
        println!(
            "note: keys were taken from the {noun} itself; pass --trust FILE to check them against keys you trust"
        );
    }
    if !v.is_valid() {
        let failed: Vec<_> = v.failures().map(|c| c.name.as_str()).collect();
        bail!(
            "{noun} {} is NOT valid: {}",
            file.display(),
            failed.join("; ")
        );
    }
    println!("{noun} {} is valid", file.display());
    Ok(())
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
