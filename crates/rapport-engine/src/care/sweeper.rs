//! The SLA sweep on a timer.
//!
//! A case's SLA state (on time, at risk, breached) is stored so the inbox can filter and sort
//! on it, and it changes with time alone: nobody touches a case for it to become at risk. So a
//! running server sweeps: every tick it refreshes the active cases whose stored state fell
//! behind the clock ([`Care::refresh_stale_sla`]), and each refresh is announced on the live
//! channel, so open inboxes move the case into the at-risk view as it happens.

use super::Care;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Where the sweeper reads the time (tests move it).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Runs the SLA sweep every `every` until shut down.
pub struct SlaSweeper {
    care: Care,
    every: Duration,
    clock: Clock,
}

impl SlaSweeper {
    /// How often a server sweeps: SLA targets are minutes at the shortest, so a case shows at
    /// risk or breached at most this late.
    pub const EVERY: Duration = Duration::from_secs(20);

    pub fn new(care: Care, every: Duration) -> Self {
        Self {
            care,
            every: every.max(Duration::from_millis(1)),
            clock: Arc::new(Utc::now),
        }
    }

    /// Reads the time from `clock` instead of the system.
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Sweeps every tick until `shutdown` resolves. A failed sweep (the database restarting,
    /// say) is logged and tried again at the next tick; a sweep under way finishes before the
    /// sweeper stops.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        crate::ticker::every(self.every, shutdown, || async {
            match self.care.sweep_sla((self.clock)()).await {
                Ok(sweep) if sweep.refreshed == 0 => {}
                Ok(sweep) => tracing::debug!(
                    cases = sweep.refreshed,
                    changed = sweep.changed.len(),
                    "SLA states refreshed"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "the SLA sweep failed; trying again next tick")
                }
            }
        })
        .await
    }
}
