//! The period report file: the core's figures, and a signed tree head that covers every
//! certificate logged when the report was made (so a regulator can ask for any of them
//! and check it against this head).

use erasure_core::report::Report;
use erasure_proof::transparency::TreeHeadFile;
use serde::{Deserialize, Serialize};

pub const REPORT_FORMAT: &str = "erasure-report/v1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFile {
    pub format: String,
    /// RFC 3339.
    pub generated_at: String,
    pub report: Report,
    /// None while no certificate was ever logged.
    pub tree_head: Option<TreeHeadFile>,
}
