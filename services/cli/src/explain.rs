//! `erasure explain`: the dates the law gives, with the reasoning, computed offline by the
//! same code the coordinator and connectors use.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use erasure_core::deadline;
use erasure_core::retention::FinancialYearEnd;
use erasure_runtime::render::text;
use erasure_runtime::rules::load_rules;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Explain {
    /// Until when a retention rule holds an item, and why.
    Hold {
        /// The rule's id, e.g. fi-kpl-vouchers (see --list).
        #[arg(long, required_unless_present = "list")]
        rule: Option<String>,
        /// The item's reference date (YYYY-MM-DD): the document's or entry's date, the end
        /// of the contract or the day the complaint was closed, as the rule runs from.
        #[arg(long, required_unless_present = "list")]
        date: Option<String>,
        /// The last day of the financial year, MM-DD (rules that run from it).
        #[arg(long, default_value = "12-31")]
        financial_year_end: String,
        /// A rules file instead of the shipped one.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// List the rules instead.
        #[arg(long)]
        list: bool,
    },
    /// A request's Art. 12(3) deadline, and why.
    Deadline {
        /// The day the request was received (YYYY-MM-DD).
        #[arg(long)]
        received: String,
        /// An extension of 1 or 2 months.
        #[arg(long, default_value_t = 0)]
        extended_months: u32,
    },
}

fn date(s: &str, what: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .with_context(|| format!("{what} {s:?} is not a date YYYY-MM-DD"))
}

pub fn run(e: Explain) -> Result<()> {
    match e {
        Explain::Hold {
            rule,
            date: reference,
            financial_year_end,
            rules,
            list,
        } => {
            let book = load_rules(rules.as_deref())?;
            if list {
                print!("{}", text::rules(&book));
                return Ok(());
            }
            let (Some(id), Some(reference)) = (rule, reference) else {
                bail!("--rule and --date are required");
            };
            let Some(r) = book.get(&id) else {
                let known: Vec<_> = book.rules().iter().map(|r| r.id.as_str()).collect();
                bail!("no rule {id:?}; the rules are: {}", known.join(", "));
            };
            let fy = FinancialYearEnd::parse(&financial_year_end).with_context(|| {
                format!("--financial-year-end {financial_year_end:?} must be MM-DD")
            })?;
            print!("{}", text::hold(r, date(&reference, "--date")?, fy));
        }
        Explain::Deadline {
            received,
            extended_months,
        } => {
            if extended_months > deadline::MAX_EXTENSION_MONTHS {
                bail!("an extension is at most 2 months (GDPR Art. 12(3))");
            }
            let received = date(&received, "--received")?;
            print!("{}", text::deadline(received, extended_months));
        }
    }
    Ok(())
}
