//! Failed logins, remembered per client address and per user name, in memory, with backoff.
//!
//! Only failures count: a company behind one proxy address logs in all day without ever
//! meeting the limit. Each counter allows a few free failures, then makes the next attempt
//! wait, doubling the wait with each further failure up to `max_delay`; a wait is never a
//! lock-out for good, and the counter forgets after `window` without failures. Three counters
//! apply, so that a guesser cannot lock a real user out from elsewhere:
//! - the address and user name together (`per_pair` free failures): one client guessing one
//!   account;
//! - the address alone (`per_address`): one client trying many accounts;
//! - the user name alone (`per_user`, set well above `per_pair`): many clients guessing one
//!   account. A real user on a fresh address still gets in while that counter is below its
//!   threshold, and at worst waits `max_delay`.
//!
//! Keys are 64-bit hashes of the address and the lower-cased name, and the maps are LRU caches
//! of `capacity` entries, so whatever is posted to the login form, memory stays bounded.

use lru::LruCache;
use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How failed logins slow further attempts down.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Free failures for one address and one user name together.
    pub per_pair: u32,
    /// Free failures from one address, whatever the names.
    pub per_address: u32,
    /// Free failures for one user name, from every address together.
    pub per_user: u32,
    /// The first wait once the free failures are used; it doubles with each failure.
    pub base_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
    /// A counter with no failure for this long starts again from zero.
    pub window: Duration,
    /// How many keys each counter remembers (least recently used go first).
    pub capacity: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_pair: 5,
            per_address: 20,
            per_user: 50,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15 * 60),
            window: Duration::from_secs(15 * 60),
            capacity: 10_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

pub struct LoginLimiter {
    limits: LoginLimits,
    clock: Clock,
    hasher: RandomState,
    counts: Mutex<[LruCache<u64, Failures>; 3]>,
}

const PAIR: usize = 0;
const ADDRESS: usize = 1;
const USER: usize = 2;

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        Self::with_clock(limits, Instant::now)
    }

    /// A limiter reading time from `clock`, so tests move time instead of sleeping.
    pub fn with_clock(
        limits: LoginLimits,
        clock: impl Fn() -> Instant + Send + Sync + 'static,
    ) -> Self {
        let cap = NonZeroUsize::new(limits.capacity.max(1)).expect("at least one");
        Self {
            limits,
            clock: Arc::new(clock),
            hasher: RandomState::new(),
            counts: Mutex::new([LruCache::new(cap), LruCache::new(cap), LruCache::new(cap)]),
        }
    }

    fn keys(&self, address: &str, user: &str) -> [u64; 3] {
        let user = user.trim().to_lowercase();
        [
            self.hasher.hash_one((address, user.as_str())),
            self.hasher.hash_one(("address", address)),
            self.hasher.hash_one(("user", user.as_str())),
        ]
    }

    fn free(&self, counter: usize) -> u32 {
        match counter {
            PAIR => self.limits.per_pair,
            ADDRESS => self.limits.per_address,
            _ => self.limits.per_user,
        }
    }

    /// `Err(wait)` while `address` must wait before trying `user` again.
    pub fn check(&self, address: &str, user: &str) -> Result<(), Duration> {
        let now = (self.clock)();
        let keys = self.keys(address, user);
        let mut counts = self.counts.lock().expect("rate limit lock");
        let mut wait = Duration::ZERO;
        for (counter, key) in keys.into_iter().enumerate() {
            let Some(f) = counts[counter].peek(&key).copied() else {
                continue;
            };
            if now.saturating_duration_since(f.last) >= self.limits.window {
                counts[counter].pop(&key);
                continue;
            }
            let until = f.last + self.delay(f.count, self.free(counter));
            wait = wait.max(until.saturating_duration_since(now));
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// The wait after `count` failures of which `free` cost nothing.
    fn delay(&self, count: u32, free: u32) -> Duration {
        if count < free {
            return Duration::ZERO;
        }
        let doublings = (count - free).min(20);
        self.limits
            .base_delay
            .saturating_mul(1 << doublings)
            .min(self.limits.max_delay)
    }

    /// Counts a wrong password from `address` for `user`.
    pub fn failed(&self, address: &str, user: &str) {
        let now = (self.clock)();
        let keys = self.keys(address, user);
        let mut counts = self.counts.lock().expect("rate limit lock");
        for (counter, key) in keys.into_iter().enumerate() {
            let window = self.limits.window;
            let f = counts[counter].get_or_insert_mut(key, || Failures {
                count: 0,
                last: now,
            });
            if now.saturating_duration_since(f.last) >= window {
                f.count = 0;
            }
            f.count += 1;
            f.last = now;
        }
    }

    /// Forgets the failures of `user` from `address` and of `user` overall after a
    /// successful login; the address keeps its count of other names tried.
    pub fn succeeded(&self, address: &str, user: &str) {
        let keys = self.keys(address, user);
        let mut counts = self.counts.lock().expect("rate limit lock");
        counts[PAIR].pop(&keys[PAIR]);
        counts[USER].pop(&keys[USER]);
    }

    /// How many keys are remembered, for the memory bound's test.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.counts
            .lock()
            .expect("rate limit lock")
            .iter()
            .map(LruCache::len)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A limiter on a clock the test moves.
    fn limiter(limits: LoginLimits) -> (LoginLimiter, Arc<Mutex<Instant>>) {
        let now = Arc::new(Mutex::new(Instant::now()));
        let clock = now.clone();
        (
            LoginLimiter::with_clock(limits, move || *clock.lock().unwrap()),
            now,
        )
    }

    fn advance(now: &Mutex<Instant>, by: Duration) {
        *now.lock().unwrap() += by;
    }

    fn small() -> LoginLimits {
        LoginLimits {
            per_pair: 2,
            per_address: 4,
            per_user: 6,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            window: Duration::from_secs(600),
            capacity: 100,
        }
    }

    #[test]
    fn only_failures_count_so_one_address_logs_in_all_day() {
        let (l, now) = limiter(small());
        for _ in 0..1_000 {
            assert_eq!(l.check("10.0.0.1", "ana"), Ok(()));
            l.succeeded("10.0.0.1", "ana");
            advance(&now, Duration::from_secs(1));
        }
    }

    #[test]
    fn failures_past_the_free_ones_wait_longer_each_time_then_pass() {
        let (l, now) = limiter(small());
        l.failed("1.1.1.1", "ana");
        assert_eq!(l.check("1.1.1.1", "ana"), Ok(()));
        l.failed("1.1.1.1", "ana");
        assert_eq!(l.check("1.1.1.1", "ana"), Err(Duration::from_secs(1)));
        advance(&now, Duration::from_secs(1));
        assert_eq!(l.check("1.1.1.1", "ana"), Ok(()));
        l.failed("1.1.1.1", "ana");
        assert_eq!(l.check("1.1.1.1", "ana"), Err(Duration::from_secs(2)));
        for _ in 0..10 {
            l.failed("1.1.1.1", "ana");
        }
        assert_eq!(
            l.check("1.1.1.1", "ana"),
            Err(Duration::from_secs(60)),
            "capped"
        );
        advance(&now, Duration::from_secs(60));
        assert_eq!(
            l.check("1.1.1.1", "ana"),
            Ok(()),
            "a wait, never a lock-out"
        );
    }

    #[test]
    fn a_guesser_elsewhere_does_not_lock_the_real_user_out() {
        let (l, _) = limiter(small());
        for _ in 0..5 {
            l.failed("6.6.6.6", "ana");
        }
        assert!(l.check("6.6.6.6", "ana").is_err(), "the guesser waits");
        assert_eq!(
            l.check("10.0.0.1", "ana"),
            Ok(()),
            "ana at the office does not"
        );
        l.succeeded("10.0.0.1", "ana");
        // Many addresses guessing one name slow that name down everywhere, but only past
        // `per_user` failures.
        for i in 0..6 {
            l.failed(&format!("7.7.7.{i}"), "bo");
        }
        assert!(l.check("10.0.0.1", "bo").is_err());
    }

    #[test]
    fn one_address_trying_many_names_waits() {
        let (l, _) = limiter(small());
        for name in ["a", "b", "c", "d"] {
            assert_eq!(l.check("1.1.1.1", name), Ok(()));
            l.failed("1.1.1.1", name);
        }
        assert!(l.check("1.1.1.1", "e").is_err());
        assert_eq!(l.check("2.2.2.2", "e"), Ok(()));
    }

    #[test]
    fn counters_forget_after_the_window() {
        let (l, now) = limiter(small());
        for _ in 0..3 {
            l.failed("1.1.1.1", "ana");
        }
        assert!(l.check("1.1.1.1", "ana").is_err());
        advance(&now, Duration::from_secs(600));
        assert_eq!(l.check("1.1.1.1", "ana"), Ok(()));
        l.failed("1.1.1.1", "ana");
        assert_eq!(
            l.check("1.1.1.1", "ana"),
            Ok(()),
            "counting from zero again"
        );
    }

    #[test]
    fn memory_is_bounded_whatever_names_are_posted() {
        let (l, _) = limiter(small());
        let long = "x".repeat(100_000);
        for i in 0..1_000 {
            l.failed(
                &format!("9.9.{}.{}", i / 256, i % 256),
                &format!("{long}{i}"),
            );
        }
        assert_eq!(l.len(), 300, "three counters of at most 100 keys each");
    }
}
