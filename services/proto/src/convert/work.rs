//! `work.proto`: the retention rules a work order carries, what a connector retained, and
//! the acknowledgment it signed.

use super::DecodeError;
use super::common::outcome;
use super::time::{date, from_ms, ms};
use crate::v1 as pb;
use chrono::{DateTime, Utc};
use erasure_core::events::{AckAccepted, BackupCopy, Retained, SignedAck};
use erasure_core::retention::{Rule, RuleError, RuleSpec, TransitionSpec};

impl From<&Rule> for pb::RetentionRule {
    fn from(r: &Rule) -> Self {
        Self {
            id: r.id.clone(),
            jurisdiction: r.jurisdiction.clone(),
            category: r.category.clone(),
            title: r.title.clone(),
            statute: r.statute.clone(),
            section: r.section.clone(),
            source: r.source.clone(),
            ground: r.ground.name().to_owned(),
            period: r.period.to_code(),
            runs_from: r.runs_from.name().to_owned(),
            condition: r.condition.clone().unwrap_or_default(),
            transition: r.transition.as_ref().map(|t| pb::RetentionTransition {
                in_force: t.in_force.to_string(),
                previous_period: t.previous_period.to_code(),
                previous_section: t.previous_section.clone(),
                law: t.law.clone(),
                rule: t.rule.clone(),
            }),
        }
    }
}

/// Checked as strictly as a rule read from a rules file.
impl TryFrom<&pb::RetentionRule> for Rule {
    type Error = RuleError;

    fn try_from(r: &pb::RetentionRule) -> Result<Self, Self::Error> {
        RuleSpec {
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
            transition: r.transition.as_ref().map(|t| TransitionSpec {
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

impl From<&Retained> for pb::Retention {
    fn from(r: &Retained) -> Self {
        Self {
            rule_id: r.rule_id.clone(),
            category: r.category.clone(),
            items: r.items,
            latest_reference_date: r.latest_reference_date.to_string(),
            retained_until: r.retained_until.to_string(),
        }
    }
}

/// Both dates must be `YYYY-MM-DD`.
impl TryFrom<&pb::Retention> for Retained {
    type Error = DecodeError;

    fn try_from(r: &pb::Retention) -> Result<Self, Self::Error> {
        Ok(Self {
            rule_id: r.rule_id.clone(),
            category: r.category.clone(),
            items: r.items,
            latest_reference_date: date(
                &r.latest_reference_date,
                "Retention.latest_reference_date",
            )?,
            retained_until: date(&r.retained_until, "Retention.retained_until")?,
        })
    }
}

impl From<&BackupCopy> for pb::BackupCopy {
    fn from(b: &BackupCopy) -> Self {
        Self {
            set_id: b.set_id.clone(),
            taken_at_ms: ms(b.taken_at),
            expires_on: b.expires_on.to_string(),
            systems: b.systems.clone(),
        }
    }
}

/// `expires_on` must be `YYYY-MM-DD`.
impl TryFrom<&pb::BackupCopy> for BackupCopy {
    type Error = DecodeError;

    fn try_from(b: &pb::BackupCopy) -> Result<Self, Self::Error> {
        Ok(Self {
            set_id: b.set_id.clone(),
            taken_at: from_ms(b.taken_at_ms),
            expires_on: date(&b.expires_on, "BackupCopy.expires_on")?,
            systems: b.systems.clone(),
        })
    }
}

impl From<&SignedAck> for pb::SignedAcknowledgment {
    fn from(s: &SignedAck) -> Self {
        Self {
            ack: s.ack.clone(),
            signature: s.signature.clone(),
            key_id: s.key_id.clone(),
        }
    }
}

impl From<pb::SignedAcknowledgment> for SignedAck {
    fn from(s: pb::SignedAcknowledgment) -> Self {
        Self {
            ack: s.ack,
            signature: s.signature,
            key_id: s.key_id,
        }
    }
}

/// A verified acknowledgment as the domain counts it, received `at`: `ack` is what
/// `signed` carries, decoded.
pub fn accepted_ack(
    ack: &pb::Acknowledgment,
    signed: &pb::SignedAcknowledgment,
    at: DateTime<Utc>,
) -> Result<AckAccepted, DecodeError> {
    Ok(AckAccepted {
        task_id: ack.task_id.as_str().into(),
        system_id: ack.system_id.as_str().into(),
        attempt: ack.attempt,
        outcome: outcome(ack.outcome)
            .map_err(|_| DecodeError::Field("acknowledgment has no valid outcome".into()))?,
        items_affected: ack.items_affected,
        evidence_summary: ack.evidence_summary.clone(),
        detail: ack.detail.clone(),
        retained: ack
            .retained
            .iter()
            .map(Retained::try_from)
            .collect::<Result<_, _>>()
            .map_err(|_| {
                DecodeError::Field(
                    "acknowledgment has a retention date that is not YYYY-MM-DD".into(),
                )
            })?,
        reference: ack.reference.clone(),
        follow_up_at: (ack.follow_up_at_ms != 0).then(|| from_ms(ack.follow_up_at_ms)),
        backups: ack
            .backups
            .iter()
            .map(BackupCopy::try_from)
            .collect::<Result<_, _>>()
            .map_err(|_| {
                DecodeError::Field(
                    "acknowledgment has a backup expiry that is not YYYY-MM-DD".into(),
                )
            })?,
        signed: signed.clone().into(),
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use erasure_core::retention::RuleBook;

    #[test]
    fn rules_survive_the_wire_and_a_forged_one_is_refused() {
        let text = include_str!("../../../../deploy/rules/retention.toml");
        let book = RuleBook::from_toml(text).expect("shipped rules");
        for rule in book.rules() {
            let back = Rule::try_from(&pb::RetentionRule::from(rule)).expect("valid");
            assert_eq!(
                Rule {
                    note: String::new(),
                    ..rule.clone()
                },
                back
            );
        }
        let mut forged = pb::RetentionRule::from(&book.rules()[0]);
        forged.period = "forever".into();
        assert!(Rule::try_from(&forged).is_err());
    }

    #[test]
    fn retained_items_need_real_dates() {
        let wire = pb::Retention {
            rule_id: "fi-kpl-vouchers".into(),
            category: "accounting-voucher".into(),
            items: 2,
            latest_reference_date: "2026-02-10".into(),
            retained_until: "2032-12-31".into(),
        };
        let retained = Retained::try_from(&wire).expect("valid");
        assert_eq!(pb::Retention::from(&retained), wire);
        let bad = pb::Retention {
            retained_until: "31.12.2032".into(),
            ..wire
        };
        assert!(Retained::try_from(&bad).is_err());
    }
}
