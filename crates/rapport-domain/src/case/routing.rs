//! Which case a customer's post belongs to, and who gets a case next.

use super::{CaseAction, CaseId, CaseStatus, UserId};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// How long after resolution a customer writing again reopens the case, unless configured.
pub const DEFAULT_REOPEN_WINDOW_DAYS: i64 = 7;

pub fn default_reopen_window() -> TimeDelta {
    TimeDelta::days(DEFAULT_REOPEN_WINDOW_DAYS)
}

/// The latest case of a conversation, as routing sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSnapshot {
    pub id: CaseId,
    pub status: CaseStatus,
    /// When the status was last changed; for a resolved case, the resolution instant.
    pub status_since: DateTime<Utc>,
}

/// What to do with a customer's new post in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision", content = "case_id")]
pub enum CaseDecision {
    /// Attach the post to this case; apply `CaseAction::CustomerReplied` (a pending case opens
    /// again, a new or open one stays as it is).
    Join(CaseId),
    /// Attach the post and apply `CaseAction::Reopen`.
    Reopen(CaseId),
    /// Open a new case for the post.
    OpenNew,
}

/// The rule for a customer's post in a conversation whose latest case is `existing`: an
/// unresolved case takes the post in; a case resolved at most `reopen_window` ago (inclusive) is
/// reopened; a case resolved longer ago, or closed, leaves the post to a new case.
pub fn on_customer_post(
    existing: Option<&CaseSnapshot>,
    now: DateTime<Utc>,
    reopen_window: TimeDelta,
) -> CaseDecision {
    let Some(case) = existing else {
        return CaseDecision::OpenNew;
    };
    match case.status {
        CaseStatus::New | CaseStatus::Open | CaseStatus::Pending => CaseDecision::Join(case.id),
        // A clock that ran backwards (now before the resolution) still counts as "just resolved".
        CaseStatus::Resolved if now - case.status_since <= reopen_window => {
            CaseDecision::Reopen(case.id)
        }
        CaseStatus::Resolved | CaseStatus::Closed => CaseDecision::OpenNew,
    }
}

/// What an own account's post seen on the network does to the active case it joins: the
/// agent has answered (from Rapport's outbox, natively, with another tool, or in an imported
/// history), so a new or open case now waits on the customer, as a help desk does with a reply
/// sent from the channel; a pending case stays pending. `None`: there is nothing to apply. The
/// reply itself stops the first-response clock: the SLA clocks count an agent reply at the
/// time of the post ([`crate::CaseHistory::agent_replies`]). A reply older than the case's
/// latest status change (found late: an import out of time order, a late parent) does not
/// undo that change, nor move a case back in time before it opened.
pub fn on_agent_reply(case: &CaseSnapshot, at: DateTime<Utc>) -> Option<CaseAction> {
    if at < case.status_since {
        return None;
    }
    match case.status {
        CaseStatus::New | CaseStatus::Open => Some(CaseAction::AwaitCustomer),
        CaseStatus::Pending | CaseStatus::Resolved | CaseStatus::Closed => None,
    }
}

/// Whether a case whose latest post is at `last_activity` is history at `now`: had it been
/// resolved at that post, a customer writing now could no longer reopen it (the same inclusive
/// window as [`on_customer_post`]). An import settles such cases instead of filling the inbox.
pub fn is_history(
    last_activity: DateTime<Utc>,
    now: DateTime<Utc>,
    reopen_window: TimeDelta,
) -> bool {
    now - last_activity > reopen_window
}

/// Round-robin within a team: the agent after `last` in `agents` (the team's available agents in
/// a stable order), wrapping around; the first one when `last` is none or no longer in the list.
/// `None` when nobody is available.
pub fn next_round_robin(agents: &[UserId], last: Option<UserId>) -> Option<UserId> {
    let first = *agents.first()?;
    let Some(pos) = last.and_then(|l| agents.iter().position(|a| *a == l)) else {
        return Some(first);
    };
    Some(agents[(pos + 1) % agents.len()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, day, h, 0, 0).unwrap()
    }

    #[test]
    fn customer_posts_join_reopen_or_open_new() {
        let w = default_reopen_window();
        let snap = |status, since| CaseSnapshot {
            id: CaseId(1),
            status,
            status_since: since,
        };
        let table: &[(Option<CaseSnapshot>, DateTime<Utc>, CaseDecision)] = &[
            (None, at(1, 9), CaseDecision::OpenNew),
            (
                Some(snap(CaseStatus::New, at(1, 9))),
                at(20, 9),
                CaseDecision::Join(CaseId(1)),
            ),
            (
                Some(snap(CaseStatus::Open, at(1, 9))),
                at(1, 10),
                CaseDecision::Join(CaseId(1)),
            ),
            (
                Some(snap(CaseStatus::Pending, at(1, 9))),
                at(30, 9),
                CaseDecision::Join(CaseId(1)),
            ),
            // resolved on the 1st at 09:00: reopen up to and including the 8th at 09:00
            (
                Some(snap(CaseStatus::Resolved, at(1, 9))),
                at(1, 9),
                CaseDecision::Reopen(CaseId(1)),
            ),
            (
                Some(snap(CaseStatus::Resolved, at(1, 9))),
                at(8, 9),
                CaseDecision::Reopen(CaseId(1)),
            ),
            (
                Some(snap(CaseStatus::Resolved, at(1, 9))),
                at(8, 10),
                CaseDecision::OpenNew,
            ),
            (
                Some(snap(CaseStatus::Resolved, at(2, 9))),
                at(1, 9),
                CaseDecision::Reopen(CaseId(1)),
            ),
            (
                Some(snap(CaseStatus::Closed, at(1, 9))),
                at(1, 10),
                CaseDecision::OpenNew,
            ),
        ];
        for (existing, now, expected) in table {
            assert_eq!(
                on_customer_post(existing.as_ref(), *now, w),
                *expected,
                "{existing:?} at {now}"
            );
        }
        // a shorter configured window
        let resolved = snap(CaseStatus::Resolved, at(1, 9));
        assert_eq!(
            on_customer_post(Some(&resolved), at(2, 10), TimeDelta::days(1)),
            CaseDecision::OpenNew
        );
        assert_eq!(
            on_customer_post(Some(&resolved), at(2, 9), TimeDelta::days(1)),
            CaseDecision::Reopen(CaseId(1))
        );
    }

    #[test]
    fn an_agent_reply_leaves_the_case_waiting_on_the_customer() {
        let table = [
            (CaseStatus::New, Some(CaseAction::AwaitCustomer)),
            (CaseStatus::Open, Some(CaseAction::AwaitCustomer)),
            (CaseStatus::Pending, None),
            (CaseStatus::Resolved, None),
            (CaseStatus::Closed, None),
        ];
        for (status, expected) in table {
            let case = CaseSnapshot {
                id: CaseId(1),
                status,
                status_since: at(1, 9),
            };
            assert_eq!(on_agent_reply(&case, at(1, 10)), expected, "{status}");
            assert_eq!(
                on_agent_reply(&case, at(1, 9)),
                expected,
                "{status} at once"
            );
            assert_eq!(
                on_agent_reply(&case, at(1, 8)),
                None,
                "{status}: found late"
            );
            // Whatever it says is a legal move from that status.
            if let Some(action) = expected {
                assert_eq!(status.transition(action), Ok(CaseStatus::Pending));
            }
        }
    }

    #[test]
    fn history_is_what_the_reopen_window_no_longer_reaches() {
        let w = default_reopen_window();
        assert!(!is_history(at(1, 9), at(8, 9), w), "exactly the window");
        assert!(is_history(at(1, 9), at(8, 10), w));
        assert!(!is_history(at(8, 10), at(1, 9), w), "a post in the future");
    }

    #[test]
    fn round_robin_wraps_and_recovers() {
        let team = [UserId(4), UserId(8), UserId(15)];
        assert_eq!(next_round_robin(&team, None), Some(UserId(4)));
        assert_eq!(next_round_robin(&team, Some(UserId(4))), Some(UserId(8)));
        assert_eq!(next_round_robin(&team, Some(UserId(15))), Some(UserId(4)));
        assert_eq!(
            next_round_robin(&team, Some(UserId(99))),
            Some(UserId(4)),
            "left the team"
        );
        assert_eq!(next_round_robin(&[], Some(UserId(4))), None);
    }
}
