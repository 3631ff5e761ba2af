//! Renderings for people: [`html`] pages (certificates, reports) for a browser, offline;
//! [`text`] for a terminal (a request's state, the dates the law gives).

pub mod html;
pub mod text;

pub use html::{certificate, certificate_from_json, report, report_from_json};
