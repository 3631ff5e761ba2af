//! The retention rules: the shipped ones, or a rules file.

use anyhow::{Context, Result};
use erasure_core::retention::RuleBook;
use std::path::Path;

/// The shipped retention rules, used unless `[retention] rules` names another file.
pub const DEFAULT_RULES: &str = include_str!("../../../deploy/rules/retention.toml");

/// The rules file at `path`, or the built-in rules.
pub fn load_rules(path: Option<&Path>) -> Result<RuleBook> {
    match path {
        None => RuleBook::from_toml(DEFAULT_RULES).context("the built-in retention rules"),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read retention rules {}", path.display()))?;
            RuleBook::from_toml(&text).with_context(|| path.display().to_string())
        }
    }
}
