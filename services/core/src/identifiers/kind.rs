//! The kinds of identifier a request can carry, and why a value is refused.

/// Kinds of identifier a request can carry. Connectors map them to columns or key
/// templates. The order is the canonical order of [`super::Identifiers::canonical_bytes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdentifierKind {
    Email,
    Phone,
    CustomerId,
    /// A national identity code: the Finnish henkilötunnus.
    NationalId,
    /// A device's serial number or hardware address.
    DeviceId,
    /// An account name or number in a system (not the operator's customer number).
    AccountId,
    IpAddress,
}

impl IdentifierKind {
    pub const ALL: [IdentifierKind; 7] = [
        Self::Email,
        Self::Phone,
        Self::CustomerId,
        Self::NationalId,
        Self::DeviceId,
        Self::AccountId,
        Self::IpAddress,
    ];

    /// The name used in configurations, templates and the canonical form.
    pub fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::CustomerId => "customer_id",
            Self::NationalId => "national_id",
            Self::DeviceId => "device_id",
            Self::AccountId => "account_id",
            Self::IpAddress => "ip_address",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Most values of one kind a request may carry.
pub const MAX_VALUES_PER_KIND: usize = 32;

/// Why identifiers were refused. Never carries the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("no identifier given: at least one of email, phone or customer id is required")]
    Missing,
    #[error("the e-mail address is not valid")]
    InvalidEmail,
    #[error(
        "the phone number is not valid: use international format, e.g. +358401234567, or the national format of the request's jurisdiction"
    )]
    InvalidPhone,
    #[error("the customer id is not valid: 1 to 64 letters, digits, '-', '_' or '.'")]
    InvalidCustomerId,
    #[error(
        "the national id is not valid: a Finnish henkilötunnus (DDMMYYCZZZQ) with its century sign and check character"
    )]
    InvalidNationalId,
    #[error("the device id is not valid: 1 to 128 letters, digits, '-', '_', '.' or ':'")]
    InvalidDeviceId,
    #[error("the account id is not valid: 1 to 128 letters, digits, '-', '_', '.', '@' or '+'")]
    InvalidAccountId,
    #[error("the IP address is not valid: an IPv4 or IPv6 address")]
    InvalidIpAddress,
    #[error("more than {MAX_VALUES_PER_KIND} values of {0}")]
    TooMany(IdentifierKind),
}
