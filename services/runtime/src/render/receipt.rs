//! The receipt for the person (GDPR Art. 12(3)): what was erased and when, what is kept
//! under which law until when, backups, the deadline's extension, the recipients told
//! (Art. 19), and where to complain (Art. 77), in the person's language.
//!
//! - `language`: the languages and their texts (Project Fluent files in
//!   `services/runtime/locales/<lang>/receipt.ftl`, built in; dates as each language writes
//!   them).
//! - `authorities`: the supervisory authority of each jurisdiction
//!   (`deploy/rules/authorities.toml`, built in).
//! - `compose`: the receipt's words from a request's API view.
//! - `document`: those words, before layout.
//! - `layout`: plain text and HTML (`templates/receipt.html`).
//!
//! The view carries none of the person's identifiers, and nothing here adds one: the
//! request id is the only reference a receipt holds. The content is specified in
//! `docs/receipt.md`.

mod authorities;
mod compose;
mod document;
mod language;
mod layout;

pub use authorities::{Authorities, Authority};
pub use compose::compose;
pub use document::{Block, Document, Section};
pub use language::{Language, Texts, UnsupportedLanguage};

#[cfg(test)]
mod tests;
