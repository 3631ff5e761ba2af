//! Templates: text with `{placeholder}`s, parsed when the connector is built and rendered
//! per call. Where the text goes decides how a value is escaped: [`url`] percent-encodes,
//! [`body`] builds JSON (so a value can never close a string or add a field), headers take
//! no identifier at all. Rendering never formats a value into a message.
//!
//! - [`Text`]: one templated string, its [`Piece`]s.
//! - [`url`]: [`url::UrlTemplate`], whose scheme and host are fixed text.
//! - [`body`]: [`body::BodyTemplate`], a JSON document with templated strings, where
//!   `"{email[]}"` stands for the array of every value of a kind.

pub mod body;
pub mod url;

use crate::error::ConfigError;
use erasure_core::IdentifierKind;

/// A part of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    /// One value of an identifier kind: one call per value.
    Kind(IdentifierKind),
    RequestId,
    TaskId,
    Controller,
    CallbackUrl,
    JobId,
}

/// Which placeholders a template may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowed {
    pub identifiers: bool,
    pub callback_url: bool,
    pub job_id: bool,
}

/// What a call's templates are rendered with.
#[derive(Clone, Copy, Debug)]
pub struct Bindings<'a> {
    pub request_id: &'a str,
    pub task_id: &'a str,
    pub controller: Option<&'a str>,
    pub callback_url: Option<&'a str>,
    pub job_id: Option<&'a str>,
    /// One value per identifier kind the templates name (this call's combination).
    pub values: &'a [(IdentifierKind, &'a str)],
    /// Every value of the person, for `{kind[]}`.
    pub person: &'a erasure_core::Identifiers,
}

/// Why a template could not be rendered for a call (never naming a value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unbound {
    /// `{controller}`, and the request names none.
    NoController,
    /// The person has no value of this kind.
    Absent(IdentifierKind),
    /// The value of this kind cannot be placed there safely.
    Refused(IdentifierKind),
    /// `{callback_url}` or `{job_id}` without one (a configuration the build refuses).
    Missing(&'static str),
}

/// One templated string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pieces: Vec<Piece>,
}

impl Text {
    /// Parses `source`, the value of `setting`, allowing the placeholders in `allowed`.
    pub fn parse(source: &str, setting: &str, allowed: Allowed) -> Result<Self, ConfigError> {
        let invalid = |reason: String| ConfigError::new(setting, reason);
        let mut pieces = Vec::new();
        let mut rest = source;
        while let Some(open) = rest.find('{') {
            push_literal(&mut pieces, &rest[..open]).map_err(invalid)?;
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| invalid("has a '{' without '}'".into()))?;
            pieces.push(placeholder(&after[..close], allowed).map_err(invalid)?);
            rest = &after[close + 1..];
        }
        push_literal(&mut pieces, rest).map_err(invalid)?;
        Ok(Self { pieces })
    }

    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The identifier kinds the text takes one value of.
    pub fn kinds(&self) -> impl Iterator<Item = IdentifierKind> + '_ {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Kind(kind) => Some(*kind),
            _ => None,
        })
    }

    pub fn names_controller(&self) -> bool {
        self.pieces.contains(&Piece::Controller)
    }

    /// The text with each placeholder's value passed through `escape`.
    pub fn render(
        &self,
        bindings: &Bindings<'_>,
        escape: impl Fn(&str) -> String,
    ) -> Result<String, Unbound> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Kind(kind) => {
                    let value = bindings.values.iter().find(|(k, _)| k == kind);
                    out.push_str(&escape(value.ok_or(Unbound::Absent(*kind))?.1));
                }
                Piece::RequestId => out.push_str(&escape(bindings.request_id)),
                Piece::TaskId => out.push_str(&escape(bindings.task_id)),
                Piece::Controller => {
                    out.push_str(&escape(bindings.controller.ok_or(Unbound::NoController)?));
                }
                Piece::CallbackUrl => {
                    let url = bindings.callback_url;
                    out.push_str(&escape(url.ok_or(Unbound::Missing("callback_url"))?));
                }
                Piece::JobId => {
                    out.push_str(&escape(bindings.job_id.ok_or(Unbound::Missing("job_id"))?));
                }
            }
        }
        Ok(out)
    }
}

fn placeholder(name: &str, allowed: Allowed) -> Result<Piece, String> {
    let piece = match name {
        "request_id" => Piece::RequestId,
        "task_id" => Piece::TaskId,
        "controller" => Piece::Controller,
        "callback_url" if allowed.callback_url => Piece::CallbackUrl,
        "job_id" if allowed.job_id => Piece::JobId,
        _ => match IdentifierKind::parse(name) {
            Some(kind) if allowed.identifiers => Piece::Kind(kind),
            Some(_) => return Err(format!("{{{name}}}: no identifier may be placed here")),
            None => return Err(unknown(name, allowed)),
        },
    };
    Ok(piece)
}

fn unknown(name: &str, allowed: Allowed) -> String {
    let mut names = vec!["{request_id}", "{task_id}", "{controller}"];
    if allowed.callback_url {
        names.push("{callback_url}");
    }
    if allowed.job_id {
        names.push("{job_id}");
    }
    let mut text = format!("unknown placeholder {{{name}}}: use {}", names.join(", "));
    if allowed.identifiers {
        let kinds: Vec<String> = IdentifierKind::ALL
            .iter()
            .map(|k| format!("{{{k}}}"))
            .collect();
        text.push_str(&format!(" or an identifier kind, {}", kinds.join(", ")));
    }
    text
}

fn push_literal(pieces: &mut Vec<Piece>, literal: &str) -> Result<(), String> {
    if literal.contains('}') {
        return Err("has a '}' without '{'".into());
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
