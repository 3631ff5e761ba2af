//! The person's identifiers as OpenDSR identity objects: each kind the configuration maps
//! to an `identity_type` the processor accepts, in the first format of the configured
//! preference that the processor accepts for that type. Hashed formats are the lower-case
//! hex digest of the value as normalised (an e-mail address in lower case).

use super::discovery::Discovery;
use crate::error::ConfigError;
use erasure_core::{IdentifierKind, Identifiers};
use md5::Md5;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The formats the connector can write.
pub const FORMATS: [&str; 3] = ["sha256", "raw", "md5"];

/// The configured mapping, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    types: Vec<(IdentifierKind, String)>,
    formats: Vec<String>,
}

impl Mapping {
    pub fn new(
        identities: &BTreeMap<String, String>,
        formats: &[String],
    ) -> Result<Self, ConfigError> {
        let types = identities
            .iter()
            .map(|(kind, identity_type)| {
                let parsed = IdentifierKind::parse(kind).ok_or_else(|| {
                    ConfigError::new(
                        format!("opendsr.identities.{kind}"),
                        "not an identifier kind",
                    )
                })?;
                Ok((parsed, identity_type.clone()))
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        if types.is_empty() {
            return Err(ConfigError::new(
                "opendsr.identities",
                "map at least one identifier kind",
            ));
        }
        if let Some(unknown) = formats.iter().find(|f| !FORMATS.contains(&f.as_str())) {
            return Err(ConfigError::new(
                "opendsr.formats",
                format!("{unknown:?} is not one of {}", FORMATS.join(", ")),
            ));
        }
        if formats.is_empty() {
            return Err(ConfigError::new(
                "opendsr.formats",
                "name at least one format",
            ));
        }
        Ok(Self {
            types,
            formats: formats.to_vec(),
        })
    }

    /// The identity objects for `person`; empty when the processor takes none of them.
    pub fn identities(&self, person: &Identifiers, discovery: &Discovery) -> Vec<Value> {
        let mut out = Vec::new();
        for (kind, identity_type) in &self.types {
            let Some(format) = self.format_for(identity_type, discovery) else {
                continue;
            };
            for value in person.values(*kind) {
                out.push(json!({
                    "identity_type": identity_type,
                    "identity_value": encode(value, format),
                    "identity_format": format,
                }));
            }
        }
        out
    }

    /// The configured identity types the processor does not accept in any usable format.
    pub fn unsupported<'a>(&'a self, discovery: &'a Discovery) -> impl Iterator<Item = &'a str> {
        self.types
            .iter()
            .filter(|(_, t)| self.format_for(t, discovery).is_none())
            .map(|(_, t)| t.as_str())
    }

    fn format_for<'a>(&'a self, identity_type: &str, discovery: &Discovery) -> Option<&'a str> {
        let accepted: Vec<&str> = discovery.formats(identity_type).collect();
        self.formats
            .iter()
            .map(String::as_str)
            .find(|f| accepted.contains(f))
    }
}

fn encode(value: &str, format: &str) -> String {
    match format {
        "sha256" => hex::encode(Sha256::digest(value.as_bytes())),
        "md5" => hex::encode(Md5::digest(value.as_bytes())),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::discovery::SupportedIdentity;
    use super::*;

    fn discovery(pairs: &[(&str, &str)]) -> Discovery {
        Discovery {
            api_version: "1.0".into(),
            supported_identities: pairs
                .iter()
                .map(|(t, f)| SupportedIdentity {
                    identity_type: (*t).into(),
                    identity_format: (*f).into(),
                })
                .collect(),
            supported_subject_request_types: vec!["erasure".into()],
            processor_certificate: "https://p.example/cert.pem".into(),
        }
    }

    #[test]
    fn each_type_takes_the_preferred_format_the_processor_accepts() {
        let identities = [
            ("email", "email"),
            ("customer_id", "controller_customer_id"),
            ("phone", "phone_number"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let formats = ["sha256", "raw", "md5"].map(str::to_owned);
        let mapping = Mapping::new(&identities, &formats).expect("mapping");
        let person = Identifiers::parse(
            Some("Alice@Example.com"),
            Some("+358401234567"),
            Some("C-1"),
        )
        .expect("person");
        let offered = discovery(&[
            ("email", "raw"),
            ("email", "sha256"),
            ("controller_customer_id", "md5"),
        ]);

        let sent = mapping.identities(&person, &offered);

        assert_eq!(
            sent,
            [
                json!({"identity_type": "controller_customer_id", "identity_format": "md5",
                       "identity_value": hex::encode(Md5::digest(b"C-1"))}),
                json!({"identity_type": "email", "identity_format": "sha256",
                       "identity_value": hex::encode(Sha256::digest(b"alice@example.com"))}),
            ]
        );
        assert_eq!(
            mapping.unsupported(&offered).collect::<Vec<_>>(),
            ["phone_number"]
        );
    }

    #[test]
    fn a_mapping_names_known_kinds_and_formats() {
        let one = |k: &str| [(k.to_owned(), "email".to_owned())].into_iter().collect();
        let formats = ["raw".to_owned()];
        assert!(Mapping::new(&one("ssn"), &formats).is_err());
        assert!(Mapping::new(&one("email"), &["sha1".to_owned()]).is_err());
        assert!(Mapping::new(&one("email"), &formats).is_ok());
    }
}
