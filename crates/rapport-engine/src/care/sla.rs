//! SLA clocks of a case, read with the domain's `SlaClock` on its team's calendar and stored
//! with the case so the inbox can sort and filter on them.

use super::{Care, ChangeKind, Result, RoutingRules};
use chrono::{DateTime, TimeDelta, Utc};
use rapport_domain::SlaState;
use rapport_domain::care::{CasePost, CaseRecord, CaseSla};
use rapport_domain::{
    BusinessCalendar, CaseChange, CaseEvent, CaseHistory, CaseId, CaseStatus, ClockPhase, SlaClock,
    SlaPolicy,
};

fn utc_always_open() -> BusinessCalendar {
    BusinessCalendar::always_open(BusinessCalendar::parse_tz("UTC").expect("UTC is a time zone"))
}

/// The statuses a case took, from its audit log.
pub(crate) fn statuses(events: &[CaseEvent]) -> Vec<(DateTime<Utc>, CaseStatus)> {
    events
        .iter()
        .filter_map(|e| match &e.change {
            CaseChange::Opened { .. } => Some((e.at, CaseStatus::New)),
            CaseChange::Status { to, .. } => Some((e.at, *to)),
            _ => None,
        })
        .collect()
}

/// Reads the clocks of a case at `now` with `policy` on `calendar`.
pub fn evaluate(
    record: &CaseRecord,
    events: &[CaseEvent],
    posts: &[CasePost],
    policy: Option<&SlaPolicy>,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> CaseSla {
    let Some(policy) = policy else {
        return CaseSla {
            evaluated_at: Some(now),
            ..CaseSla::default()
        };
    };
    let statuses = statuses(events);
    let customer: Vec<_> = posts
        .iter()
        .filter(|p| p.from_customer)
        .map(|p| p.at)
        .collect();
    let agent: Vec<_> = posts
        .iter()
        .filter(|p| !p.from_customer)
        .map(|p| p.at)
        .collect();
    let history = CaseHistory {
        statuses: &statuses,
        customer_posts: &customer,
        agent_replies: &agent,
    };
    let report = SlaClock::new(policy, calendar).read(record.case.priority, &history, now);
    // When each running clock that is still fine crosses the at-risk share of its goal.
    let at_risk_at = report
        .readings()
        .filter(|r| r.phase == ClockPhase::Running && r.state == rapport_domain::SlaState::Ok)
        .filter_map(|r| {
            let threshold = TimeDelta::milliseconds(
                (r.goal.num_milliseconds() as f64 * policy.at_risk_fraction()).round() as i64,
            );
            calendar.due(now, threshold - r.elapsed)
        })
        .min();
    let due = |r: Option<&rapport_domain::ClockReading>| r.and_then(|r| r.due_at);
    CaseSla {
        first_response_due: due(report.first_response.as_ref()),
        next_response_due: due(report.next_response.as_ref()),
        resolution_due: due(report.resolution.as_ref()),
        state: report.worst_open_state(),
        next_due: report.next_due(),
        at_risk_at,
        evaluated_at: Some(now),
    }
}

impl Care {
    /// The policy and calendar a case is measured by: its team's, else the default policy on
    /// an always-open UTC calendar; a policy without business hours counts around the clock.
    pub(crate) async fn sla_terms(
        &self,
        record: &CaseRecord,
        rules: &RoutingRules,
    ) -> Result<(Option<SlaPolicy>, BusinessCalendar)> {
        let team = match record.case.team {
            Some(t) => self.store.settings().team(t).await?,
            None => None,
        };
        let name = team
            .as_ref()
            .and_then(|t| t.sla_policy.clone())
            .or_else(|| rules.default_sla_policy.clone());
        let policy = match name {
            Some(n) => self.store.settings().sla_policy(&n).await?,
            None => None,
        };
        // A policy that ignores business hours counts every hour, in the team's zone still.
        let calendar = match (team, &policy) {
            (Some(t), Some(p)) if !p.business_hours() => {
                BusinessCalendar::always_open(t.calendar.tz())
            }
            (Some(t), _) => t.calendar,
            (None, _) => utc_always_open(),
        };
        Ok((policy, calendar))
    }

    /// Re-reads a record's clocks from its stored history (plus `extra` posts and events not
    /// stored yet) and sets `record.sla`.
    pub(crate) async fn reevaluate(
        &self,
        record: &mut CaseRecord,
        extra_posts: &[CasePost],
        extra_events: &[CaseEvent],
        rules: &RoutingRules,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let terms = self.sla_terms(record, rules).await?;
        self.reevaluate_with(record, extra_posts, extra_events, &terms, now)
            .await
    }

    /// As [`Care::reevaluate`], with the policy and calendar already looked up. Without a
    /// policy the history is not read at all.
    pub(crate) async fn reevaluate_with(
        &self,
        record: &mut CaseRecord,
        extra_posts: &[CasePost],
        extra_events: &[CaseEvent],
        (policy, calendar): &(Option<SlaPolicy>, BusinessCalendar),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let stored = record.case.id.0 > 0 && policy.is_some();
        let mut events = if stored {
            self.store.cases().case_events(record.case.id).await?
        } else {
            Vec::new()
        };
        events.extend_from_slice(extra_events);
        let mut posts = if stored {
            self.store.cases().case_posts(record.case.id).await?
        } else {
            Vec::new()
        };
        posts.extend_from_slice(extra_posts);
        record.sla = evaluate(record, &events, &posts, policy.as_ref(), calendar, now);
        Ok(())
    }

    /// Reads a case's clocks again at `now` and stores them; an SLA that turned at risk or
    /// breached notifies the case's assignee (or its team).
    pub async fn refresh_sla(&self, id: CaseId, now: DateTime<Utc>) -> Result<CaseRecord> {
        Ok(self.refresh_sla_reporting(id, now).await?.1)
    }

    async fn refresh_sla_reporting(
        &self,
        id: CaseId,
        now: DateTime<Utc>,
    ) -> Result<(Option<SlaState>, CaseRecord)> {
        let rules = self.rules().await?;
        let mut record = self.load(id).await?;
        let before = record.sla.state;
        self.reevaluate(&mut record, &[], &[], &rules, now).await?;
        let saved = self.store.cases().save_case(&record, &[], &[]).await?;
        self.announce(&saved, ChangeKind::SlaChanged, now);
        if before != saved.sla.state {
            match crate::notify::sla_changed(&*self.store, before, &saved, now).await {
                Ok(notes) => self.notifier.raise(notes).await,
                Err(e) => tracing::warn!(case_id = %id, error = %e, "SLA change not notified"),
            }
        }
        Ok((before, saved))
    }

    /// Refreshes every active case whose stored SLA state fell behind `now` (run it every
    /// minute or so); returns how many were refreshed.
    pub async fn refresh_stale_sla(&self, now: DateTime<Utc>) -> Result<usize> {
        Ok(self.sweep_sla(now).await?.refreshed)
    }

    /// The sweep [`Care::refresh_stale_sla`] runs, saying which cases changed SLA state (each
    /// change notified as [`Care::refresh_sla`] does).
    pub async fn sweep_sla(&self, now: DateTime<Utc>) -> Result<SlaSweep> {
        let mut done = std::collections::HashSet::new();
        let mut sweep = SlaSweep::default();
        loop {
            let stale = self.store.inbox().sla_stale(now, 500).await?;
            // A case still listed after its refresh has nothing more to change at `now`.
            let fresh: Vec<_> = stale.into_iter().filter(|id| !done.contains(id)).collect();
            if fresh.is_empty() {
                sweep.refreshed = done.len();
                return Ok(sweep);
            }
            for id in fresh {
                let (before, saved) = self.refresh_sla_reporting(id, now).await?;
                if before != saved.sla.state {
                    sweep.changed.push(SlaTransition {
                        case_id: id,
                        from: before,
                        to: saved.sla.state,
                    });
                }
                done.insert(id);
            }
        }
    }
}

/// What one SLA sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlaSweep {
    /// Cases whose clocks were read again and stored.
    pub refreshed: usize,
    /// Those whose SLA state changed, in the order they were refreshed.
    pub changed: Vec<SlaTransition>,
}

/// A case's SLA state moving (`None`: no clock running).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaTransition {
    pub case_id: CaseId,
    pub from: Option<SlaState>,
    pub to: Option<SlaState>,
}

impl Care {
    /// Every clock of a case read at `now` (for the case page); `None` when no SLA policy
    /// applies to it.
    pub async fn sla_report(
        &self,
        id: CaseId,
        now: DateTime<Utc>,
    ) -> Result<Option<rapport_domain::SlaReport>> {
        let rules = self.rules().await?;
        let record = self.load(id).await?;
        let (policy, calendar) = self.sla_terms(&record, &rules).await?;
        let Some(policy) = policy else {
            return Ok(None);
        };
        let events = self.store.cases().case_events(id).await?;
        let posts = self.store.cases().case_posts(id).await?;
        let statuses = statuses(&events);
        let customer: Vec<_> = posts
            .iter()
            .filter(|p| p.from_customer)
            .map(|p| p.at)
            .collect();
        let agent: Vec<_> = posts
            .iter()
            .filter(|p| !p.from_customer)
            .map(|p| p.at)
            .collect();
        let history = CaseHistory {
            statuses: &statuses,
            customer_posts: &customer,
            agent_replies: &agent,
        };
        Ok(Some(SlaClock::new(&policy, &calendar).read(
            record.case.priority,
            &history,
            now,
        )))
    }
}
