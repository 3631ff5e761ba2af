//! Key templates: `customers/{customer_id}/` names the prefix under which every object
//! belongs to the person with that customer id.
//!
//! Parsing (at construction) checks the template's own text: it ends in `/` (it names a
//! prefix, not one object), has no empty, `.` or `..` segment, and holds at least one
//! placeholder (a template without one would name the same prefix for everybody).
//!
//! Rendering (per job) is where personal data enters: a value that is empty, `.`, `..`, or
//! contains `/` or `\` could change which directory the prefix names, so it is refused
//! for that template. Rendering never fails for another reason, and never formats values
//! into messages.

use crate::error::ConfigError;
use erasure_core::{IdentifierKind, Identifiers};
use object_store::path::{Path, PathPart};
use std::collections::BTreeSet;

/// A parsed key template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyTemplate {
    /// The template as configured, for evidence and messages.
    source: String,
    /// Path segments; each a sequence of literal text and placeholders.
    segments: Vec<Vec<Piece>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Placeholder(IdentifierKind),
    /// `{controller}`: the controller the request is for.
    Controller,
}

/// A template applied to one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rendered {
    /// The prefix to erase under.
    Prefix(Path),
    /// The person has no identifier of this kind: nothing to do for this template.
    Absent(IdentifierKind),
    /// The person's identifier of this kind cannot be used in a key safely.
    Refused(IdentifierKind),
    /// The template names `{controller}` and the request names none.
    NoController,
}

impl KeyTemplate {
    pub fn parse(source: &str) -> Result<Self, ConfigError> {
        let invalid = |reason: &str| ConfigError::Template {
            template: source.to_owned(),
            reason: reason.to_owned(),
        };
        let body = source.strip_suffix('/').ok_or_else(|| {
            invalid("must end with '/': it names the prefix of the person's objects")
        })?;
        if body.starts_with('/') || body.contains('\\') {
            return Err(invalid(
                "must be relative to the root, with '/' between segments",
            ));
        }
        let segments = body
            .split('/')
            .map(|segment| parse_segment(segment).map_err(|reason| invalid(&reason)))
            .collect::<Result<Vec<_>, _>>()?;
        let placeholders = segments.iter().flatten();
        if !placeholders
            .into_iter()
            .any(|p| matches!(p, Piece::Placeholder(_)))
        {
            return Err(invalid(
                "has no placeholder: it would name the same objects for everybody",
            ));
        }
        Ok(Self {
            source: source.to_owned(),
            segments,
        })
    }

    /// The template as configured.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The identifier kinds of its placeholders.
    pub fn kinds(&self) -> Vec<IdentifierKind> {
        self.segments
            .iter()
            .flatten()
            .filter_map(|p| match p {
                Piece::Placeholder(kind) => Some(*kind),
                Piece::Literal(_) | Piece::Controller => None,
            })
            .collect()
    }

    /// The prefixes for `person` on behalf of `controller`: one per combination of the
    /// values of the template's placeholders; one `Absent` when the person has no value of
    /// a placeholder's kind, `NoController` when the template names `{controller}` and
    /// there is none.
    pub fn render(&self, person: &Identifiers, controller: Option<&str>) -> Vec<Rendered> {
        let pieces = || self.segments.iter().flatten();
        if controller.is_none() && pieces().any(|p| *p == Piece::Controller) {
            return vec![Rendered::NoController];
        }
        let kinds: BTreeSet<IdentifierKind> = self
            .segments
            .iter()
            .flatten()
            .filter_map(|p| match p {
                Piece::Placeholder(kind) => Some(*kind),
                Piece::Literal(_) | Piece::Controller => None,
            })
            .collect();
        let mut assignments: Vec<Vec<(IdentifierKind, &str)>> = vec![Vec::new()];
        for kind in kinds {
            let values: Vec<&str> = person.values(kind).collect();
            if values.is_empty() {
                return vec![Rendered::Absent(kind)];
            }
            assignments = assignments
                .into_iter()
                .flat_map(|a| {
                    values.iter().map(move |v| {
                        let mut a = a.clone();
                        a.push((kind, *v));
                        a
                    })
                })
                .collect();
        }
        assignments
            .iter()
            .map(|a| self.render_one(a, controller.unwrap_or_default()))
            .collect()
    }

    /// The prefix for one value of each placeholder, or why it cannot be used.
    fn render_one(&self, values: &[(IdentifierKind, &str)], controller: &str) -> Rendered {
        let mut texts = Vec::with_capacity(self.segments.len());
        for segment in &self.segments {
            let text = match render_segment(segment, values, controller) {
                Ok(text) => text,
                Err(rendered) => return rendered,
            };
            // Control characters: only a value can bring them (literals were checked).
            if PathPart::parse(&text).is_err() {
                return Rendered::Refused(first_placeholder(segment));
            }
            texts.push(text);
        }
        // Parsed, not built from encoded parts: the key must be the raw text, as the
        // objects were named.
        match Path::parse(texts.join("/")) {
            Ok(path) => Rendered::Prefix(path),
            Err(_) => Rendered::Refused(first_placeholder(self.segments.iter().flatten())),
        }
    }
}

fn render_segment(
    segment: &[Piece],
    values: &[(IdentifierKind, &str)],
    controller: &str,
) -> Result<String, Rendered> {
    let mut text = String::new();
    for piece in segment {
        match piece {
            Piece::Literal(literal) => text.push_str(literal),
            // A checked id (lower-case letters, digits, '-', '_'): safe in a key.
            Piece::Controller if is_safe_value(controller) => text.push_str(controller),
            Piece::Controller => return Err(Rendered::NoController),
            Piece::Placeholder(kind) => match values.iter().find(|(k, _)| k == kind) {
                None => return Err(Rendered::Absent(*kind)),
                Some((_, value)) if !is_safe_value(value) => {
                    return Err(Rendered::Refused(*kind));
                }
                Some((_, value)) => text.push_str(value),
            },
        }
    }
    Ok(text)
}

/// A value that names exactly one path segment and cannot step out of it (the rule the
/// coordinator applies at submit).
fn is_safe_value(value: &str) -> bool {
    erasure_core::identifiers::is_path_segment(value)
}

fn first_placeholder<'a>(pieces: impl IntoIterator<Item = &'a Piece>) -> IdentifierKind {
    pieces
        .into_iter()
        .find_map(|p| match p {
            Piece::Placeholder(kind) => Some(*kind),
            Piece::Literal(_) | Piece::Controller => None,
        })
        .unwrap_or(IdentifierKind::Email)
}

/// One segment: literal text and `{kind}` placeholders.
fn parse_segment(segment: &str) -> Result<Vec<Piece>, String> {
    if segment.is_empty() || segment == "." || segment == ".." {
        return Err(format!("segment {segment:?} is empty, '.' or '..'"));
    }
    let mut pieces = Vec::new();
    let mut rest = segment;
    while let Some(open) = rest.find('{') {
        push_literal(&mut pieces, &rest[..open])?;
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("has a '{' without '}'")?;
        let name = &after[..close];
        rest = &after[close + 1..];
        if name == "controller" {
            pieces.push(Piece::Controller);
            continue;
        }
        let kind = IdentifierKind::parse(name).ok_or_else(|| {
            let kinds: Vec<String> = IdentifierKind::ALL
                .iter()
                .map(|k| format!("{{{k}}}"))
                .collect();
            format!(
                "unknown placeholder {{{name}}}: use {} or {{controller}}",
                kinds.join(", ")
            )
        })?;
        pieces.push(Piece::Placeholder(kind));
    }
    push_literal(&mut pieces, rest)?;
    Ok(pieces)
}

fn push_literal(pieces: &mut Vec<Piece>, literal: &str) -> Result<(), String> {
    if literal.contains('}') {
        return Err("has a '}' without '{'".into());
    }
    if literal.chars().any(|c| c.is_control()) {
        return Err("contains a control character".into());
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
