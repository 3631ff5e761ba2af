//! One value of each kind, validated and brought to its one written form, so that equal
//! people compare equal. Errors never carry the value.

use super::hetu;
use super::kind::{IdentifierError, IdentifierKind};
use email_address::EmailAddress;
use phonenumber::country::Id as Region;
use std::net::IpAddr;
use std::str::FromStr;

/// The normalised form of `raw` as an identifier of `kind`. A phone number in national
/// format needs `region` (ISO 3166-1 alpha-2, the request's jurisdiction).
pub fn normalise(
    kind: IdentifierKind,
    raw: &str,
    region: Option<&str>,
) -> Result<String, IdentifierError> {
    match kind {
        IdentifierKind::Email => email(raw),
        IdentifierKind::Phone => phone(raw, region),
        IdentifierKind::CustomerId => checked(raw, 64, "-_.", IdentifierError::InvalidCustomerId),
        IdentifierKind::NationalId => {
            hetu::normalise(raw).ok_or(IdentifierError::InvalidNationalId)
        }
        IdentifierKind::DeviceId => checked(raw, 128, "-_.:", IdentifierError::InvalidDeviceId),
        IdentifierKind::AccountId => checked(raw, 128, "-_.@+", IdentifierError::InvalidAccountId),
        IdentifierKind::IpAddress => IpAddr::from_str(raw)
            .map(|ip| ip.to_string())
            .map_err(|_| IdentifierError::InvalidIpAddress),
    }
}

fn email(raw: &str) -> Result<String, IdentifierError> {
    let lower = raw.to_lowercase();
    match EmailAddress::from_str(&lower) {
        // Require a dot in the domain: `user@localhost` is valid RFC 5322 but never a customer.
        Ok(addr) if addr.domain().contains('.') => Ok(lower),
        _ => Err(IdentifierError::InvalidEmail),
    }
}

/// E.164 (`+358401234567`), from international format or, with a region, national format
/// ("040 123 4567" in FI); the number must be valid for its country.
fn phone(raw: &str, region: Option<&str>) -> Result<String, IdentifierError> {
    let invalid = IdentifierError::InvalidPhone;
    let region = match raw.trim_start().starts_with('+') {
        true => None,
        false => Some(
            region
                .and_then(|r| Region::from_str(r).ok())
                .ok_or(invalid.clone())?,
        ),
    };
    let number = phonenumber::parse(region, raw).map_err(|_| invalid.clone())?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid);
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// 1 to `max` ASCII letters, digits or one of `extra`.
fn checked(
    raw: &str,
    max: usize,
    extra: &str,
    error: IdentifierError,
) -> Result<String, IdentifierError> {
    let ok = raw.len() <= max
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.as_bytes().contains(&b));
    if ok { Ok(raw.to_owned()) } else { Err(error) }
}
