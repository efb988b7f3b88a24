//! The status moves routing makes by itself, beside placing posts: an own account's reply
//! leaves the case waiting on the customer, and an import settles the cases that are history.

use super::Result;
use chrono::{DateTime, TimeDelta, Utc};
use rapport_domain::care::CaseRecord;
use rapport_domain::case::{is_history, on_agent_reply};
use rapport_domain::{Actor, CaseAction, CaseEvent, CaseStatus};

/// An own account's post joined `record` at `at`: the case waits on the customer now
/// ([`on_agent_reply`], the one rule for every reply seen on the network). The status change
/// is routing's, so its actor is the system, like the post's joining.
pub(super) fn agent_replied(
    record: &mut CaseRecord,
    events: &mut Vec<CaseEvent>,
    at: DateTime<Utc>,
) -> Result<()> {
    if let Some(action) = on_agent_reply(&record.case.snapshot(), at) {
        events.extend(record.case.apply(action, Actor::System, at)?);
    }
    Ok(())
}

/// Resolves a case that is history at `now` ([`is_history`]) at its latest post, by the
/// system: what an archive's conversation looks like to a help desk that has long answered it.
/// Resolved rather than closed: its figures stay those of a resolved case (the resolution clock
/// stops at its last post), and a later post of the same conversation found further on in the
/// import (files are not in time order) still reopens it within the window instead of
/// splitting the thread into a second case; a customer writing now is past the window and gets
/// a new case, as a closed one would give. Returns whether it resolved the case.
pub(super) fn settle(
    record: &mut CaseRecord,
    events: &mut Vec<CaseEvent>,
    now: DateTime<Utc>,
    window: TimeDelta,
) -> Result<bool> {
    let at = record.last_activity_at;
    if !record.case.status.is_active() || !is_history(at, now, window) {
        return Ok(false);
    }
    events.extend(record.case.apply(CaseAction::Resolve, Actor::System, at)?);
    Ok(true)
}

/// Whether an own account's post at `at` still belongs to `record`, a case resolved as
/// history: it is resolved, and the post comes within the reopen window of the resolution (a
/// customer's post there would reopen it).
pub(super) fn settled_thread(record: &CaseRecord, at: DateTime<Utc>, window: TimeDelta) -> bool {
    record.case.status == CaseStatus::Resolved && at - record.case.status_since <= window
}
