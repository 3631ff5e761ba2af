//! The one authorisation table: which roles may call which method. A method that is not
//! here is refused to everyone.
//!
//! A supervisor holds every operator right (extending or rejecting a request starts from
//! seeing it). The auditor reads certificates, reports and tree heads and nothing else:
//! not the requests themselves (`Get`, `List`, `Watch`). Health checks need no
//! credentials (probes carry none, and they reveal nothing); reflection needs any staff
//! role. The OpenDSR endpoints (`/opendsr/v1/`, the HTTP listener): the discovery
//! document and the signing certificate are public, as the specification has them; the
//! rest needs the controller role, and no other role may call them (a controller's
//! requests are its own; the handlers check which controller the token names).
//! `GET /metrics` (the HTTP listener) needs the platform or the auditor role; in open mode
//! (no `[auth]`, loopback only) it is open like everything else. The console (HTTP
//! listener): see [`CONSOLE`].

use erasure_core::access::Role;

const SERVICE: &str = "/erasure.v1.ErasureService/";
const HEALTH: &str = "/grpc.health.v1.Health/";
const REFLECTION: &str = "/grpc.reflection.";

/// Who may make a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, without credentials.
    Public,
    /// Any authenticated caller holding at least one role.
    AnyRole,
    /// A caller holding one of these roles; the first one it holds is the one recorded.
    Roles(&'static [Role]),
}

const OPERATOR: &[Role] = &[Role::Operator, Role::Supervisor];
const SUPERVISOR: &[Role] = &[Role::Supervisor];
const PLATFORM: &[Role] = &[Role::Platform];
const AUDITOR: &[Role] = &[Role::Auditor];
const CERTIFICATES: &[Role] = &[Role::Operator, Role::Supervisor, Role::Auditor];
const CONTROLLER: &[Role] = &[Role::Controller];
/// `GET /metrics`: counts only, nothing about a person; the auditor role is read-only, so
/// a scraper's token need not be able to change anything.
const METRICS: &[Role] = &[Role::Platform, Role::Auditor];

/// The path of the Prometheus metrics (the HTTP listener).
pub const METRICS_PATH: &str = "/metrics";

/// The OpenDSR endpoints' prefix, and those of them anyone may read.
pub const OPENDSR: &str = "/opendsr/v1/";
const OPENDSR_PUBLIC: &[&str] = &["discovery", "cert.pem"];

/// Every method of `erasure.v1.ErasureService` with the roles that may call it.
pub const METHODS: &[(&str, &[Role])] = &[
    ("Submit", OPERATOR),
    ("Get", OPERATOR),
    ("List", OPERATOR),
    ("Watch", OPERATOR),
    ("ListTasks", OPERATOR),
    ("CompleteTask", OPERATOR),
    ("GetCertificate", CERTIFICATES),
    ("Extend", SUPERVISOR),
    ("Retry", SUPERVISOR),
    ("Reject", SUPERVISOR),
    ("StartReplay", PLATFORM),
    ("GetReplay", PLATFORM),
    ("GetReport", AUDITOR),
    ("GetTreeHead", AUDITOR),
    ("GetConsistencyProof", AUDITOR),
];

/// The console (the HTTP listener): its pages are public (they hold no data; every call
/// they make is checked); `session` tells any staff member who they are and what they may
/// do; the JSON gateway's `/api/v1/{Method}` and the rendered downloads need what the gRPC
/// method they call needs.
pub const CONSOLE: &str = "/console/";
pub const CONSOLE_SESSION: &str = "/console/session";
pub const GATEWAY: &str = "/api/v1/";
/// The console's rendered downloads, with the method each calls.
pub const RENDERED: &[(&str, &str)] = &[
    ("/console/certificate.html", "GetCertificate"),
    ("/console/receipt.html", "Get"),
    ("/console/report.html", "GetReport"),
];

/// The console's static files (its page, scripts and styles), which hold no data.
pub fn is_console_file(path: &str) -> bool {
    path == "/"
        || path
            .strip_prefix(CONSOLE)
            .is_some_and(|f| f.ends_with(".js") || f.ends_with(".css"))
}

/// The rule for an HTTP request path (`/package.Service/Method`); `None`: nobody.
pub fn rule(path: &str) -> Option<Rule> {
    if let Some(method) = path.strip_prefix(GATEWAY) {
        return method_rule(method);
    }
    if let Some((_, method)) = RENDERED.iter().find(|(p, _)| *p == path) {
        return method_rule(method);
    }
    if path == CONSOLE_SESSION {
        return Some(Rule::AnyRole);
    }
    if path == "/" || path.starts_with(CONSOLE) {
        return Some(Rule::Public);
    }
    if path.starts_with(HEALTH) {
        return Some(Rule::Public);
    }
    if path.starts_with(REFLECTION) {
        return Some(Rule::AnyRole);
    }
    if path == METRICS_PATH {
        return Some(Rule::Roles(METRICS));
    }
    if let Some(rest) = path.strip_prefix(OPENDSR) {
        return Some(match OPENDSR_PUBLIC.contains(&rest) {
            true => Rule::Public,
            false => Rule::Roles(CONTROLLER),
        });
    }
    method_rule(path.strip_prefix(SERVICE)?)
}

fn method_rule(method: &str) -> Option<Rule> {
    METHODS
        .iter()
        .find(|(m, _)| *m == method)
        .map(|(_, roles)| Rule::Roles(roles))
}

/// The method's short name for messages: `Extend` for `/erasure.v1.ErasureService/Extend`.
pub fn method_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Every method of `erasure.v1.ErasureService`, as `api.proto` declares them, in order.
#[cfg(test)]
pub(crate) fn api_methods() -> Vec<&'static str> {
    let proto = include_str!("../../../../proto/erasure/v1/api.proto");
    proto
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rpc "))
        .filter_map(|l| l.split('(').next())
        .map(str::trim)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_of_the_service_has_a_rule() {
        let methods = api_methods();
        assert!(methods.len() >= 15, "{methods:?}");
        for m in methods {
            assert!(
                rule(&format!("{SERVICE}{m}")).is_some(),
                "{m} has no rule in the authorisation table"
            );
        }
    }

    #[test]
    fn the_auditor_reads_proofs_only() {
        let auditor: Vec<&str> = METHODS
            .iter()
            .filter(|(_, roles)| roles.contains(&Role::Auditor))
            .map(|(m, _)| *m)
            .collect();
        assert_eq!(
            auditor,
            [
                "GetCertificate",
                "GetReport",
                "GetTreeHead",
                "GetConsistencyProof"
            ]
        );
    }

    #[test]
    fn metrics_are_for_the_platform_and_the_auditor_only() {
        assert_eq!(
            rule("/metrics"),
            Some(Rule::Roles(&[Role::Platform, Role::Auditor]))
        );
        assert_eq!(rule("/metrics/other"), None, "nothing under it");
    }

    #[test]
    fn opendsr_requests_are_the_controllers_and_discovery_is_public() {
        assert_eq!(rule("/opendsr/v1/discovery"), Some(Rule::Public));
        assert_eq!(rule("/opendsr/v1/cert.pem"), Some(Rule::Public));
        assert_eq!(
            rule("/opendsr/v1/opengdpr_requests"),
            Some(Rule::Roles(CONTROLLER))
        );
        assert!(
            METHODS
                .iter()
                .all(|(_, roles)| !roles.contains(&Role::Controller)),
            "a controller calls no gRPC method"
        );
    }

    #[test]
    fn the_gateway_and_downloads_need_what_their_method_needs() {
        for (method, roles) in METHODS {
            assert_eq!(rule(&format!("/api/v1/{method}")), Some(Rule::Roles(roles)));
        }
        assert_eq!(rule("/api/v1/Nope"), None);
        assert_eq!(
            rule("/console/certificate.html"),
            Some(Rule::Roles(CERTIFICATES))
        );
        assert_eq!(rule("/console/receipt.html"), Some(Rule::Roles(OPERATOR)));
        assert_eq!(rule("/console/session"), Some(Rule::AnyRole));
        assert_eq!(rule("/"), Some(Rule::Public));
        assert_eq!(rule("/console/app.js"), Some(Rule::Public));
        assert!(is_console_file("/console/app.js") && is_console_file("/"));
        assert!(!is_console_file("/console/session"));
        assert!(!is_console_file("/console/certificate.html"));
    }

    #[test]
    fn unknown_paths_are_refused_and_health_is_public() {
        assert_eq!(rule("/erasure.v1.ErasureService/Nope"), None);
        assert_eq!(rule("/other.Service/Submit"), None);
        assert_eq!(rule("/grpc.health.v1.Health/Check"), Some(Rule::Public));
    }
}
