//! Renderings for people: [`html`] pages (certificates, reports) for a browser, offline;
//! [`text`] for a terminal (a request's state, the dates the law gives); the [`receipt`]
//! for the person, in their language, as text or HTML.

pub mod html;
pub mod receipt;
pub mod text;

pub use html::{certificate, certificate_from_json, report, report_from_json};
