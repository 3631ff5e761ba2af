//! The person's identifiers: validated, normalised, and redacted by type.

use crate::sensitive::Sensitive;
use email_address::EmailAddress;
use std::str::FromStr;

/// Kinds of identifier a request can carry. Connectors map them to columns or key templates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdentifierKind {
    Email,
    Phone,
    CustomerId,
}

impl IdentifierKind {
    pub const ALL: [IdentifierKind; 3] = [Self::Email, Self::Phone, Self::CustomerId];

    pub fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::CustomerId => "customer_id",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Why identifiers were refused. Never carries the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("no identifier given: at least one of email, phone or customer id is required")]
    Missing,
    #[error("the e-mail address is not valid")]
    InvalidEmail,
    #[error("the phone number is not valid: use international format, e.g. +358401234567")]
    InvalidPhone,
    #[error("the customer id is not valid: 1 to 64 letters, digits, '-', '_' or '.'")]
    InvalidCustomerId,
}

/// A person's identifiers, each normalised so that equal people compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identifiers {
    pub email: Option<Sensitive<String>>,
    pub phone: Option<Sensitive<String>>,
    pub customer_id: Option<Sensitive<String>>,
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

impl Identifiers {
    /// Validates and normalises raw input; empty strings count as absent.
    pub fn parse(
        email: Option<&str>,
        phone: Option<&str>,
        customer_id: Option<&str>,
    ) -> Result<Self, IdentifierError> {
        let ids = Self {
            email: present(email).map(normalise_email).transpose()?,
            phone: present(phone).map(normalise_phone).transpose()?,
            customer_id: present(customer_id).map(check_customer_id).transpose()?,
        };
        if ids.is_empty() {
            return Err(IdentifierError::Missing);
        }
        Ok(ids)
    }

    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.phone.is_none() && self.customer_id.is_none()
    }

    pub fn get(&self, kind: IdentifierKind) -> Option<&str> {
        let v = match kind {
            IdentifierKind::Email => &self.email,
            IdentifierKind::Phone => &self.phone,
            IdentifierKind::CustomerId => &self.customer_id,
        };
        v.as_ref().map(|s| s.expose().as_str())
    }

    /// The identifiers present, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (IdentifierKind, &str)> {
        IdentifierKind::ALL
            .into_iter()
            .filter_map(|k| self.get(k).map(|v| (k, v)))
    }

    /// A canonical byte form: `kind=value\n` for each identifier present, in fixed order.
    /// Input to the identifier commitment.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (kind, value) in self.iter() {
            out.extend_from_slice(kind.name().as_bytes());
            out.push(b'=');
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
        out
    }
}

fn normalise_email(raw: &str) -> Result<Sensitive<String>, IdentifierError> {
    let lower = raw.to_lowercase();
    match EmailAddress::from_str(&lower) {
        // Require a dot in the domain: `user@localhost` is valid RFC 5322 but never a customer.
        Ok(addr) if addr.domain().contains('.') => Ok(Sensitive::new(lower)),
        _ => Err(IdentifierError::InvalidEmail),
    }
}

fn normalise_phone(raw: &str) -> Result<Sensitive<String>, IdentifierError> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let digits = compact
        .strip_prefix('+')
        .ok_or(IdentifierError::InvalidPhone)?;
    let ok = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(Sensitive::new(compact))
    } else {
        Err(IdentifierError::InvalidPhone)
    }
}

fn check_customer_id(raw: &str) -> Result<Sensitive<String>, IdentifierError> {
    let ok = raw.len() <= 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(Sensitive::new(raw.to_owned()))
    } else {
        Err(IdentifierError::InvalidCustomerId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_email_and_phone() {
        let ids = Identifiers::parse(Some(" Alice@Example.COM "), Some("+358 40-123 4567"), None)
            .expect("valid");
        assert_eq!(ids.get(IdentifierKind::Email), Some("alice@example.com"));
        assert_eq!(ids.get(IdentifierKind::Phone), Some("+358401234567"));
        assert_eq!(ids.get(IdentifierKind::CustomerId), None);
    }

    #[test]
    fn refuses_bad_input_without_echoing_it() {
        for (email, phone, cid, want) in [
            (None, None, None, IdentifierError::Missing),
            (Some(""), Some("  "), None, IdentifierError::Missing),
            (
                Some("not-an-email"),
                None,
                None,
                IdentifierError::InvalidEmail,
            ),
            (
                Some("a@localhost"),
                None,
                None,
                IdentifierError::InvalidEmail,
            ),
            (
                None,
                Some("0401234567"),
                None,
                IdentifierError::InvalidPhone,
            ),
            (None, Some("+12"), None, IdentifierError::InvalidPhone),
            (None, Some("+35840abc"), None, IdentifierError::InvalidPhone),
            (
                None,
                None,
                Some("C 1001; drop"),
                IdentifierError::InvalidCustomerId,
            ),
        ] {
            let err = Identifiers::parse(email, phone, cid).expect_err("must be refused");
            assert_eq!(err, want);
            let msg = err.to_string();
            for raw in [email, phone, cid]
                .into_iter()
                .flatten()
                .filter(|r| r.len() > 2)
            {
                assert!(!msg.contains(raw.trim()), "message {msg:?} echoes input");
            }
        }
    }

    #[test]
    fn canonical_bytes_are_ordered_and_complete() {
        let ids = Identifiers::parse(Some("a@b.fi"), None, Some("C-1")).expect("valid");
        assert_eq!(ids.canonical_bytes(), b"email=a@b.fi\ncustomer_id=C-1\n");
    }
}
