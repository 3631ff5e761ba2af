//! The runtime: everything between the command line and the crates that do the work. It
//! owns the typed configuration, the registry of connector kinds, the wiring of the
//! `serve` and `connector` processes, the server (listeners and layers), key rotation, the
//! example systems and the rendering of certificates and reports for people.
//!
//! - [`access`]: authentication, the authorisation table, rate limits, TLS.
//! - [`check`]: `erasure config check`: a configuration validated without starting it.
//! - [`client`]: connecting to a running server.
//! - [`config`]: `erasure serve`'s configuration: layering, validation, errors that name
//!   the key and its line.
//! - [`policy`]: the configuration sections that make the coordinator's policy.
//! - [`rules`]: the shipped retention rules, or a rules file.
//! - [`registry`]: the connector kinds, each a crate plus one entry.
//! - [`serve`]: the coordinator process; [`connector`]: one connector as its own process.
//! - [`server`]: listeners and layers around every call; shutdown from the caller.
//! - [`wiring`]: the adapters a configuration picks (store, transport, clock).
//! - [`keys`]: key rotation, trust files, the data directory's lock.
//! - [`secrets`]: the master key and passwords, from a file or an environment variable.
//! - [`opendsr`]: this orchestrator as an OpenDSR processor for its controllers: the
//!   endpoints on the HTTP listener, signed answers and status callbacks.
//! - [`metrics`]: `GET /metrics` on the HTTP listener, in the Prometheus text format.
//! - [`console`]: the web console on the HTTP listener and its JSON gateway to the API.
//! - [`load`]: a bounded load against a running server, for measurements; [`bench`]: an
//!   open-loop benchmark with the server's CPU and memory.
//! - [`example`]: the example systems' data.
//! - [`render`]: certificates and reports as self-contained HTML pages.
//! - [`signal`]: a process's shutdown signal.
//! - [`verify`]: offline verification of certificate, supplement and tree head files.

pub mod access;
pub mod bench;
pub mod check;
pub mod client;
pub mod config;
pub mod connector;
pub mod console;
pub mod example;
pub mod keys;
pub mod load;
pub mod metrics;
pub mod opendsr;
pub mod policy;
pub mod registry;
pub mod render;
pub mod rules;
pub mod secrets;
pub mod serve;
pub mod server;
pub mod signal;
pub mod verify;
pub mod wiring;
