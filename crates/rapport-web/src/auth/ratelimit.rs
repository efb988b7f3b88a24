//! Login attempts, limited per client address and per user name, in memory.
//!
//! Fixed windows are enough here: the point is to make guessing slow, not to shape traffic.
//! A successful login clears its user name's count.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many login attempts are allowed per window.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    pub per_address: u32,
    pub per_user: u32,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_address: 20,
            per_user: 5,
            window: Duration::from_secs(15 * 60),
        }
    }
}

pub struct LoginLimiter {
    limits: LoginLimits,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        Self {
            limits,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `address` for `user`; `false` when either is over its limit.
    pub fn attempt(&self, address: &str, user: &str) -> bool {
        let now = Instant::now();
        let mut counts = self.counts.lock().expect("rate limit lock");
        if counts.len() > 100_000 {
            // Bounded memory whatever is thrown at the login form.
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.limits.window);
        }
        let mut bump = |key: String, max: u32| {
            let entry = counts.entry(key).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.limits.window {
                *entry = (now, 0);
            }
            entry.1 += 1;
            entry.1 <= max
        };
        let by_address = bump(format!("a:{address}"), self.limits.per_address);
        let by_user = bump(
            format!("u:{}", user.trim().to_lowercase()),
            self.limits.per_user,
        );
        by_address && by_user
    }

    /// Forgets a user name's failed attempts after a successful login.
    pub fn succeeded(&self, user: &str) {
        let key = format!("u:{}", user.trim().to_lowercase());
        self.counts.lock().expect("rate limit lock").remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_apply_per_user_and_per_address() {
        let l = LoginLimiter::new(LoginLimits {
            per_address: 4,
            per_user: 2,
            window: Duration::from_secs(60),
        });
        assert!(l.attempt("1.1.1.1", "ana"));
        assert!(l.attempt("2.2.2.2", "ANA"));
        assert!(!l.attempt("3.3.3.3", "ana"), "third try for one name");
        l.succeeded("ana");
        assert!(l.attempt("1.1.1.1", "ana"));
        assert!(l.attempt("1.1.1.1", "bo"));
        assert!(l.attempt("1.1.1.1", "cy"));
        assert!(!l.attempt("1.1.1.1", "dee"), "fifth try from one address");
    }

    #[test]
    fn windows_end() {
        let l = LoginLimiter::new(LoginLimits {
            per_address: 1,
            per_user: 1,
            window: Duration::from_millis(30),
        });
        assert!(l.attempt("a", "u"));
        assert!(!l.attempt("a", "u"));
        std::thread::sleep(Duration::from_millis(40));
        assert!(l.attempt("a", "u"));
    }
}
