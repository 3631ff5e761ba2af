//! `certificate.proto`: the parts of a certificate or supplement made from domain state.

use super::time::ms;
use crate::v1 as pb;
use chrono::NaiveDate;
use erasure_core::events::AckAccepted;
use erasure_core::retention::Rule;
use erasure_core::state::{Extension, Hold};

/// A system's answer, with its signed acknowledgment verbatim.
impl From<&AckAccepted> for pb::SystemResult {
    fn from(a: &AckAccepted) -> Self {
        Self {
            system_id: a.system_id.to_string(),
            outcome: pb::Outcome::from(a.outcome) as i32,
            acknowledgment: Some((&a.signed).into()),
        }
    }
}

/// A hold as a certificate states it: with the rule's citation, or a note when the rule
/// is no longer in the rule book.
pub fn retention_exception(hold: &Hold, rule: Option<&Rule>) -> pb::RetentionException {
    let text = |f: fn(&Rule) -> String| {
        rule.map(f)
            .unwrap_or_else(|| "(rule no longer in the rule book)".to_owned())
    };
    pb::RetentionException {
        system_id: hold.system_id.to_string(),
        rule_id: hold.rule_id.clone(),
        category: hold.category.clone(),
        items: hold.items,
        retained_until: hold.retained_until.to_string(),
        statute: text(|r| r.statute.clone()),
        section: text(|r| r.section.clone()),
        ground: text(|r| r.ground.name().to_owned()),
        source: text(|r| r.source.clone()),
        title: text(|r| r.title.clone()),
    }
}

/// The extension of a deadline that was first `original`.
pub fn deadline_extension(e: &Extension, original: NaiveDate) -> pb::DeadlineExtension {
    pb::DeadlineExtension {
        months: e.months,
        reason: e.reason.clone(),
        original_deadline: original.to_string(),
        extended_at_ms: ms(e.at),
    }
}
