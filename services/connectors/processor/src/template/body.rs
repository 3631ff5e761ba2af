//! JSON body templates: the configured document with its strings templated. The body is
//! built as a JSON value and serialised, so values are escaped by construction. A string
//! that is exactly `"{kind[]}"` becomes the array of every value of that kind (empty when
//! the person has none).

use super::{Allowed, Bindings, Piece, Text, Unbound};
use crate::error::ConfigError;
use erasure_core::IdentifierKind;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A parsed body template.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyTemplate {
    root: Node,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    /// Null, a boolean or a number: sent as written.
    Fixed(Value),
    Text(Text),
    /// `"{kind[]}"`: every value of the kind.
    All(IdentifierKind),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl BodyTemplate {
    /// Parses the configured document (the value of `setting`).
    pub fn parse(document: &Value, setting: &str, allowed: Allowed) -> Result<Self, ConfigError> {
        Ok(Self {
            root: node(document, setting, allowed)?,
        })
    }

    /// The kinds the body takes one value of (one call per value).
    pub fn kinds(&self) -> BTreeSet<IdentifierKind> {
        let mut kinds = BTreeSet::new();
        self.root.visit(&mut |n| {
            if let Node::Text(text) = n {
                kinds.extend(text.kinds());
            }
        });
        kinds
    }

    /// The kinds the body takes every value of, as an array.
    pub fn array_kinds(&self) -> BTreeSet<IdentifierKind> {
        let mut kinds = BTreeSet::new();
        self.root.visit(&mut |n| {
            if let Node::All(kind) = n {
                kinds.insert(*kind);
            }
        });
        kinds
    }

    pub fn names_controller(&self) -> bool {
        let mut named = false;
        self.root.visit(&mut |n| {
            if let Node::Text(text) = n {
                named |= text.names_controller();
            }
        });
        named
    }

    /// The body for one call.
    pub fn render(&self, bindings: &Bindings<'_>) -> Result<Value, Unbound> {
        self.root.render(bindings)
    }
}

impl Node {
    fn visit(&self, f: &mut dyn FnMut(&Node)) {
        f(self);
        match self {
            Node::Array(items) => items.iter().for_each(|n| n.visit(f)),
            Node::Object(fields) => fields.iter().for_each(|(_, n)| n.visit(f)),
            Node::Fixed(_) | Node::Text(_) | Node::All(_) => {}
        }
    }

    fn render(&self, bindings: &Bindings<'_>) -> Result<Value, Unbound> {
        Ok(match self {
            Node::Fixed(value) => value.clone(),
            Node::Text(text) => Value::String(text.render(bindings, str::to_owned)?),
            Node::All(kind) => {
                Value::Array(bindings.person.values(*kind).map(Value::from).collect())
            }
            Node::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|n| n.render(bindings))
                    .collect::<Result<_, _>>()?,
            ),
            Node::Object(fields) => {
                let mut map = Map::new();
                for (name, n) in fields {
                    map.insert(name.clone(), n.render(bindings)?);
                }
                Value::Object(map)
            }
        })
    }
}

fn node(value: &Value, setting: &str, allowed: Allowed) -> Result<Node, ConfigError> {
    Ok(match value {
        Value::String(text) => match all_of(text) {
            Some(kind) if allowed.identifiers => Node::All(kind),
            _ => {
                let parsed = Text::parse(text, setting, allowed)?;
                match parsed.pieces() {
                    [] | [Piece::Literal(_)] => Node::Fixed(value.clone()),
                    _ => Node::Text(parsed),
                }
            }
        },
        Value::Array(items) => Node::Array(
            items
                .iter()
                .map(|v| node(v, setting, allowed))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(fields) => Node::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), node(v, &format!("{setting}.{k}"), allowed)?)))
                .collect::<Result<_, ConfigError>>()?,
        ),
        Value::Null | Value::Bool(_) | Value::Number(_) => Node::Fixed(value.clone()),
    })
}

/// `{kind[]}`.
fn all_of(text: &str) -> Option<IdentifierKind> {
    let name = text.strip_prefix('{')?.strip_suffix("[]}")?;
    IdentifierKind::parse(name)
}
