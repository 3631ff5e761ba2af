//! The rules file (`erasure-retention-rules/v1`): parsing, checking every field, and the
//! book of every rule the coordinator applies.

use super::rule::{Rule, Transition};
use super::terms::{Anchor, Ground, Period};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeSet;

pub const RULES_FORMAT: &str = "erasure-retention-rules/v1";

/// Why a rules file was refused. Names the rule and the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("retention rules: {0}")]
pub struct RuleError(pub String);

/// Every retention rule the coordinator applies, and the jurisdictions stated to have no
/// retention for a category.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleBook {
    rules: Vec<Rule>,
    /// (jurisdiction, category): the rules file states that no statute of the
    /// jurisdiction requires keeping the category.
    no_retention: BTreeSet<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BookFile {
    format: String,
    #[serde(default)]
    rules: Vec<RuleSpec>,
    #[serde(default)]
    no_retention: Vec<NoRetentionSpec>,
}

/// `[[no_retention]]`: a jurisdiction has no statutory retention for these categories, so
/// a request there erases them. Without it, such a request is refused while another
/// jurisdiction's rule holds the category (a mistyped or unlisted jurisdiction must not
/// erase what the law of the right one keeps).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoRetentionSpec {
    jurisdiction: String,
    categories: Vec<String>,
    /// Who confirmed it and on what basis (required: the statement is a legal finding).
    note: String,
}

/// A rule as written (in a rules file, or on the wire in a work order): text fields, checked
/// by [`RuleSpec::check`] into a [`Rule`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub jurisdiction: String,
    pub category: String,
    pub title: String,
    pub statute: String,
    pub section: String,
    #[serde(default)]
    pub source: String,
    pub ground: String,
    pub period: String,
    pub runs_from: String,
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub transition: Option<TransitionSpec>,
}

/// A rule's transition as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionSpec {
    pub in_force: String,
    pub previous_period: String,
    pub previous_section: String,
    pub law: String,
    pub rule: String,
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl RuleBook {
    pub fn new(rules: Vec<Rule>) -> Result<Self, RuleError> {
        let mut ids = BTreeSet::new();
        for r in &rules {
            if !ids.insert(r.id.as_str()) {
                return Err(RuleError(format!("rule id {} is used twice", r.id)));
            }
        }
        Ok(Self {
            rules,
            no_retention: BTreeSet::new(),
        })
    }

    /// Parses and checks a rules file.
    pub fn from_toml(text: &str) -> Result<Self, RuleError> {
        let raw: BookFile = toml::from_str(text).map_err(|e| {
            RuleError(e.message().to_owned() + &line_of(text, e.span().map(|s| s.start)))
        })?;
        if raw.format != RULES_FORMAT {
            return Err(RuleError(format!(
                "format must be \"{RULES_FORMAT}\", found \"{}\"",
                raw.format
            )));
        }
        let rules = raw
            .rules
            .into_iter()
            .map(RuleSpec::check)
            .collect::<Result<Vec<_>, _>>()?;
        let mut book = Self::new(rules)?;
        for n in raw.no_retention {
            book.add_no_retention(n)?;
        }
        Ok(book)
    }

    fn add_no_retention(&mut self, n: NoRetentionSpec) -> Result<(), RuleError> {
        let j = &n.jurisdiction;
        let bad = |why: &str| RuleError(format!("no_retention for {j}: {why}"));
        if !crate::jurisdiction::is_alpha2(j) {
            return Err(RuleError(format!(
                "no_retention: jurisdiction {j:?} must be an ISO 3166-1 alpha-2 code such as SE"
            )));
        }
        if n.note.trim().is_empty() {
            return Err(bad("note must say who confirmed it and on what basis"));
        }
        if n.categories.is_empty() {
            return Err(bad("categories must name at least one category"));
        }
        for c in n.categories {
            if !is_name(&c) {
                return Err(bad("categories must be lowercase letters, digits and '-'"));
            }
            if self.rules.iter().any(|r| r.matches(j, &c)) {
                return Err(bad(&format!(
                    "category {c} has a rule there: a jurisdiction cannot have both"
                )));
            }
            self.no_retention.insert((j.clone(), c));
        }
        Ok(())
    }

    /// The book with `jurisdiction` stated to have no retention for `category`.
    pub fn with_no_retention(mut self, jurisdiction: &str, category: &str) -> Self {
        self.no_retention
            .insert((jurisdiction.to_owned(), category.to_owned()));
        self
    }

    /// The categories among `categories` that a rule holds in some jurisdiction but that
    /// nothing covers in `jurisdiction`: no rule there (nor for every jurisdiction), and
    /// no statement that it has no retention for them. A request there is refused.
    pub fn uncovered(&self, jurisdiction: &str, categories: &[String]) -> Vec<String> {
        categories
            .iter()
            .filter(|c| self.rules.iter().any(|r| r.category == **c))
            .filter(|c| !self.rules.iter().any(|r| r.matches(jurisdiction, c)))
            .filter(|c| {
                !self
                    .no_retention
                    .contains(&(jurisdiction.to_owned(), (*c).clone()))
            })
            .cloned()
            .collect()
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The rules that apply to a request of `jurisdiction` over a system holding
    /// `categories`.
    pub fn matching<'a>(
        &'a self,
        jurisdiction: &'a str,
        categories: &'a [String],
    ) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules
            .iter()
            .filter(move |r| categories.iter().any(|c| r.matches(jurisdiction, c)))
    }
}

fn line_of(text: &str, offset: Option<usize>) -> String {
    offset
        .map(|o| {
            let line = text[..o.min(text.len())].matches('\n').count() + 1;
            format!(" (line {line})")
        })
        .unwrap_or_default()
}

impl RuleSpec {
    /// Checks every field as strictly as a rules file is checked.
    pub fn check(self) -> Result<Rule, RuleError> {
        let id = self.id;
        let bad = |field: &str, why: &str| RuleError(format!("rule {id}: {field} {why}"));
        if !is_name(&id) {
            return Err(RuleError(format!(
                "rule id {id:?} must be lowercase letters, digits and '-'"
            )));
        }
        let j = &self.jurisdiction;
        if j != "*" && !crate::jurisdiction::is_alpha2(j) {
            return Err(bad(
                "jurisdiction",
                "must be an ISO 3166-1 alpha-2 code such as FI, or *",
            ));
        }
        if !is_name(&self.category) {
            return Err(bad("category", "must be lowercase letters, digits and '-'"));
        }
        for (field, value) in [
            ("title", &self.title),
            ("statute", &self.statute),
            ("section", &self.section),
        ] {
            if value.trim().is_empty() {
                return Err(bad(field, "must not be empty"));
            }
        }
        let ground = Ground::parse(&self.ground)
            .ok_or_else(|| bad("ground", "must be legal-obligation or legal-claims"))?;
        let period = Period::parse(&self.period)
            .ok_or_else(|| bad("period", "must be whole years (\"10y\") or months (\"3m\")"))?;
        let runs_from = Anchor::parse(&self.runs_from).ok_or_else(|| {
            bad("runs_from", "must be financial-year-end, end-of-calendar-year-of-financial-year-end, end-of-calendar-year, document-date, contract-end or complaint-closed")
        })?;
        let condition = match self.condition.as_str() {
            "" => None,
            c if is_name(c) => Some(c.to_owned()),
            _ => {
                return Err(bad(
                    "condition",
                    "must be lowercase letters, digits and '-'",
                ));
            }
        };
        let transition = self
            .transition
            .map(|t| {
                Ok::<_, RuleError>(Transition {
                    in_force: NaiveDate::parse_from_str(&t.in_force, "%Y-%m-%d")
                        .map_err(|_| bad("transition.in_force", "must be a date YYYY-MM-DD"))?,
                    previous_period: Period::parse(&t.previous_period).ok_or_else(|| {
                        bad(
                            "transition.previous_period",
                            "must be \"10y\" or \"3m\" style",
                        )
                    })?,
                    previous_section: t.previous_section,
                    law: t.law,
                    rule: t.rule,
                })
            })
            .transpose()?;
        Ok(Rule {
            id,
            jurisdiction: self.jurisdiction,
            category: self.category,
            title: self.title,
            statute: self.statute,
            section: self.section,
            source: self.source,
            ground,
            period,
            runs_from,
            condition,
            note: self.note,
            transition,
        })
    }
}
