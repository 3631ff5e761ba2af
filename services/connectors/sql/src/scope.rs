//! What of a plan a job may touch, the same for both databases: no table kept per
//! controller without a controller, no held category without a table declaring it, and
//! which tables go through the legal-hold path.

use crate::plan::{Hold, Plan, Selection, Step};
use crate::result::Failure;
use erasure_connector_sdk::Job;

/// Refuses a job before anything is touched, when running it could erase the wrong data
/// or data the law says to keep.
pub fn check(plan: &Plan, job: &Job) -> Result<(), Failure> {
    check_holds(plan, job)?;
    check_controller(plan, job)
}

/// The law may force keeping the items a rule holds, and no table says where they are:
/// erasing blindly could destroy what must be kept. A person must fix the configuration.
fn check_holds(plan: &Plan, job: &Job) -> Result<(), Failure> {
    let declared = |category: &str| {
        let holds = plan.steps.iter().filter_map(|s| s.hold.as_ref());
        holds.into_iter().any(|h| h.category == category)
    };
    match job.holds.iter().find(|r| !declared(&r.category)) {
        Some(rule) => Err(Failure::Permanent(format!(
            "rule {} holds category {}, but no table of this connector declares that category; set `category`, `reference_date` and `restrict` on the tables that hold it",
            rule.id, rule.category
        ))),
        None => Ok(()),
    }
}

/// A table kept per controller is never touched for a request that names none: which
/// controller's copy to erase would be a guess.
fn check_controller(plan: &Plan, job: &Job) -> Result<(), Failure> {
    if job.controller.is_some() {
        return Ok(());
    }
    let pinned = |s: &&Step| matches!(s.selection, Selection::Tenant { .. });
    match plan.steps.iter().find(pinned) {
        Some(step) => Err(Failure::Permanent(format!(
            "table {} is kept per controller: the request names no controller",
            step.table
        ))),
        None => Ok(()),
    }
}

/// The step's hold, if a rule of the job covers its category. Other tables, with a category
/// or not, take the plain path: nothing in them can be held.
pub fn held<'a>(step: &'a Step, job: &Job) -> Option<&'a Hold> {
    let hold = step.hold.as_ref()?;
    let covered = job.holds.iter().any(|r| r.category == hold.category);
    covered.then_some(hold)
}
