//! The plaintext search: every byte the orchestrator wrote, searched for a person's
//! identifiers and simple encodings of them.

use std::path::{Path, PathBuf};

/// A person with identifiers no other test uses: an e-mail and a phone, as submitted.
#[derive(Debug)]
pub struct Person {
    pub email: String,
    /// As typed: "+358 50 123 4567".
    pub phone: String,
}

impl Person {
    /// A fresh person (random digits and a random mailbox).
    pub fn unique() -> Self {
        let u = uuid::Uuid::new_v4().simple().to_string();
        let digits: String = u
            .bytes()
            .filter(u8::is_ascii_hexdigit)
            .map(|b| char::from(b'0' + (b % 10)))
            .take(7)
            .collect();
        Self {
            email: format!("Shred.{}@Example.org", &u[..12]),
            phone: format!("+358 50 {} {}", &digits[..3], &digits[3..]),
        }
    }

    /// What must appear nowhere: each identifier as submitted, normalised (lower-case
    /// e-mail, E.164 phone, its digits alone), upper-cased, and in hex.
    pub fn needles(&self) -> Vec<(String, Vec<u8>)> {
        let e164: String = self
            .phone
            .chars()
            .filter(|c| *c == '+' || c.is_ascii_digit())
            .collect();
        let forms = [
            ("e-mail as submitted", self.email.clone()),
            ("e-mail lower-case", self.email.to_lowercase()),
            ("e-mail upper-case", self.email.to_uppercase()),
            ("phone as submitted", self.phone.clone()),
            ("phone in E.164", e164.clone()),
            ("phone digits", e164.trim_start_matches('+').to_owned()),
        ];
        let mut needles: Vec<(String, Vec<u8>)> = forms
            .iter()
            .map(|(name, v)| ((*name).to_owned(), v.clone().into_bytes()))
            .collect();
        for (name, v) in &forms[1..5] {
            let hex: String = v.bytes().map(|b| format!("{b:02x}")).collect();
            needles.push((format!("{name} in hex"), hex.into_bytes()));
        }
        needles
    }
}

/// Where each needle was found: "FILE: WHAT" for every hit, across the files under each
/// of `roots` (recursively) except those under `skip`.
pub fn find_plaintext(
    roots: &[&Path],
    skip: &[&Path],
    needles: &[(String, Vec<u8>)],
) -> Vec<String> {
    let mut hits = Vec::new();
    for file in roots.iter().flat_map(|r| files(r)) {
        if skip.iter().any(|s| file.starts_with(s)) {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap_or_default();
        hits.extend(
            needles
                .iter()
                .filter(|(_, n)| contains(&bytes, n))
                .map(|(what, _)| format!("{}: {what}", file.display())),
        );
    }
    hits
}

/// Whether `haystack` holds `needle`, ASCII case-sensitively.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file under `root` (or `root` itself when it is a file).
pub fn files(root: &Path) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_owned()];
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    entries.flatten().flat_map(|e| files(&e.path())).collect()
}
