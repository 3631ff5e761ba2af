//! One retention rule, the date it gives for an item, and which rule holds an item.

use super::terms::{Anchor, FinancialYearEnd, Ground, Period, last_day_of_month};
use chrono::{Datelike, Months, NaiveDate};
use std::collections::BTreeSet;

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
