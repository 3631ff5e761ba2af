//! Who may act: the roles of the API and the principal an action is recorded with.
//!
//! The table of which role may call which method is the runtime's (`runtime::access`);
//! here are only the names every layer shares, so that events can say who did what.

use std::fmt;

/// A role a caller holds, from a token claim or a client certificate's mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Submits requests, views them, completes manual tasks.
    Operator,
    /// Everything an operator may do, and extends deadlines, retries, rejects requests.
    Supervisor,
    /// Replays erasures after a restore (registering systems and keys is local to the
    /// server's host).
    Platform,
    /// Reads certificates, reports and tree heads; nothing else.
    Auditor,
    /// A controller the deployment processes data for (GDPR Art. 28): posts OpenDSR
    /// erasure requests for its own data subjects and reads their status and certificates.
    /// No gRPC method; the token names which controller it is.
    Controller,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Operator,
        Role::Supervisor,
        Role::Platform,
        Role::Auditor,
        Role::Controller,
    ];

    /// The roles of the organisation's own staff and services: every role but
    /// [`Role::Controller`], which belongs to a customer.
    pub const STAFF: [Role; 4] = [
        Role::Operator,
        Role::Supervisor,
        Role::Platform,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::Platform => "platform",
            Role::Auditor => "auditor",
            Role::Controller => "controller",
        }
    }

    /// The role named `name` (lower case), if it is one.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who did an action: the authenticated subject and the role it acted in, or nobody
/// authenticated (a server in open mode, on loopback only).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Actor {
    /// The token's `sub`, or the client certificate's name; empty when unauthenticated.
    pub subject: String,
    /// The role that allowed the action; `None` when unauthenticated.
    pub role: Option<Role>,
}

impl Actor {
    pub fn new(subject: impl Into<String>, role: Role) -> Self {
        Self {
            subject: subject.into(),
            role: Some(role),
        }
    }

    /// Nobody authenticated: a server in open mode.
    pub fn unauthenticated() -> Self {
        Self::default()
    }

    pub fn is_authenticated(&self) -> bool {
        self.role.is_some()
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.role {
            Some(role) => write!(f, "{} ({role})", self.subject),
            None => f.write_str("unauthenticated"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_by_name_and_unknown_names_are_none() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("Operator"), None);
    }

    #[test]
    fn an_actor_reads_as_subject_and_role() {
        assert_eq!(
            Actor::new("alice", Role::Supervisor).to_string(),
            "alice (supervisor)"
        );
        assert_eq!(Actor::unauthenticated().to_string(), "unauthenticated");
    }
}
