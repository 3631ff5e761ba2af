//! The receipt's languages and their texts: one Project Fluent file per language
//! (`services/runtime/locales/<lang>/receipt.ftl`), built into the binary.

use chrono::{Datelike, NaiveDate};
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use std::fmt;
use std::str::FromStr;

/// A language a receipt can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    Fi,
    Sv,
    En,
    De,
}

impl Language {
    /// Every supported language, in the order they are listed to a user.
    pub const ALL: [Language; 4] = [Language::Fi, Language::Sv, Language::En, Language::De];

    /// The ISO 639-1 code: `fi`, `sv`, `en`, `de`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fi => "fi",
            Language::Sv => "sv",
            Language::En => "en",
            Language::De => "de",
        }
    }

    /// The language's translation file (Fluent syntax).
    pub(crate) fn source(self) -> &'static str {
        match self {
            Language::Fi => include_str!("../../../locales/fi/receipt.ftl"),
            Language::Sv => include_str!("../../../locales/sv/receipt.ftl"),
            Language::En => include_str!("../../../locales/en/receipt.ftl"),
            Language::De => include_str!("../../../locales/de/receipt.ftl"),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language the receipt does not speak; its message lists those it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedLanguage(pub String);

impl fmt::Display for UnsupportedLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let supported: Vec<&str> = Language::ALL.iter().map(|l| l.code()).collect();
        write!(
            f,
            "unsupported language {:?}: receipts are written in {}",
            self.0,
            supported.join(", ")
        )
    }
}

impl std::error::Error for UnsupportedLanguage {}

impl FromStr for Language {
    type Err = UnsupportedLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|l| l.code() == wanted)
            .ok_or_else(|| UnsupportedLanguage(s.to_owned()))
    }
}

/// The texts of one language.
pub struct Texts {
    bundle: FluentBundle<FluentResource>,
}

impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Texts")
            .field("locales", &self.bundle.locales)
            .finish()
    }
}

impl Texts {
    /// The bundle of `language`. Fails only if its built-in file does not parse, which the
    /// tests rule out.
    pub fn new(language: Language) -> anyhow::Result<Self> {
        let resource =
            FluentResource::try_new(language.source().to_owned()).map_err(|(_, e)| {
                anyhow::anyhow!("the {language} translation file does not parse: {e:?}")
            })?;
        let locale = language
            .code()
            .parse()
            .map_err(|e| anyhow::anyhow!("language {language}: {e}"))?;
        let mut bundle = FluentBundle::new(vec![locale]);
        // Plain text and HTML both: no Unicode isolation marks around the values.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .map_err(|e| anyhow::anyhow!("the {language} translation file: {e:?}"))?;
        Ok(Self { bundle })
    }

    /// The message `id` with `args`; the id itself in brackets if there is no such message
    /// (a bug the bundle tests catch).
    pub fn get(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.optional(id, args).unwrap_or_else(|| format!("[{id}]"))
    }

    /// The message `id` with `args`, if the language has it.
    pub fn optional(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> Option<String> {
        let pattern = self.bundle.get_message(id)?.value()?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        Some(text.into_owned())
    }

    /// A day as the language writes it (the `date` message).
    pub fn date(&self, day: NaiveDate) -> String {
        self.get(
            "date",
            &[
                ("day", day.day().into()),
                ("month", day.month().into()),
                ("year", day.year().into()),
            ],
        )
    }
}
