//! Legal holds: data the law forces a controller to keep (GDPR Art. 17(3)(b) and (e)),
//! and until when.
//!
//! A [`RuleBook`] is read from a TOML file (`erasure-retention-rules/v1`, shipped default in
//! `deploy/rules/retention.toml`). Each [`Rule`] names a jurisdiction, the data category it
//! covers, the statute and section it cites, a period and the event the period runs from.
//! [`Rule::retain_until`] computes the last day an item must be kept from the item's
//! reference date, with the reasoning spelt out step by step ([`Explanation`]).
//!
//! Dates are calendar dates. "Retained until D" means D is the last day of retention; the
//! item may be erased from the day after.
//!
//! - [`terms`]: grounds, periods, the events a period runs from, the financial year.
//! - [`rule`]: one rule, the date it gives for an item, and which rule holds an item.
//! - [`book`]: the rules file: parsing and checking, and the book of every rule.

mod book;
mod rule;
mod terms;

pub use book::{RULES_FORMAT, RuleBook, RuleError, RuleSpec, TransitionSpec};
pub use rule::{Explanation, Held, Rule, Transition, hold_for_item};
pub use terms::{Anchor, FinancialYearEnd, Ground, Period};

#[cfg(test)]
mod tests;
