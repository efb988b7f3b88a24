//! The inbox's sort keys: pure functions of a case, so every backend orders alike and a
//! cursor printed by one page is understood by the next.

use crate::Priority;
use chrono::{DateTime, Utc};

const SECOND_SPAN: i64 = 1_000_000_000_000;

/// The priority sort key: descending order gives the most urgent case first and, within a
/// priority, the one opened first.
pub fn prio_key(priority: Priority, opened_at: DateTime<Utc>) -> i64 {
    let secs = opened_at.timestamp().clamp(0, SECOND_SPAN - 1);
    priority_rank(priority) * SECOND_SPAN + (SECOND_SPAN - 1 - secs)
}

/// The SLA sort key: ascending order gives the earliest due first and cases without a running
/// clock last.
pub fn due_key(next_due: Option<DateTime<Utc>>) -> i64 {
    next_due.map_or(i64::MAX, |t| t.timestamp_micros())
}

/// A priority as the number the stores keep (0 low to 3 urgent), so it sorts.
pub fn priority_rank(p: Priority) -> i64 {
    match p {
        Priority::Low => 0,
        Priority::Normal => 1,
        Priority::High => 2,
        Priority::Urgent => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn priority_keys_order_urgent_first_then_oldest() {
        let t = |h| Utc.with_ymd_and_hms(2024, 5, 1, h, 0, 0).unwrap();
        let mut keys = [
            (prio_key(Priority::Normal, t(9)), "normal 9"),
            (prio_key(Priority::Urgent, t(12)), "urgent 12"),
            (prio_key(Priority::Normal, t(8)), "normal 8"),
            (prio_key(Priority::Low, t(1)), "low 1"),
            (prio_key(Priority::Urgent, t(10)), "urgent 10"),
        ];
        keys.sort_by_key(|k| std::cmp::Reverse(k.0));
        let order: Vec<_> = keys.iter().map(|k| k.1).collect();
        assert_eq!(
            order,
            ["urgent 10", "urgent 12", "normal 8", "normal 9", "low 1"]
        );
        assert!(due_key(None) > due_key(Some(t(23))));
    }
}
