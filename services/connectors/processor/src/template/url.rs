//! URL templates. The scheme and the host are fixed text: a placeholder may only come after
//! the host, in the path or the query. Each value is percent-encoded (everything but ASCII
//! letters, digits, `-`, `.`, `_` and `~`), so a value cannot add a path segment, a query
//! parameter or a fragment; a value that would make a `.` or `..` path segment (which URL
//! parsers resolve, even percent-encoded) is refused.

use super::{Allowed, Bindings, Text, Unbound};
use crate::error::ConfigError;
use erasure_core::IdentifierKind;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but the unreserved characters of RFC 3986.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A parsed URL template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlTemplate {
    /// As configured, for evidence and messages (it holds no value).
    source: String,
    text: Text,
}

impl UrlTemplate {
    /// Parses `source` (the value of `setting`): `https://` (or `http://` when
    /// `allow_http`), a fixed host, then text and placeholders.
    pub fn parse(
        source: &str,
        setting: &str,
        allowed: Allowed,
        allow_http: bool,
    ) -> Result<Self, ConfigError> {
        let invalid = |reason: &str| ConfigError::new(setting, reason);
        let rest = match source.split_once("://") {
            Some(("https", rest)) => rest,
            Some(("http", rest)) if allow_http => rest,
            Some(("http", _)) => return Err(invalid("use https:// (http:// needs allow_http)")),
            _ => return Err(invalid("must start with https://")),
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.is_empty() || authority.contains(['{', '}', '@']) {
            return Err(invalid(
                "the host must be fixed text (placeholders only in the path or the query)",
            ));
        }
        let text = Text::parse(source, setting, allowed)?;
        let probe = source.replace(['{', '}'], "");
        reqwest::Url::parse(&probe).map_err(|e| invalid(&format!("not a URL: {e}")))?;
        Ok(Self {
            source: source.to_owned(),
            text,
        })
    }

    /// The template as configured.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn text(&self) -> &Text {
        &self.text
    }

    /// The URL for one call.
    pub fn render(&self, bindings: &Bindings<'_>) -> Result<reqwest::Url, Unbound> {
        let rendered = self
            .text
            .render(bindings, |v| utf8_percent_encode(v, VALUE).to_string())?;
        let refused = || Unbound::Refused(self.first_kind());
        if has_dot_segment(&rendered) {
            return Err(refused());
        }
        reqwest::Url::parse(&rendered).map_err(|_| refused())
    }

    fn first_kind(&self) -> IdentifierKind {
        self.text.kinds().next().unwrap_or(IdentifierKind::Email)
    }
}

/// Whether the path of `url` has a `.` or `..` segment, written plainly or percent-encoded.
fn has_dot_segment(url: &str) -> bool {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.split(['?', '#']).next().unwrap_or_default();
    path.split('/').skip(1).any(|segment| {
        let lower = segment.to_ascii_lowercase().replace("%2e", ".");
        lower == "." || lower == ".."
    })
}
