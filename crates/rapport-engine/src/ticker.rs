//! The loop the background jobs of `rapport serve` share (the SLA sweeper, the digest
//! scheduler): a step on every tick until shut down.

use std::future::Future;
use std::time::Duration;

/// Runs `step` every `every` (the first at once) until `shutdown` resolves. A tick missed
/// while a step ran is not made up; a step under way finishes before the loop stops.
pub(crate) async fn every<F, Fut>(every: Duration, shutdown: impl Future<Output = ()>, mut step: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = &mut shutdown => return,
        }
        step().await;
    }
}
