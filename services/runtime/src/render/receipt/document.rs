//! A receipt as written in one language: headings, paragraphs, lists and links, ready to
//! lay out as text or HTML. It holds words only, no layout and no personal data.

use serde::Serialize;

/// A receipt in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The language's code (`fi`), for the HTML page's `lang`.
    pub lang: &'static str,
    pub title: String,
    /// The request reference line.
    pub reference: String,
    /// The opening paragraphs.
    pub intro: Vec<String>,
    pub sections: Vec<Section>,
    pub footer: String,
}

/// A part of the receipt under its heading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// What a section is made of, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Block {
    Paragraph(String),
    List(Vec<String>),
    /// A web address (shown as a link in HTML).
    Link(String),
}

impl Section {
    pub(crate) fn new(heading: String) -> Self {
        Self {
            heading,
            blocks: Vec::new(),
        }
    }

    pub(crate) fn paragraph(mut self, text: String) -> Self {
        self.blocks.push(Block::Paragraph(text));
        self
    }

    pub(crate) fn list(mut self, items: Vec<String>) -> Self {
        if !items.is_empty() {
            self.blocks.push(Block::List(items));
        }
        self
    }

    pub(crate) fn link(mut self, url: String) -> Self {
        self.blocks.push(Block::Link(url));
        self
    }
}
