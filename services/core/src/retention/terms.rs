//! The terms a rule is written in: the GDPR ground, the period, the event it runs from,
//! and the controller's financial year.

use chrono::{Datelike, NaiveDate};
use std::fmt;

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

    pub(super) fn parse(s: &str) -> Option<Self> {
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

    pub(super) fn parse(s: &str) -> Option<Self> {
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

    pub(super) fn needs_financial_year(self) -> bool {
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

pub(super) fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    first_next
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}
