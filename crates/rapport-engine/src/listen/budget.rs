//! A channel's monthly read budget (X bills per post read): how much of it is spent, and
//! when it is spent, when reading may start again.

use crate::channels::{ChannelSpec, spec_of};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use rapport_domain::channel::Channel;

/// The budget of a channel that has one.
pub(crate) fn monthly_budget(channel: &Channel) -> Option<u64> {
    match spec_of(channel).ok()? {
        ChannelSpec::X {
            monthly_read_budget,
            ..
        } => monthly_read_budget,
        _ => None,
    }
}

/// The month reads are counted in (UTC), as `YYYY-MM`.
pub(crate) fn month(at: DateTime<Utc>) -> String {
    at.format("%Y-%m").to_string()
}

/// The start of the month after `at`'s (UTC).
pub(crate) fn next_month(at: DateTime<Utc>) -> DateTime<Utc> {
    let (y, m) = if at.month() == 12 {
        (at.year() + 1, 1)
    } else {
        (at.year(), at.month() + 1)
    };
    Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0)
        .single()
        .expect("the first of a month at midnight UTC exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_at_midnight_utc_and_at_new_year() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(month(at("2026-12-31T23:59:59Z")), "2026-12");
        assert_eq!(
            next_month(at("2026-12-31T23:59:59Z")),
            at("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            next_month(at("2026-02-01T00:00:00Z")),
            at("2026-03-01T00:00:00Z")
        );
    }
}
