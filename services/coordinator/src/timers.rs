//! The timer loop: fires the timers the events have set (unanswered attempts, holds
//! ending, deadline warnings, the deadline passing, the identifiers' shredding).
//!
//! Timers live in the event log, not in this loop: each is a time recorded in an event
//! (`TaskDispatched.answer_by`, `ErasureDeferred.release_at`, the deadline), so they survive
//! restarts, and a hold of ten years fires ten years later. The loop only looks, every
//! `interval`, for requests whose next timer is due (from the projection) and lets the
//! core decide what is due ([`Commands::tick`]). A tick that finds nothing due appends
//! nothing, so two coordinators ticking the same request are harmless.

use crate::commands::Commands;
use crate::projection::Projection;
use std::sync::Arc;
use std::time::Duration;

/// How often the loop looks for due timers.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

pub async fn run(
    commands: Commands,
    projection: Arc<Projection>,
    interval: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let now = commands.now();
        for id in projection.due(now) {
            if let Err(e) = commands.tick(&id).await {
                tracing::warn!(request_id = %id, error = %e, "timer not fired; will try again");
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}
