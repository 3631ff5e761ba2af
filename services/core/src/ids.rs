//! Identifiers of things the orchestrator owns (never of people).

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

id_type!(
    /// One erasure request; also the id of its event stream.
    RequestId
);
id_type!(
    /// A system of the inventory (`crm`, `cameras`, ...).
    SystemId
);
id_type!(
    /// One system's share of a request: `<request_id>/<system_id>`.
    TaskId
);

impl TaskId {
    pub fn for_system(request: &RequestId, system: &SystemId) -> Self {
        Self(format!("{request}/{system}"))
    }
}

impl SystemId {
    /// System ids name Kafka topics and files: lower-case ASCII letters, digits, `-` and `_`.
    pub fn is_valid(id: &str) -> bool {
        !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    }
}
