//! Exponential backoff with full jitter, for reconnects.

use std::time::Duration;

/// Delays between reconnect attempts: doubling from `initial` up to `max`, each one drawn at
/// random between half and all of the current step (so that many clients do not reconnect in
/// step). [`Backoff::reset`] after a connection that worked.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    step: Duration,
}

impl Backoff {
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff {
            initial,
            max,
            step: initial,
        }
    }

    /// The delay to wait before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let step = self.step;
        self.step = (self.step * 2).min(self.max);
        let half = step / 2;
        let jitter_ms = step.saturating_sub(half).as_millis() as u64;
        half + Duration::from_millis(rand::random_range(0..=jitter_ms))
    }

    pub fn reset(&mut self) {
        self.step = self.initial;
    }
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff::new(Duration::from_millis(500), Duration::from_secs(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_jitter_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(800));
        let steps = [100u64, 200, 400, 800, 800];
        for step in steps {
            let d = b.next_delay().as_millis() as u64;
            assert!(
                d >= step / 2 && d <= step,
                "{d} not within [{}, {step}]",
                step / 2
            );
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }
}
