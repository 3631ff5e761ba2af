//! The erasure, whatever the store: for each template that applies to the person, every
//! prefix it renders to is erased by the [`Backend`] (delete everything under it, list
//! again); what the second listing finds is the evidence of what remains.

use crate::backend::{Backend, Cause, Counts, StepError};
use crate::template::{KeyTemplate, Rendered};
use erasure_core::{IdentifierKind, Identifiers};

/// What one template came to for one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateResult {
    /// Under the template's prefixes: what was deleted, and what was found afterwards.
    Erased(Counts),
    /// The person has no identifier of this kind.
    Absent(IdentifierKind),
    /// The person's identifier of this kind cannot be used in a key.
    Refused(IdentifierKind),
    /// The template is per controller and the request names none: nothing was touched.
    NoController,
}

/// A template and what it came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateOutcome {
    pub template: String,
    pub result: TemplateResult,
}

/// A store operation failed. Retryable, as a store that cannot list is down or denies
/// access for now, or a person must fix its permissions, and the retry shows when;
/// permanent when the store denies what the erasure cannot do without ([`Cause::Denied`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("key template {template}: {error}")]
pub struct StoreFailure {
    pub template: String,
    pub error: StepError,
}

impl StoreFailure {
    /// Whether retrying cannot help until a person acts.
    pub fn is_permanent(&self) -> bool {
        matches!(self.error.cause, Cause::Denied(_))
    }
}

/// Applies every template to `person`: under each of its prefixes, everything is erased;
/// a template with a value unusable in a key is reported refused (after the prefixes of
/// its other values were erased).
pub async fn run(
    store: &dyn Backend,
    templates: &[KeyTemplate],
    person: &Identifiers,
    controller: Option<&str>,
) -> Result<Vec<TemplateOutcome>, StoreFailure> {
    let mut outcomes = Vec::with_capacity(templates.len());
    for template in templates {
        outcomes.push(TemplateOutcome {
            template: template.source().to_owned(),
            result: apply(store, template, person, controller).await?,
        });
    }
    Ok(outcomes)
}

async fn apply(
    store: &dyn Backend,
    template: &KeyTemplate,
    person: &Identifiers,
    controller: Option<&str>,
) -> Result<TemplateResult, StoreFailure> {
    let mut result = TemplateResult::Erased(Counts::default());
    let mut refused = None;
    for rendered in template.render(person, controller) {
        match rendered {
            Rendered::Absent(kind) => result = TemplateResult::Absent(kind),
            Rendered::NoController => result = TemplateResult::NoController,
            Rendered::Refused(kind) => refused = Some(kind),
            Rendered::Prefix(prefix) => {
                let counts = store
                    .erase_prefix(&prefix)
                    .await
                    .map_err(|error| StoreFailure {
                        template: template.source().to_owned(),
                        error,
                    })?;
                if let TemplateResult::Erased(total) = &mut result {
                    *total += counts;
                }
            }
        }
    }
    Ok(refused.map_or(result, TemplateResult::Refused))
}
