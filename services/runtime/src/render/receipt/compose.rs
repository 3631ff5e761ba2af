//! Writes a receipt from a request's API view, in one language. Every word comes from the
//! language's translation file; the view gives the facts (systems with their descriptions
//! and categories, holds with their law, backups, the extension, recipients) and none of
//! the person's identifiers.

use super::authorities::Authorities;
use super::document::{Document, Section};
use super::language::{Language, Texts};
use chrono::{DateTime, NaiveDate, Utc};
use erasure_proof::certificate::outcome_name;
use erasure_proto::v1 as pb;

/// The receipt for the request `r` in `language`. A completed request gets the full
/// receipt; one in progress what is done so far (with the deadline, and its extension);
/// a rejected one the refusal and its reason. A failed request gets none: staff must first
/// retry or resolve the failed systems.
pub fn compose(r: &pb::ErasureRequest, language: Language) -> anyhow::Result<Document> {
    let status = pb::RequestStatus::try_from(r.status).unwrap_or_default();
    let stage = match status {
        pb::RequestStatus::Completed => "completed",
        pb::RequestStatus::InProgress => "in-progress",
        pb::RequestStatus::Rejected => "rejected",
        pb::RequestStatus::Failed => anyhow::bail!(
            "request {} failed in some systems, so there is nothing final to tell the person: \
             retry them (`erasure retry {}`) first",
            r.request_id,
            r.request_id
        ),
        pb::RequestStatus::Unspecified => {
            anyhow::bail!("request {} has no status the receipt knows", r.request_id)
        }
    };
    let t = Texts::new(language)?;
    let w = Writer { t: &t, r, language };
    let mut sections = Vec::new();
    if status != pb::RequestStatus::Rejected {
        sections.push(w.erased());
        sections.extend(w.kept());
        sections.extend(w.backups());
        sections.extend(w.extension());
        sections.extend(w.recipients());
    }
    sections.push(w.complaint(status == pb::RequestStatus::Rejected)?);
    Ok(Document {
        lang: language.code(),
        title: t.get(&format!("title-{stage}"), &[]),
        reference: t.get("reference", &[("id", r.request_id.as_str().into())]),
        intro: w.intro(stage),
        sections,
        footer: t.get("footer", &[]),
    })
}

/// The request and the language, with the helpers that turn the one into the other.
struct Writer<'a> {
    t: &'a Texts,
    r: &'a pb::ErasureRequest,
    language: Language,
}

impl Writer<'_> {
    fn intro(&self, stage: &str) -> Vec<String> {
        let r = self.r;
        let mut intro = vec![self.t.get(
            &format!("intro-{stage}"),
            &[
                ("received", self.day(&r.received_at).into()),
                ("completed", self.day(&r.completed_at).into()),
                ("deadline", self.day(&r.deadline).into()),
            ],
        )];
        if !r.rejection_reason.is_empty() {
            intro.push(self.t.get(
                "rejection-reason",
                &[("reason", r.rejection_reason.as_str().into())],
            ));
        }
        intro
    }

    /// Each system's outcome, except the recipients' (told, in their own section).
    fn erased(&self) -> Section {
        let recipient = |id: &str| self.r.recipients.iter().any(|n| n.system_id == id);
        let lines: Vec<String> = self
            .r
            .tasks
            .iter()
            .filter(|task| !recipient(&task.system_id))
            .map(|task| self.system_line(task))
            .collect();
        let section = Section::new(self.t.get("section-erased", &[]));
        if lines.is_empty() {
            section.paragraph(self.t.get("no-systems", &[]))
        } else {
            section.list(lines)
        }
    }

    fn system_line(&self, task: &pb::TaskView) -> String {
        let id = match pb::TaskState::try_from(task.state).unwrap_or_default() {
            pb::TaskState::Done => match outcome_name(task.outcome) {
                "anonymised" => "system-anonymised",
                "nothing-found" => "system-nothing-found",
                "retained" => "system-retained",
                "in-backups" => "system-in-backups",
                _ => "system-erased",
            },
            pb::TaskState::Failed => "system-failed",
            _ => "system-pending",
        };
        self.t.get(
            id,
            &[
                ("what", self.system(task).into()),
                ("date", self.day(&task.answered_at).into()),
            ],
        )
    }

    /// A system in plain words: its description and the categories of data it held.
    fn system(&self, task: &pb::TaskView) -> String {
        let description = if task.description.trim().is_empty() {
            task.system_id.clone()
        } else {
            task.description.clone()
        };
        if task.categories.is_empty() {
            return description;
        }
        let categories: Vec<String> = task.categories.iter().map(|c| self.category(c)).collect();
        self.t.get(
            "system-what",
            &[
                ("description", description.into()),
                ("categories", categories.join(", ").into()),
            ],
        )
    }

    fn system_named(&self, system_id: &str) -> String {
        self.r
            .tasks
            .iter()
            .find(|t| t.system_id == system_id)
            .map(|t| t.description.clone())
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| system_id.to_owned())
    }

    fn category(&self, category: &str) -> String {
        self.word("category", category)
    }

    /// A name the API gives (a category, a role, a way of telling) in plain words: the
    /// message `<kind>-<name>`, or the name itself where the language has none.
    fn word(&self, kind: &str, name: &str) -> String {
        self.t
            .optional(&format!("{kind}-{name}"), &[])
            .unwrap_or_else(|| name.to_owned())
    }

    fn kept(&self) -> Option<Section> {
        if self.r.holds.is_empty() {
            return None;
        }
        let lines = self.r.holds.iter().map(|h| {
            let id = if h.state == "ended" {
                "hold-ended"
            } else {
                "hold-held"
            };
            self.t.get(
                id,
                &[
                    ("system", self.system_named(&h.system_id).into()),
                    ("category", self.category(&h.category).into()),
                    ("items", h.items.into()),
                    ("until", self.day(&h.retained_until).into()),
                    ("citation", h.citation.as_str().into()),
                ],
            )
        });
        Some(
            Section::new(self.t.get("section-kept", &[]))
                .paragraph(self.t.get("kept-intro", &[]))
                .list(lines.collect()),
        )
    }

    fn backups(&self) -> Option<Section> {
        let lines: Vec<String> = self
            .r
            .tasks
            .iter()
            .filter(|t| !t.in_backups_until.is_empty())
            .map(|t| {
                self.t.get(
                    "backup",
                    &[
                        ("system", self.system_named(&t.system_id).into()),
                        ("until", self.day(&t.in_backups_until).into()),
                    ],
                )
            })
            .collect();
        (!lines.is_empty()).then(|| {
            Section::new(self.t.get("section-backups", &[]))
                .paragraph(self.t.get("backups-intro", &[]))
                .list(lines)
        })
    }

    fn extension(&self) -> Option<Section> {
        let r = self.r;
        (r.extended_months > 0).then(|| {
            Section::new(self.t.get("section-extension", &[]))
                .paragraph(self.t.get(
                    "extension",
                    &[
                        ("months", r.extended_months.into()),
                        ("original", self.day(&r.original_deadline).into()),
                        ("deadline", self.day(&r.deadline).into()),
                    ],
                ))
                .paragraph(self.t.get(
                    "extension-reason",
                    &[("reason", r.extension_reason.as_str().into())],
                ))
        })
    }

    fn recipients(&self) -> Option<Section> {
        if self.r.recipients.is_empty() {
            return None;
        }
        let lines = self.r.recipients.iter().map(|n| {
            let id = if n.told_at.is_empty() {
                "recipient-pending"
            } else {
                "recipient-told"
            };
            self.t.get(
                id,
                &[
                    ("name", n.name.as_str().into()),
                    ("role", self.word("role", &n.role).into()),
                    ("via", self.word("via", &n.via).into()),
                    ("date", self.day(&n.told_at).into()),
                ],
            )
        });
        Some(
            Section::new(self.t.get("section-recipients", &[]))
                .paragraph(self.t.get("recipients-intro", &[]))
                .list(lines.collect()),
        )
    }

    /// The authority of the request's jurisdiction, or the list of them all; for a refusal
    /// also the courts (GDPR Art. 12(4)).
    fn complaint(&self, refused: bool) -> anyhow::Result<Section> {
        let authorities = Authorities::shipped()?;
        let mut section = Section::new(self.t.get("section-complaint", &[]));
        section = match authorities.of(&self.r.jurisdiction) {
            Some(a) => {
                let name = a.name_in(self.language);
                section = section
                    .paragraph(self.t.get("complaint", &[("authority", name.into())]))
                    .link(a.url.clone());
                match &a.regional {
                    Some(list) => section
                        .paragraph(self.t.get("complaint-regional", &[]))
                        .link(list.clone()),
                    None => section,
                }
            }
            None => section
                .paragraph(self.t.get("complaint-unknown", &[]))
                .link(authorities.members.clone()),
        };
        if refused {
            section = section.paragraph(self.t.get("complaint-court", &[]));
        }
        Ok(section)
    }

    /// A day (from an RFC 3339 time, as its UTC day, or a YYYY-MM-DD date) as the language
    /// writes it; anything else as it is.
    fn day(&self, value: &str) -> String {
        parse_day(value).map_or_else(|| value.to_owned(), |d| self.t.date(d))
    }
}

fn parse_day(value: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc).date_naive())
        .ok()
        .or_else(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
}
