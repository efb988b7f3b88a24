//! Care report figures that are plain data: how each own account answered the customers who
//! addressed it.

use crate::Network;
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

/// How one own account answered the customer posts addressed to it, measured per post
/// (Sprout Social's "reply time" per message, not per case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResponse {
    pub network: Network,
    /// The account's handle as last seen.
    pub handle: String,
    /// Customer posts addressed to the account: mentioning it, or replying to one of its
    /// posts (a post doing both counts once).
    pub inbound: u64,
    /// Inbound posts the account replied to directly (a post of its own whose parent is the
    /// customer's).
    pub answered: u64,
    /// The median, over answered posts, of the wall-clock time from the customer's post to the
    /// account's first direct reply; the mean of the two middle values for an even count.
    /// `None` when nothing was answered.
    pub median_reply: Option<TimeDelta>,
}

impl AccountResponse {
    /// `answered / inbound`; `None` when nobody addressed the account.
    pub fn response_rate(&self) -> Option<f64> {
        (self.inbound > 0).then(|| self.answered as f64 / self.inbound as f64)
    }

    /// The median reply time in seconds (fractional: a median of two may fall on a half).
    pub fn median_reply_seconds(&self) -> Option<f64> {
        self.median_reply
            .map(|d| d.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6)
    }
}

/// The median of the two middle values `lo` and `hi` (equal for an odd count), in
/// microseconds, as the store reads them off the sorted reply times.
pub fn middle_median(lo: i64, hi: i64) -> TimeDelta {
    // Halved separately so two large values cannot overflow; the lost half microsecond is
    // below anything a network's timestamps resolve.
    TimeDelta::microseconds(lo / 2 + hi / 2 + (lo % 2 + hi % 2) / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_and_median_read_as_reported() {
        let mut a = AccountResponse {
            network: Network::X,
            handle: "AppleSupport".into(),
            inbound: 4,
            answered: 3,
            median_reply: Some(middle_median(60_000_000, 121_000_000)),
        };
        assert_eq!(a.response_rate(), Some(0.75));
        assert_eq!(a.median_reply_seconds(), Some(90.5));
        a.inbound = 0;
        a.answered = 0;
        a.median_reply = None;
        assert_eq!(a.response_rate(), None);
        assert_eq!(a.median_reply_seconds(), None);
        assert_eq!(middle_median(-3, -3), TimeDelta::microseconds(-3));
        assert_eq!(middle_median(7, 7), TimeDelta::microseconds(7));
    }
}
