//! What a connector kind's configuration section offers the runtime's registry of kinds:
//! building the connector, and naming the files it uses.

use crate::connector::Connector;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a configuration does not make a connector; names the setting, never a value of a
/// person.
pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

/// A connector kind's configuration (`[connector]` with `kind = "…"`): a typed,
/// `deny_unknown_fields` struct of the kind's crate. A kind is that crate plus one entry in
/// the runtime's registry.
pub trait KindConfig {
    /// The connector, with relative paths resolved against `base` (the directory of the
    /// file the configuration was read from). Checks the configuration; does not reach
    /// the system, which may be down now and up when work arrives.
    fn build(&self, base: &Path) -> Result<Arc<dyn Connector>, BuildError>;

    /// The files and directories the connector reads or writes, as configured (relative
    /// to `base`), each with the setting that names it: what a deployment must mount.
    fn paths(&self) -> Vec<(&'static str, PathBuf)>;

    /// Whether the connector answers identity resolution ([`Connector::resolve`]).
    fn resolves(&self) -> bool {
        false
    }

    /// The data categories the connector can keep under a legal hold (a table's
    /// `category`), each with the setting that declares it. The system must declare them
    /// too, or retention rules never reach the connector and the data is erased instead.
    fn held_categories(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The identifier kinds the connector files data under as one path segment (a key
    /// template's placeholder): the coordinator refuses, at submit, a value that cannot
    /// name one segment safely, rather than dispatch work that must fail.
    fn path_segments(&self) -> Vec<erasure_core::IdentifierKind> {
        Vec::new()
    }
}
