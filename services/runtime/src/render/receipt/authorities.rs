//! The data protection supervisory authorities a person can complain to (GDPR Art. 77), by
//! jurisdiction: `deploy/rules/authorities.toml`, built into the binary.

use super::language::Language;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The shipped file.
pub const AUTHORITIES: &str = include_str!("../../../../../deploy/rules/authorities.toml");

/// The authorities file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorities {
    /// Where every authority is listed: for a jurisdiction the file does not cover.
    pub members: String,
    /// By ISO 3166-1 alpha-2 code.
    pub authorities: BTreeMap<String, Authority>,
}

/// One state's supervisory authority.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    /// Its name in one of the state's official languages.
    pub name: String,
    /// The language of `name` (ISO 639-1).
    pub language: String,
    /// Its name in other languages.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Its web address.
    pub url: String,
    /// Where regional authorities (German Länder) may be competent instead: their list.
    pub regional: Option<String>,
}

impl Authorities {
    /// The shipped authorities.
    pub fn shipped() -> anyhow::Result<Self> {
        toml::from_str(AUTHORITIES)
            .map_err(|e| anyhow::anyhow!("deploy/rules/authorities.toml: {e}"))
    }

    /// The authority of a jurisdiction (`FI`, `de`...), if the file has one.
    pub fn of(&self, jurisdiction: &str) -> Option<&Authority> {
        self.authorities
            .get(&jurisdiction.trim().to_ascii_uppercase())
    }
}

impl Authority {
    /// Its name for a reader of `language`: its own name where that is the language;
    /// otherwise the name in that language (or English) followed by its own name.
    pub fn name_in(&self, language: Language) -> String {
        if self.language == language.code() {
            return self.name.clone();
        }
        match self
            .names
            .get(language.code())
            .or_else(|| self.names.get("en"))
        {
            Some(translated) if *translated != self.name => {
                format!("{translated} ({})", self.name)
            }
            _ => self.name.clone(),
        }
    }
}
