//! Legal holds: data the law forces a controller to keep (GDPR Art. 17(3)(b) and (e)),
//! and until when.
//!
//! A [`RuleBook`] is read from a TOML file (`erasure-retention-rules/v1`, shipped default in
//! `deploy/rules/retention.toml`). Each [`Rule`] names a jurisdiction, the data category it
//! covers, the statute and section it cites, a period and the event the period runs from.
//! [`Rule::retain_until`] computes the last day an item must be kept from the item's
//! reference date, with the reasoning spelt out step by step ([`Explanation`]).
//!
//! Dates are calendar dates. "Retained until D" means D is the last day of retention; the
//! item may be erased from the day after.

use chrono::{Datelike, Months, NaiveDate};
use erasure_proto::v1 as pb;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt;

pub const RULES_FORMAT: &str = "erasure-retention-rules/v1";

/// The GDPR ground that lets the controller refuse (part of) an erasure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ground {
    /// Art. 17(3)(b): compliance with a legal obligation (e.g. bookkeeping law).
    LegalObligation,
    /// Art. 17(3)(e): the establishment, exercise or defence of legal claims.
    LegalClaims,
}

impl Ground {
    pub fn name(self) -> &'static str {
        match self {
            Self::LegalObligation => "legal-obligation",
            Self::LegalClaims => "legal-claims",
        }
    }

    pub fn article(self) -> &'static str {
        match self {
            Self::LegalObligation => "GDPR Art. 17(3)(b)",
            Self::LegalClaims => "GDPR Art. 17(3)(e)",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "legal-obligation" => Some(Self::LegalObligation),
            "legal-claims" => Some(Self::LegalClaims),
            _ => None,
        }
    }
}

/// A retention period in whole months (years are twelve months).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    months: u32,
    written_in_years: bool,
}

impl Period {
    pub fn years(n: u32) -> Self {
        Self {
            months: n * 12,
            written_in_years: true,
        }
    }

    pub fn months(n: u32) -> Self {
        Self {
            months: n,
            written_in_years: false,
        }
    }

    /// `"10y"` or `"3m"`.
    pub fn parse(s: &str) -> Option<Self> {
        let (n, unit) = s.split_at(s.len().checked_sub(1)?);
        let n: u32 = n.parse().ok().filter(|n| (1..=100 * 12).contains(n))?;
        match unit {
            "y" if n <= 100 => Some(Self::years(n)),
            "m" => Some(Self::months(n)),
            _ => None,
        }
    }

    pub fn in_months(self) -> u32 {
        self.months
    }

    /// The form [`Period::parse`] reads: `"10y"` or `"3m"`.
    pub fn to_code(self) -> String {
        if self.written_in_years {
            format!("{}y", self.months / 12)
        } else {
            format!("{}m", self.months)
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = if self.written_in_years {
            (self.months / 12, "year")
        } else {
            (self.months, "month")
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

/// The event a retention period runs from, found from the item's reference date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The end of the financial year the item's date falls in.
    FinancialYearEnd,
    /// The end of the calendar year in which that financial year ended.
    EndOfCalendarYearOfFinancialYearEnd,
    /// The end of the calendar year of the item's date (the document arose, the last
    /// entry was made, the letter was sent or received).
    EndOfCalendarYear,
    /// The item's date itself: the document's date.
    DocumentDate,
    /// The item's date itself: the end of the contract.
    ContractEnd,
    /// The item's date itself: the day a complaint was closed.
    ComplaintClosed,
}

impl Anchor {
    pub fn name(self) -> &'static str {
        match self {
            Self::FinancialYearEnd => "financial-year-end",
            Self::EndOfCalendarYearOfFinancialYearEnd => {
                "end-of-calendar-year-of-financial-year-end"
            }
            Self::EndOfCalendarYear => "end-of-calendar-year",
            Self::DocumentDate => "document-date",
            Self::ContractEnd => "contract-end",
            Self::ComplaintClosed => "complaint-closed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::FinancialYearEnd,
            Self::EndOfCalendarYearOfFinancialYearEnd,
            Self::EndOfCalendarYear,
            Self::DocumentDate,
            Self::ContractEnd,
            Self::ComplaintClosed,
        ]
        .into_iter()
        .find(|a| a.name() == s)
    }

    /// What the reference date of an item means under this anchor.
    pub fn reference_meaning(self) -> &'static str {
        match self {
            Self::FinancialYearEnd
            | Self::EndOfCalendarYearOfFinancialYearEnd
            | Self::EndOfCalendarYear
            | Self::DocumentDate => "the date of the document or entry",
            Self::ContractEnd => "the day the contract ended",
            Self::ComplaintClosed => "the day the complaint was closed",
        }
    }

    fn needs_financial_year(self) -> bool {
        matches!(
            self,
            Self::FinancialYearEnd | Self::EndOfCalendarYearOfFinancialYearEnd
        )
    }
}

/// The last day of the organisation's financial year, e.g. 30 June (`"06-30"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FinancialYearEnd {
    month: u32,
    day: u32,
}

impl Default for FinancialYearEnd {
    fn default() -> Self {
        Self { month: 12, day: 31 }
    }
}

impl FinancialYearEnd {
    /// `"MM-DD"`; `"02-29"` means the last day of February.
    pub fn parse(s: &str) -> Option<Self> {
        let (m, d) = s.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (month, day): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
        // 2024 is a leap year: every real month-day exists in it.
        NaiveDate::from_ymd_opt(2024, month, day)?;
        Some(Self { month, day })
    }

    /// The end of the financial year that `date` falls in.
    pub fn containing(self, date: NaiveDate) -> NaiveDate {
        let this_year = self.in_year(date.year());
        if date <= this_year {
            this_year
        } else {
            self.in_year(date.year() + 1)
        }
    }

    fn in_year(self, year: i32) -> NaiveDate {
        let last = last_day_of_month(year, self.month);
        let day = self.day.min(last.day());
        NaiveDate::from_ymd_opt(year, self.month, day).unwrap_or(last)
    }
}

impl fmt::Display for FinancialYearEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    first_next
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// A change of the law: the period that applied before `in_force`, and how items are
/// moved over (see [`Rule::retain_until`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub in_force: NaiveDate,
    pub previous_period: Period,
    pub previous_section: String,
    pub law: String,
    pub rule: String,
}

/// One retention rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    /// ISO 3166-1 alpha-2 of the law, or `*` for every jurisdiction.
    pub jurisdiction: String,
    pub category: String,
    pub title: String,
    pub statute: String,
    pub section: String,
    pub source: String,
    pub ground: Ground,
    pub period: Period,
    pub runs_from: Anchor,
    /// The rule applies only to items flagged with this condition (e.g. `complaint-open`).
    pub condition: Option<String>,
    pub note: String,
    pub transition: Option<Transition>,
}

/// How a retain-until date was reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub rule_id: String,
    pub reference: NaiveDate,
    /// The day the period runs from.
    pub anchor: NaiveDate,
    /// The last day of retention.
    pub until: NaiveDate,
    /// The steps, in words, for a person to check.
    pub steps: Vec<String>,
}

impl Explanation {
    /// The first day the item may be erased.
    pub fn erasable_from(&self) -> NaiveDate {
        self.until.succ_opt().unwrap_or(NaiveDate::MAX)
    }
}

fn add_months(date: NaiveDate, months: u32, keep_month_end: bool) -> NaiveDate {
    let moved = date
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX);
    if keep_month_end && date == last_day_of_month(date.year(), date.month()) {
        last_day_of_month(moved.year(), moved.month())
    } else {
        moved
    }
}

impl Rule {
    /// The citation as one line: statute, section and GDPR ground.
    pub fn citation(&self) -> String {
        format!(
            "{}, {} ({})",
            self.statute,
            self.section,
            self.ground.article()
        )
    }

    pub fn applies_to(&self, conditions: &BTreeSet<String>) -> bool {
        self.condition
            .as_ref()
            .is_none_or(|c| conditions.contains(c))
    }

    pub fn matches(&self, jurisdiction: &str, category: &str) -> bool {
        (self.jurisdiction == "*" || self.jurisdiction == jurisdiction) && self.category == category
    }

    /// The day the period runs from, and the steps that found it.
    fn anchor(&self, reference: NaiveDate, fy: FinancialYearEnd) -> (NaiveDate, Vec<String>) {
        let mut steps = Vec::new();
        let anchor = match self.runs_from {
            Anchor::FinancialYearEnd => {
                let end = fy.containing(reference);
                steps.push(format!(
                    "{reference} falls in the financial year ending {end} (financial years end on {fy})"
                ));
                steps.push(format!(
                    "the period runs from the end of that financial year, {end}"
                ));
                end
            }
            Anchor::EndOfCalendarYearOfFinancialYearEnd => {
                let fy_end = fy.containing(reference);
                let end = last_day_of_month(fy_end.year(), 12);
                steps.push(format!(
                    "{reference} falls in the financial year ending {fy_end} (financial years end on {fy})"
                ));
                steps.push(format!(
                    "the period runs from the end of the calendar year in which that financial year ended, {end}"
                ));
                end
            }
            Anchor::EndOfCalendarYear => {
                let end = last_day_of_month(reference.year(), 12);
                steps.push(format!(
                    "the period runs from the end of the calendar year of {reference}, {end}"
                ));
                end
            }
            Anchor::DocumentDate | Anchor::ContractEnd | Anchor::ComplaintClosed => {
                steps.push(format!(
                    "the period runs from {}, {reference}",
                    self.runs_from.reference_meaning()
                ));
                reference
            }
        };
        (anchor, steps)
    }

    /// The last day an item with this reference date must be kept.
    ///
    /// Where the law changed the period ([`Transition`]), the rule implemented is the
    /// usual German one (Art. 97 § 19a EGAO, Art. 95 EGHGB for BEG IV): the current period
    /// applies to every item whose period under the previous rule had not yet run out when
    /// the change took effect; an item whose previous period had already run out keeps
    /// that (past) date. Nothing is released before the change took effect.
    pub fn retain_until(&self, reference: NaiveDate, fy: FinancialYearEnd) -> Explanation {
        let (anchor, mut steps) = self.anchor(reference, fy);
        let keep_month_end = self.runs_from.needs_financial_year();
        let current = add_months(anchor, self.period.in_months(), keep_month_end);
        let until = match &self.transition {
            None => {
                steps.push(format!(
                    "{} {} from {anchor}: retained until {current}",
                    self.section, self.period
                ));
                current
            }
            Some(t) => {
                let previous = add_months(anchor, t.previous_period.in_months(), keep_month_end);
                if previous < t.in_force {
                    steps.push(format!(
                        "under {} ({}) the period ended on {previous}, before {} changed it on {}: that date stands",
                        t.previous_section, t.previous_period, t.law, t.in_force
                    ));
                    previous
                } else {
                    let eve = t.in_force.pred_opt().unwrap_or(t.in_force);
                    steps.push(format!(
                        "under {} ({}) the period would end on {previous}, which had not passed on {}, so {} applies ({})",
                        t.previous_section, t.previous_period, t.in_force, t.law, t.rule
                    ));
                    if current < eve {
                        steps.push(format!(
                            "{} {} from {anchor} ends on {current}, but the previous rule applied until {eve}: retained until {eve}",
                            self.section, self.period
                        ));
                        eve
                    } else {
                        steps.push(format!(
                            "{} {} from {anchor}: retained until {current}",
                            self.section, self.period
                        ));
                        current
                    }
                }
            }
        };
        let erasable = until.succ_opt().unwrap_or(NaiveDate::MAX);
        steps.push(format!("erasable from {erasable}"));
        Explanation {
            rule_id: self.id.clone(),
            reference,
            anchor,
            until,
            steps,
        }
    }
}

/// Why a rules file was refused. Names the rule and the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("retention rules: {0}")]
pub struct RuleError(pub String);

/// Every retention rule the coordinator applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleBook {
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    format: String,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    jurisdiction: String,
    category: String,
    title: String,
    statute: String,
    section: String,
    #[serde(default)]
    source: String,
    ground: String,
    period: String,
    runs_from: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    transition: Option<RawTransition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    in_force: String,
    previous_period: String,
    previous_section: String,
    law: String,
    rule: String,
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
        Ok(Self { rules })
    }

    /// Parses and checks a rules file.
    pub fn from_toml(text: &str) -> Result<Self, RuleError> {
        let raw: RawBook = toml::from_str(text).map_err(|e| {
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
            .map(RawRule::check)
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(rules)
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

impl RawRule {
    fn check(self) -> Result<Rule, RuleError> {
        let id = self.id;
        let bad = |field: &str, why: &str| RuleError(format!("rule {id}: {field} {why}"));
        if !is_name(&id) {
            return Err(RuleError(format!(
                "rule id {id:?} must be lowercase letters, digits and '-'"
            )));
        }
        let j = &self.jurisdiction;
        if j != "*" && !(j.len() == 2 && j.bytes().all(|b| b.is_ascii_uppercase())) {
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

/// The wire form of a rule (work orders carry the rules that may hold a system's data).
impl Rule {
    pub fn to_pb(&self) -> pb::RetentionRule {
        pb::RetentionRule {
            id: self.id.clone(),
            jurisdiction: self.jurisdiction.clone(),
            category: self.category.clone(),
            title: self.title.clone(),
            statute: self.statute.clone(),
            section: self.section.clone(),
            source: self.source.clone(),
            ground: self.ground.name().to_owned(),
            period: self.period.to_code(),
            runs_from: self.runs_from.name().to_owned(),
            condition: self.condition.clone().unwrap_or_default(),
            transition: self.transition.as_ref().map(|t| pb::RetentionTransition {
                in_force: t.in_force.to_string(),
                previous_period: t.previous_period.to_code(),
                previous_section: t.previous_section.clone(),
                law: t.law.clone(),
                rule: t.rule.clone(),
            }),
        }
    }

    /// Checks a rule received on the wire as strictly as one read from a file.
    pub fn from_pb(r: &pb::RetentionRule) -> Result<Self, RuleError> {
        RawRule {
            id: r.id.clone(),
            jurisdiction: r.jurisdiction.clone(),
            category: r.category.clone(),
            title: r.title.clone(),
            statute: r.statute.clone(),
            section: r.section.clone(),
            source: r.source.clone(),
            ground: r.ground.clone(),
            period: r.period.clone(),
            runs_from: r.runs_from.clone(),
            condition: r.condition.clone(),
            note: String::new(),
            transition: r.transition.as_ref().map(|t| RawTransition {
                in_force: t.in_force.clone(),
                previous_period: t.previous_period.clone(),
                previous_section: t.previous_section.clone(),
                law: t.law.clone(),
                rule: t.rule.clone(),
            }),
        }
        .check()
    }
}

/// A held item's decision: the rule that holds it longest and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held<'a> {
    pub rule: &'a Rule,
    pub until: NaiveDate,
}

/// Whether an item of `category` dated `reference`, with these condition flags, must still
/// be kept on `as_of`, and under which rule. Of the rules that apply, the one with the
/// latest date wins; `None` means the item may be erased.
pub fn hold_for_item<'a>(
    rules: &'a [Rule],
    category: &str,
    reference: NaiveDate,
    conditions: &BTreeSet<String>,
    fy: FinancialYearEnd,
    as_of: NaiveDate,
) -> Option<Held<'a>> {
    rules
        .iter()
        .filter(|r| r.category == category && r.applies_to(conditions))
        .map(|rule| Held {
            rule,
            until: rule.retain_until(reference, fy).until,
        })
        .filter(|h| h.until >= as_of)
        .max_by_key(|h| h.until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn rule(period: &str, runs_from: &str) -> Rule {
        Rule {
            id: "r".into(),
            jurisdiction: "FI".into(),
            category: "accounting-voucher".into(),
            title: "t".into(),
            statute: "s".into(),
            section: "§".into(),
            source: String::new(),
            ground: Ground::LegalObligation,
            period: Period::parse(period).expect("period"),
            runs_from: Anchor::parse(runs_from).expect("anchor"),
            condition: None,
            note: String::new(),
            transition: None,
        }
    }

    fn de_vouchers() -> Rule {
        Rule {
            transition: Some(Transition {
                in_force: d("2025-01-01"),
                previous_period: Period::years(10),
                previous_section: "AO § 147(3) old".into(),
                law: "BEG IV".into(),
                rule: "Art. 97 § 19a EGAO".into(),
            }),
            ..rule("8y", "end-of-calendar-year")
        }
    }

    fn fy(s: &str) -> FinancialYearEnd {
        FinancialYearEnd::parse(s).expect("fy")
    }

    #[test]
    fn finnish_accounting_periods() {
        let books = rule("10y", "financial-year-end");
        let vouchers = rule("6y", "end-of-calendar-year-of-financial-year-end");
        for (r, reference, fy_end, until) in [
            // Calendar financial year.
            (&books, "2024-05-10", "12-31", "2034-12-31"),
            (&vouchers, "2024-05-10", "12-31", "2030-12-31"),
            // Financial year ending 30 June: May 2024 is in FY ending 2024-06-30.
            (&books, "2024-05-10", "06-30", "2034-06-30"),
            (&vouchers, "2024-05-10", "06-30", "2030-12-31"),
            // July 2024 is in the FY ending 2025-06-30, which ends in calendar year 2025.
            (&books, "2024-07-01", "06-30", "2035-06-30"),
            (&vouchers, "2024-07-01", "06-30", "2031-12-31"),
            // The last day of a financial year belongs to it.
            (&vouchers, "2025-06-30", "06-30", "2031-12-31"),
            // Financial year ending on the last day of February keeps ending there.
            (&books, "2023-03-01", "02-28", "2034-02-28"),
            (&books, "2023-03-01", "02-29", "2034-02-28"),
            (&books, "2027-03-01", "02-29", "2038-02-28"),
        ] {
            let got = r.retain_until(d(reference), fy(fy_end));
            assert_eq!(
                got.until,
                d(until),
                "{:?} {reference} fy {fy_end}: {:?}",
                r.runs_from,
                got.steps
            );
            assert_eq!(got.erasable_from(), d(until).succ_opt().expect("next"));
        }
    }

    #[test]
    fn a_february_financial_year_end_in_a_leap_year_is_the_29th() {
        let books = rule("1y", "financial-year-end");
        // FY ending Feb 2024 (leap): 2024-02-29; plus one year: last day of Feb 2025.
        let got = books.retain_until(d("2023-06-01"), fy("02-29"));
        assert_eq!(got.anchor, d("2024-02-29"));
        assert_eq!(got.until, d("2025-02-28"));
        // FY ending Feb 2027 + 1 year: the leap day 2028-02-29.
        assert_eq!(
            books.retain_until(d("2026-06-01"), fy("02-28")).until,
            d("2028-02-29")
        );
    }

    #[test]
    fn document_dated_periods_clamp_to_month_end() {
        let calls = rule("3m", "document-date");
        for (reference, until) in [
            ("2026-01-15", "2026-04-15"),
            ("2025-11-30", "2026-02-28"),
            ("2027-11-30", "2028-02-29"), // leap year
            ("2026-02-28", "2026-05-28"), // a date, not a month end: same day number
        ] {
            assert_eq!(
                calls.retain_until(d(reference), fy("12-31")).until,
                d(until)
            );
        }
        let letters = rule("6y", "end-of-calendar-year");
        assert_eq!(
            letters.retain_until(d("2024-01-01"), fy("06-30")).until,
            d("2030-12-31"),
            "a calendar-year rule ignores the financial year"
        );
    }

    #[test]
    fn german_voucher_cut_over() {
        let r = de_vouchers();
        for (document, until, why) in [
            // Old 10-year period ended 2024-12-31, before 2025-01-01: the old date stands.
            (
                "2014-06-01",
                "2024-12-31",
                "old period ran out before the change",
            ),
            // Old period would end 2025-12-31 (not run out on 2025-01-01): 8 years apply,
            // ending 2023-12-31, but nothing is released before the change: 2024-12-31.
            (
                "2015-06-01",
                "2024-12-31",
                "released on the day the change took effect",
            ),
            ("2016-12-31", "2024-12-31", "8 years ended 2024-12-31"),
            ("2017-01-01", "2025-12-31", "8 years from end of 2017"),
            ("2024-03-15", "2032-12-31", "8 years from end of 2024"),
            ("2026-11-22", "2034-12-31", "8 years from end of 2026"),
        ] {
            let got = r.retain_until(d(document), fy("12-31"));
            assert_eq!(got.until, d(until), "{document}: {why}: {:?}", got.steps);
        }
    }

    #[test]
    fn the_explanation_names_every_step() {
        let got = de_vouchers().retain_until(d("2024-03-15"), fy("12-31"));
        let text = got.steps.join("\n");
        assert!(
            text.contains("end of the calendar year of 2024-03-15, 2024-12-31"),
            "{text}"
        );
        assert!(
            text.contains("2034-12-31, which had not passed on 2025-01-01"),
            "{text}"
        );
        assert!(text.contains("retained until 2032-12-31"), "{text}");
        assert!(text.contains("erasable from 2033-01-01"), "{text}");
    }

    #[test]
    fn the_latest_applicable_rule_holds_an_item() {
        let mut short = rule("3m", "document-date");
        short.id = "calls".into();
        short.category = "call-recording".into();
        let mut complaint = rule("12m", "document-date");
        complaint.id = "calls-complaint".into();
        complaint.category = "call-recording".into();
        complaint.condition = Some("complaint-open".into());
        let rules = [short, complaint];
        let none = BTreeSet::new();
        let open: BTreeSet<String> = ["complaint-open".to_owned()].into();
        let f = fy("12-31");
        let recorded = d("2026-01-10");
        let held = |conds, as_of| {
            hold_for_item(&rules, "call-recording", recorded, conds, f, d(as_of))
                .map(|h| (h.rule.id.clone(), h.until.to_string()))
        };
        assert_eq!(
            held(&none, "2026-02-01"),
            Some(("calls".into(), "2026-04-10".into()))
        );
        assert_eq!(
            held(&none, "2026-04-10"),
            Some(("calls".into(), "2026-04-10".into()))
        );
        assert_eq!(held(&none, "2026-04-11"), None);
        assert_eq!(
            held(&open, "2026-04-11"),
            Some(("calls-complaint".into(), "2027-01-10".into()))
        );
        assert_eq!(
            hold_for_item(&rules, "contact", recorded, &open, f, d("2026-02-01")),
            None,
            "other categories are not held"
        );
    }

    #[test]
    fn rules_survive_the_wire() {
        let r = de_vouchers();
        let back = Rule::from_pb(&r.to_pb()).expect("valid");
        assert_eq!(
            Rule {
                note: String::new(),
                ..r.clone()
            },
            back
        );
        let mut forged = r.to_pb();
        forged.period = "forever".into();
        assert!(Rule::from_pb(&forged).is_err());
    }

    #[test]
    fn periods_and_financial_years_parse_strictly() {
        assert_eq!(Period::parse("10y"), Some(Period::years(10)));
        assert_eq!(Period::parse("3m").map(Period::in_months), Some(3));
        for bad in ["", "y", "10", "0y", "-1y", "1.5y", "10d", "101y"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::years(1).to_string(), "1 year");
        assert_eq!(Period::months(12).to_string(), "12 months");
        assert!(FinancialYearEnd::parse("06-30").is_some());
        for bad in ["6-30", "06-31", "13-01", "06/30", "0630"] {
            assert_eq!(FinancialYearEnd::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn rule_files_are_checked() {
        let ok = r#"
format = "erasure-retention-rules/v1"
[[rules]]
id = "fi-kpl-vouchers"
jurisdiction = "FI"
category = "accounting-voucher"
title = "Vouchers"
statute = "Kirjanpitolaki 1336/1997"
section = "ch. 2 § 10(2)"
ground = "legal-obligation"
period = "6y"
runs_from = "end-of-calendar-year-of-financial-year-end"
"#;
        let book = RuleBook::from_toml(ok).expect("valid");
        let categories = ["accounting-voucher".to_owned(), "contact".to_owned()];
        assert_eq!(book.matching("FI", &categories).count(), 1);
        assert_eq!(book.matching("DE", &categories).count(), 0);
        for (change, expected) in [
            (("6y", "6 years"), "period must be whole years"),
            (
                ("legal-obligation", "law"),
                "ground must be legal-obligation",
            ),
            (("\"FI\"", "\"Finland\""), "jurisdiction must be"),
            (("end-of-calendar-year-of", "start-of"), "runs_from must be"),
            (("title = ", "titel = "), "unknown field"),
        ] {
            let text = ok.replace(change.0, change.1);
            let err = RuleBook::from_toml(&text).expect_err(expected).to_string();
            assert!(err.contains(expected), "{err}");
        }
        let twice = format!("{ok}{}", &ok[ok.find("[[rules]]").expect("rules")..]);
        assert!(
            RuleBook::from_toml(&twice)
                .expect_err("dup")
                .to_string()
                .contains("used twice")
        );
    }
}
