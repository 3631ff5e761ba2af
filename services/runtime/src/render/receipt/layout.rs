//! A receipt laid out for a terminal (plain text) or a browser (one self-contained HTML
//! page: `templates/receipt.html`, on the layout of the other pages).

use super::document::{Block, Document};
use askama::Template;
use std::fmt::Write;

#[derive(Template)]
#[template(path = "receipt.html", whitespace = "minimize")]
struct ReceiptPage<'a> {
    d: &'a Document,
}

impl Document {
    /// Plain text: the title underlined, each section under its heading, list items
    /// indented, links on their own line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}\n{}\n", self.title, underline(&self.title, '='));
        let _ = writeln!(out, "{}\n", self.reference);
        for p in &self.intro {
            let _ = writeln!(out, "{p}\n");
        }
        for s in &self.sections {
            let _ = writeln!(out, "{}\n{}", s.heading, underline(&s.heading, '-'));
            for b in &s.blocks {
                match b {
                    Block::Paragraph(p) => {
                        let _ = writeln!(out, "{p}");
                    }
                    Block::List(items) => items.iter().for_each(|i| {
                        let _ = writeln!(out, "  - {i}");
                    }),
                    Block::Link(url) => {
                        let _ = writeln!(out, "  {url}");
                    }
                }
            }
            out.push('\n');
        }
        out.push_str(&self.footer);
        out.push('\n');
        out
    }

    /// One HTML page; every value is escaped.
    pub fn html(&self) -> Result<String, askama::Error> {
        ReceiptPage { d: self }.render()
    }
}

fn underline(text: &str, c: char) -> String {
    std::iter::repeat_n(c, text.chars().count()).collect()
}
