//! A network's write budget, kept on our side so that we wait instead of being refused.

use super::http::reset_time;
use reqwest::header::HeaderMap;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A sliding window of at most `capacity` cost units per `window` (Mastodon: 300 requests per
/// 5 minutes; Bluesky: 5,000 points an hour, a post costing 3), and the wait a network asked
/// for (a rate-limit reset with nothing remaining).
#[derive(Debug)]
pub struct RateGate {
    capacity: u32,
    window: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    spent: VecDeque<(Instant, u32)>,
    blocked_until: Option<Instant>,
}

impl RateGate {
    pub fn new(capacity: u32, window: Duration) -> RateGate {
        RateGate {
            capacity: capacity.max(1),
            window,
            state: Mutex::default(),
        }
    }

    /// Spends `cost` now, or says how long to wait before it can be spent.
    pub fn take(&self, cost: u32) -> Result<(), Duration> {
        let now = Instant::now();
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = s.blocked_until {
            if until > now {
                return Err(until - now);
            }
            s.blocked_until = None;
        }
        while s
            .spent
            .front()
            .is_some_and(|(t, _)| now - *t >= self.window)
        {
            s.spent.pop_front();
        }
        let used: u32 = s.spent.iter().map(|(_, c)| c).sum();
        if used + cost > self.capacity {
            let oldest = s.spent.front().map_or(now, |(t, _)| *t);
            return Err((oldest + self.window).saturating_duration_since(now));
        }
        s.spent.push_back((now, cost));
        Ok(())
    }

    /// Nothing goes before `wait` has passed.
    pub fn block_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.blocked_until.is_none_or(|b| b < until) {
            s.blocked_until = Some(until);
        }
    }

    /// Follows a network's rate-limit headers: none remaining blocks until the reset.
    /// `remaining` and `reset` name the headers (`x-rate-limit-remaining`, ...).
    pub fn observe(&self, headers: &HeaderMap, remaining: &str, reset: &str) {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let Some(left) = get(remaining).and_then(|v| v.parse::<u64>().ok()) else {
            return;
        };
        if left > 0 {
            return;
        }
        if let Some(at) = get(reset).and_then(reset_time) {
            let wait = (at - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO);
            self.block_for(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_refuses_what_it_cannot_hold_and_says_how_long() {
        let gate = RateGate::new(9, Duration::from_secs(60));
        assert!(gate.take(3).is_ok());
        assert!(gate.take(3).is_ok());
        assert!(gate.take(3).is_ok());
        let wait = gate.take(3).unwrap_err();
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
    }

    #[test]
    fn headers_with_nothing_remaining_block_until_the_reset() {
        let gate = RateGate::new(100, Duration::from_secs(60));
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-remaining", "0".parse().unwrap());
        let reset = chrono::Utc::now().timestamp() + 30;
        h.insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
        gate.observe(&h, "x-rate-limit-remaining", "x-rate-limit-reset");
        let wait = gate.take(1).unwrap_err();
        assert!(wait > Duration::from_secs(25), "{wait:?}");
        let open = RateGate::new(100, Duration::from_secs(60));
        h.insert("x-rate-limit-remaining", "4".parse().unwrap());
        open.observe(&h, "x-rate-limit-remaining", "x-rate-limit-reset");
        assert!(open.take(1).is_ok());
    }
}
