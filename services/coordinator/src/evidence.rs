//! An operator's evidence goes into the certificate, so it must not name the person: the
//! text is checked against every identifier the request is known by.

use erasure_core::IdentifierKind;
use erasure_proto::convert::raw_identifiers;
use erasure_proto::v1 as pb;

/// The kind of the first of `identifiers` that `text` contains, if any: a value written
/// as it is (case-insensitive), or a phone number's last eight digits written with any
/// spacing. Never returns the value.
pub fn names_the_person(text: &str, identifiers: &pb::Identifiers) -> Option<IdentifierKind> {
    let lower = text.to_lowercase();
    let digit_runs = digit_runs(text);
    raw_identifiers(identifiers).find_map(|(kind, value)| {
        let value = value.trim().to_lowercase();
        if value.is_empty() {
            return None;
        }
        let written = lower.contains(&value);
        let dialled = kind == IdentifierKind::Phone && {
            let digits: String = value.chars().filter(char::is_ascii_digit).collect();
            let tail = &digits[digits.len().saturating_sub(8)..];
            tail.len() == 8 && digit_runs.iter().any(|run| run.contains(tail))
        };
        (written || dialled).then_some(kind)
    })
}

/// Runs of digits, ignoring the spaces, dashes, dots and brackets people write numbers
/// with ("040 123-45 67" is one run).
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = vec![String::new()];
    for c in text.chars() {
        match c {
            '0'..='9' => runs.last_mut().into_iter().for_each(|r| r.push(c)),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => {
                if runs.last().is_some_and(|r| !r.is_empty()) {
                    runs.push(String::new());
                }
            }
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> pb::Identifiers {
        pb::Identifiers {
            email: vec!["aino.virtanen@example.com".into()],
            phone: vec!["+358401234567".into()],
            customer_id: vec!["C-1001".into()],
            ..pb::Identifiers::default()
        }
    }

    #[test]
    fn evidence_that_names_the_person_is_caught_by_kind() {
        let check = |t: &str| names_the_person(t, &person());
        assert_eq!(
            check("Mailed AINO.VIRTANEN@example.com's file"),
            Some(IdentifierKind::Email)
        );
        assert_eq!(
            check("customer c-1001 removed"),
            Some(IdentifierKind::CustomerId)
        );
        assert_eq!(check("called 040 123 4567"), Some(IdentifierKind::Phone));
        assert_eq!(check("called (040) 123-45-67"), Some(IdentifierKind::Phone));
    }

    #[test]
    fn evidence_without_the_person_passes() {
        let check = |t: &str| names_the_person(t, &person());
        assert_eq!(check("Folder shredded, receipt 2026-118, 3 pages"), None);
        assert_eq!(
            check("Ticket ACME-55123 closed by the vendor on 2026-12-04"),
            None
        );
        assert_eq!(check(""), None);
    }
}
