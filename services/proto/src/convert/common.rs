//! `common.proto`: identifiers and outcomes.

use super::DecodeError;
use crate::v1 as pb;
use erasure_core::events::{Attachment, Outcome, Purpose};
use erasure_core::inventory::{Notice, Recipient, RecipientRole};
use erasure_core::{IdentifierError, IdentifierKind, Identifiers};

impl From<&Identifiers> for pb::Identifiers {
    fn from(ids: &Identifiers) -> Self {
        let get = |k| ids.values(k).map(str::to_owned).collect();
        Self {
            email: get(IdentifierKind::Email),
            phone: get(IdentifierKind::Phone),
            customer_id: get(IdentifierKind::CustomerId),
            national_id: get(IdentifierKind::NationalId),
            device_id: get(IdentifierKind::DeviceId),
            account_id: get(IdentifierKind::AccountId),
            ip_address: get(IdentifierKind::IpAddress),
        }
    }
}

/// Every value with its kind, as sent.
pub fn raw_identifiers(ids: &pb::Identifiers) -> impl Iterator<Item = (IdentifierKind, &str)> {
    [
        (IdentifierKind::Email, &ids.email),
        (IdentifierKind::Phone, &ids.phone),
        (IdentifierKind::CustomerId, &ids.customer_id),
        (IdentifierKind::NationalId, &ids.national_id),
        (IdentifierKind::DeviceId, &ids.device_id),
        (IdentifierKind::AccountId, &ids.account_id),
        (IdentifierKind::IpAddress, &ids.ip_address),
    ]
    .into_iter()
    .flat_map(|(kind, values)| values.iter().map(move |v| (kind, v.as_str())))
}

/// Identifiers as the coordinator sends them (normalised, phones in E.164), validated
/// again; an empty field is an absent identifier.
impl TryFrom<&pb::Identifiers> for Identifiers {
    type Error = IdentifierError;

    fn try_from(ids: &pb::Identifiers) -> Result<Self, Self::Error> {
        Identifiers::from_raw(raw_identifiers(ids), None)
    }
}

impl From<Outcome> for pb::Outcome {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Erased => Self::Erased,
            Outcome::Anonymised => Self::Anonymised,
            Outcome::NothingFound => Self::NothingFound,
            Outcome::Retained => Self::Retained,
            Outcome::FailedRetryable => Self::FailedRetryable,
            Outcome::FailedPermanent => Self::FailedPermanent,
            Outcome::Accepted => Self::Accepted,
            Outcome::InBackups => Self::InBackups,
        }
    }
}

/// `OUTCOME_UNSPECIFIED` is no outcome.
impl TryFrom<pb::Outcome> for Outcome {
    type Error = DecodeError;

    fn try_from(o: pb::Outcome) -> Result<Self, Self::Error> {
        Ok(match o {
            pb::Outcome::Unspecified => return Err(DecodeError::Field("no outcome".into())),
            pb::Outcome::Erased => Self::Erased,
            pb::Outcome::Anonymised => Self::Anonymised,
            pb::Outcome::NothingFound => Self::NothingFound,
            pb::Outcome::Retained => Self::Retained,
            pb::Outcome::FailedRetryable => Self::FailedRetryable,
            pb::Outcome::FailedPermanent => Self::FailedPermanent,
            pb::Outcome::Accepted => Self::Accepted,
            pb::Outcome::InBackups => Self::InBackups,
        })
    }
}

impl From<Purpose> for pb::Purpose {
    fn from(p: Purpose) -> Self {
        match p {
            Purpose::Erase => Self::Erase,
            Purpose::Resolve => Self::Resolve,
        }
    }
}

/// A purpose field as sent (`i32`); unknown values are an error.
pub fn purpose(value: i32) -> Result<Purpose, DecodeError> {
    match pb::Purpose::try_from(value) {
        Ok(pb::Purpose::Erase) => Ok(Purpose::Erase),
        Ok(pb::Purpose::Resolve) => Ok(Purpose::Resolve),
        Err(_) => Err(DecodeError::Field(format!("unknown purpose {value}"))),
    }
}

/// Counts per identifier kind as the wire states them.
pub fn kind_counts(counts: &[(IdentifierKind, u32)]) -> Vec<pb::KindCount> {
    counts
        .iter()
        .map(|(kind, count)| pb::KindCount {
            kind: kind.name().to_owned(),
            count: *count,
        })
        .collect()
}

/// Counts per identifier kind from the wire; an unknown kind is an error.
pub fn kind_counts_from(
    counts: &[pb::KindCount],
) -> Result<Vec<(IdentifierKind, u32)>, DecodeError> {
    counts
        .iter()
        .map(|c| {
            IdentifierKind::parse(&c.kind)
                .map(|k| (k, c.count))
                .ok_or_else(|| DecodeError::Field(format!("unknown identifier kind {}", c.kind)))
        })
        .collect()
}

/// An outcome field as sent (`i32`): unknown values and `OUTCOME_UNSPECIFIED` are errors.
pub fn outcome(value: i32) -> Result<Outcome, DecodeError> {
    pb::Outcome::try_from(value)
        .map_err(|_| DecodeError::Field(format!("unknown outcome {value}")))?
        .try_into()
}

impl From<&Recipient> for pb::Recipient {
    fn from(r: &Recipient) -> Self {
        Self {
            name: r.name.clone(),
            role: r.role.name().to_owned(),
            via: r.via.name().to_owned(),
        }
    }
}

/// The role and the channel must be names this version knows.
impl TryFrom<&pb::Recipient> for Recipient {
    type Error = DecodeError;

    fn try_from(r: &pb::Recipient) -> Result<Self, Self::Error> {
        Ok(Self {
            name: r.name.clone(),
            role: RecipientRole::parse(&r.role).ok_or_else(|| {
                DecodeError::Field(format!("unknown recipient role {:?}", r.role))
            })?,
            via: Notice::parse(&r.via).ok_or_else(|| {
                DecodeError::Field(format!("unknown recipient notice {:?}", r.via))
            })?,
        })
    }
}

impl From<&Attachment> for pb::Attachment {
    fn from(a: &Attachment) -> Self {
        Self {
            name: a.name.clone(),
            sha256: a.sha256.clone(),
            size: a.size,
        }
    }
}

impl From<pb::Attachment> for Attachment {
    fn from(a: pb::Attachment) -> Self {
        Self {
            name: a.name,
            sha256: a.sha256,
            size: a.size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_the_wire_and_unspecified_is_none() {
        for o in [
            Outcome::Erased,
            Outcome::Anonymised,
            Outcome::NothingFound,
            Outcome::Retained,
            Outcome::FailedRetryable,
            Outcome::FailedPermanent,
        ] {
            assert_eq!(outcome(pb::Outcome::from(o) as i32), Ok(o));
        }
        assert!(outcome(0).is_err());
        assert!(outcome(99).is_err());
    }

    #[test]
    fn identifiers_round_trip_and_bad_ones_are_refused() {
        let ids =
            Identifiers::parse(Some(" A@B.fi "), Some("+358 40 123 4567"), None).expect("valid");
        let wire = pb::Identifiers::from(&ids);
        assert_eq!(wire.email, ["a@b.fi"]);
        assert_eq!(Identifiers::try_from(&wire), Ok(ids));
        assert!(Identifiers::try_from(&pb::Identifiers::default()).is_err());
    }
}
