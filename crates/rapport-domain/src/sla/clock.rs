//! Replays a case's history into SLA clock readings at a given instant.

use super::{BusinessCalendar, SlaPolicy, SlaState, SlaTarget};
use crate::{CaseStatus, Priority};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// What a case went through, as the store records it. Entries after the reading instant are
/// ignored, so a past instant can be replayed too; lists need not be sorted.
#[derive(Debug, Clone, Copy)]
pub struct CaseHistory<'a> {
    /// Every status the case took, with the instant it took it; the first entry is the case
    /// opening.
    pub statuses: &'a [(DateTime<Utc>, CaseStatus)],
    /// When the customer posted in the case.
    pub customer_posts: &'a [DateTime<Utc>],
    /// When an agent's reply was sent.
    pub agent_replies: &'a [DateTime<Utc>],
}

/// Whether a clock is counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockPhase {
    /// Counting (in business hours) now.
    Running,
    /// Waiting for the case to leave pending, resolved or closed.
    Paused,
    /// Its event happened (the reply was sent, the case resolved).
    Completed,
}

/// One clock at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockReading {
    pub target: SlaTarget,
    pub goal: TimeDelta,
    /// Business time counted so far (pauses excluded).
    pub elapsed: TimeDelta,
    /// `goal - elapsed`; negative once breached.
    pub remaining: TimeDelta,
    /// For a completed clock only `Ok` or `Breached`: it can no longer be at risk.
    pub state: SlaState,
    pub phase: ClockPhase,
    pub started_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
    /// When the goal was or will be used up: in the past for a breached clock, projected from
    /// the reading instant for a running one (assuming no pause); `None` for a paused clock with
    /// time left and for a clock completed within its goal.
    pub due_at: Option<DateTime<Utc>>,
}

/// All clocks of a case that its policy measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SlaReport {
    pub first_response: Option<ClockReading>,
    pub next_response: Option<ClockReading>,
    pub resolution: Option<ClockReading>,
}

impl SlaReport {
    pub fn get(&self, target: SlaTarget) -> Option<&ClockReading> {
        match target {
            SlaTarget::FirstResponse => self.first_response.as_ref(),
            SlaTarget::NextResponse => self.next_response.as_ref(),
            SlaTarget::Resolution => self.resolution.as_ref(),
        }
    }

    pub fn readings(&self) -> impl Iterator<Item = &ClockReading> {
        SlaTarget::ALL.into_iter().filter_map(|t| self.get(t))
    }

    /// The worst state among clocks that are not completed (what the inbox's at-risk view
    /// sorts on); `None` when no clock is open.
    pub fn worst_open_state(&self) -> Option<SlaState> {
        self.readings()
            .filter(|r| r.phase != ClockPhase::Completed)
            .map(|r| r.state)
            .max()
    }

    /// The earliest due instant among clocks that are running.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.readings()
            .filter(|r| r.phase == ClockPhase::Running)
            .filter_map(|r| r.due_at)
            .min()
    }
}

/// A policy on a calendar: reads a case's clocks.
#[derive(Debug, Clone, Copy)]
pub struct SlaClock<'a> {
    pub policy: &'a SlaPolicy,
    pub calendar: &'a BusinessCalendar,
}

/// The stretches during which clocks may count (status new or open), up to the reading instant.
struct Active {
    intervals: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// The last stretch is still going on at the reading instant.
    running_now: bool,
    now: DateTime<Utc>,
}

impl Active {
    fn new(statuses: &[(DateTime<Utc>, CaseStatus)], now: DateTime<Utc>) -> Active {
        let mut intervals = Vec::new();
        let mut running_now = false;
        for (i, &(at, status)) in statuses.iter().enumerate() {
            let end = statuses.get(i + 1).map_or(now, |(next, _)| *next);
            running_now = status.clocks_run();
            if running_now && at < end {
                intervals.push((at, end));
            }
        }
        Active {
            intervals,
            running_now,
            now,
        }
    }

    /// Active stretches clipped to `[from, to)`.
    fn within(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        self.intervals
            .iter()
            .map(move |&(s, e)| (s.max(from), e.min(to)))
            .filter(|(s, e)| s < e)
    }
}

impl<'a> SlaClock<'a> {
    pub fn new(policy: &'a SlaPolicy, calendar: &'a BusinessCalendar) -> Self {
        SlaClock { policy, calendar }
    }

    /// The clocks of a case with `priority` (its current one) at `now`.
    pub fn read(
        &self,
        priority: Priority,
        history: &CaseHistory<'_>,
        now: DateTime<Utc>,
    ) -> SlaReport {
        let upto = |list: &[DateTime<Utc>]| {
            let mut v: Vec<_> = list.iter().copied().filter(|t| *t <= now).collect();
            v.sort();
            v
        };
        let mut statuses: Vec<_> = history
            .statuses
            .iter()
            .copied()
            .filter(|(t, _)| *t <= now)
            .collect();
        statuses.sort_by_key(|(t, _)| *t);
        let Some(&(opened, _)) = statuses.first() else {
            return SlaReport::default();
        };
        let replies = upto(history.agent_replies);
        let posts = upto(history.customer_posts);
        let active = Active::new(&statuses, now);
        let targets = self.policy.targets(priority);

        let first_reply = replies.iter().copied().find(|r| *r >= opened);
        let first_response = targets
            .first_response
            .map(|goal| self.reading(SlaTarget::FirstResponse, goal, &active, opened, first_reply));

        let next_response = match (targets.next_response, first_reply) {
            (Some(goal), Some(first)) => {
                next_response_cycle(first, &posts, &replies).map(|(start, stop)| {
                    self.reading(SlaTarget::NextResponse, goal, &active, start, stop)
                })
            }
            _ => None,
        };

        // Resolution stops at the start of the trailing run of resolved/closed statuses; a
        // reopen resumes it with the time already counted.
        let resolved_at = statuses
            .iter()
            .rev()
            .take_while(|(_, s)| matches!(s, CaseStatus::Resolved | CaseStatus::Closed))
            .last()
            .map(|(t, _)| *t);
        let resolution = targets
            .resolution
            .map(|goal| self.reading(SlaTarget::Resolution, goal, &active, opened, resolved_at));

        SlaReport {
            first_response,
            next_response,
            resolution,
        }
    }

    fn reading(
        &self,
        target: SlaTarget,
        goal: TimeDelta,
        active: &Active,
        start: DateTime<Utc>,
        stop: Option<DateTime<Utc>>,
    ) -> ClockReading {
        let end = stop.unwrap_or(active.now);
        let elapsed: TimeDelta = active
            .within(start, end)
            .map(|(s, e)| self.calendar.elapsed(s, e))
            .sum();
        let remaining = goal - elapsed;
        let phase = match stop {
            Some(_) => ClockPhase::Completed,
            None if active.running_now => ClockPhase::Running,
            None => ClockPhase::Paused,
        };
        let state = match (
            phase,
            SlaState::of(elapsed, goal, self.policy.at_risk_fraction()),
        ) {
            (ClockPhase::Completed, SlaState::AtRisk) => SlaState::Ok,
            (_, s) => s,
        };
        let due_at = match phase {
            _ if remaining < TimeDelta::zero() => self.when_used_up(active, start, end, goal),
            ClockPhase::Running => self.calendar.due(active.now, remaining),
            ClockPhase::Paused | ClockPhase::Completed => None,
        };
        ClockReading {
            target,
            goal,
            elapsed,
            remaining,
            state,
            phase,
            started_at: start,
            stopped_at: stop,
            due_at,
        }
    }

    /// The instant within the active stretches of `[start, end)` at which `goal` was used up.
    fn when_used_up(
        &self,
        active: &Active,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        goal: TimeDelta,
    ) -> Option<DateTime<Utc>> {
        let mut left = goal;
        for (s, e) in active.within(start, end) {
            let here = self.calendar.elapsed(s, e);
            if here >= left {
                return self.calendar.due(s, left);
            }
            left -= here;
        }
        None
    }
}

/// The next-response cycle to report: the customer post that is still unanswered (running), or
/// else the last answered one. A cycle starts at the first customer post after an agent reply
/// and ends at the next agent reply.
fn next_response_cycle(
    first_reply: DateTime<Utc>,
    posts: &[DateTime<Utc>],
    replies: &[DateTime<Utc>],
) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let mut last = None;
    let mut from = first_reply;
    loop {
        let Some(&post) = posts.iter().find(|p| **p > from) else {
            return last;
        };
        match replies.iter().find(|r| **r >= post) {
            Some(&reply) => {
                last = Some((post, Some(reply)));
                from = reply;
            }
            None => return Some((post, None)),
        }
    }
}
