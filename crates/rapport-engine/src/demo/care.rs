//! The demo's care desk: a team, an SLA policy on business hours, saved replies and routing
//! rules set up before the stream is ingested (so routing opens cases as it would live), then
//! the cases worked by the demo agents into every state.
//!
//! Everything goes through the care use cases, so every change has its real audit event, and
//! the SLA clocks are read by the same code as in production. The stream spans weeks, so the
//! agents' actions are dated after each case's latest post (a case resolved three weeks ago
//! was resolved three weeks ago in its log), and the clocks of the cases still active are read
//! again at the real `now` at the end: old unanswered cases show as breached, fresh ones as
//! fine or at risk.
//!
//! What is demo data is marked: the team and the policy are called "Demo ...", saved replies
//! "Demo: ...", every case the demo works is tagged `demo`, and queued replies carry
//! idempotency keys starting with `demo-`. Running the demo again works only cases opened
//! since the last run (the last worked case id is kept as a care setting).

use super::people::DemoUsers;
use crate::care::{Care, CareError, RoutingRules, TopicRule};
use crate::{Engine, Result};
use chrono::{DateTime, TimeDelta, Utc};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rapport_domain::care::{
    CareSetting, CareSettingKey, CaseRecord, InboxItem, InboxQuery, InboxSort, InboxView,
    PageStart, TeamSpec,
};
use rapport_domain::{
    BusinessCalendar, CaseAction, CaseId, CaseStatus, ClockPhase, OpenWindow, PersonVars, Priority,
    SlaPolicy, SlaState, Targets, TeamId, TopicId, User,
};
use std::collections::{BTreeMap, HashMap};

/// The team the two demo agents work in.
pub const TEAM: &str = "Demo care team";
/// The SLA policy of the team, and of cases outside any team.
pub const POLICY: &str = "Demo standard";

/// Topics whose cases go to the team's queue (round-robin); other cases wait unassigned.
const TEAM_TOPICS: &[&str] = &[
    "Outages",
    "Refunds and billing",
    "Refunds",
    "Delays and cancellations",
    "Battery and charging",
    "Software updates",
];
/// Topics that only listen: their matches open no case (mentions still do).
const LISTEN_ONLY: &[&str] = &["Praise"];

/// Saved replies: (name, shortcut, template).
pub const SAVED_REPLIES: &[(&str, &str, &str)] = &[
    (
        "Demo: Ask for details by DM",
        "dm",
        "Hi {{contact.first_name}}, sorry about this! Could you send us a DM with your booking or \
         order number? We'll look into it right away. – {{agent.first_name}}",
    ),
    (
        "Demo: Refund issued",
        "refund",
        "Hi {{contact.first_name}}, your refund is on its way and should show within 5 working \
         days. Your reference is case {{case.id}}. – {{agent.first_name}}",
    ),
    (
        "Demo: Known outage",
        "outage",
        "Hi {{contact.first_name}}, we know about the problem and our engineers are on it. We'll \
         post here as soon as it's fixed. Thanks for your patience. – {{agent.first_name}}",
    ),
    (
        "Demo: Thanks for the kind words",
        "thanks",
        "Thank you {{contact.first_name}}! That made our day; we'll pass it on to the team. – \
         {{agent.name}}",
    ),
];

/// Internal notes the demo agents write.
const NOTES: &[&str] = &[
    "Asked for the order number by DM; waiting for it before we promise anything.",
    "Known issue, tracked with the incident from this week. Link the status page in the reply.",
    "Second time this month they write about this. Offer a goodwill credit if it happens again.",
    "Large following; keep the tone warm and answer in public first.",
    "Checked the account: the payment went through twice. Refund approved by the team lead.",
    "Handing over: I'm off tomorrow, please pick this up if they write back.",
    "Customer prefers to be contacted by email, see the contact fields.",
];

const REOPEN_NOTES: &[&str] = &[
    "Reopened: they wrote back by DM, the fix did not work for them.",
    "Reopened: the refund has not arrived after all. Checking with billing.",
];

/// What [`setup`] made.
#[derive(Debug, Clone)]
pub struct CareSetup {
    pub team: TeamId,
    pub saved_replies: usize,
}

/// The demo's SLA policy: tighter targets for higher priorities, in business hours.
pub fn policy() -> SlaPolicy {
    let t = |first: i64, next: i64, resolution: i64| Targets {
        first_response: Some(TimeDelta::minutes(first)),
        next_response: Some(TimeDelta::minutes(next)),
        resolution: Some(TimeDelta::minutes(resolution)),
    };
    [
        (Priority::Urgent, t(30, 60, 6 * 60)),
        (Priority::High, t(60, 2 * 60, 12 * 60)),
        (Priority::Normal, t(4 * 60, 8 * 60, 24 * 60)),
        (Priority::Low, t(8 * 60, 24 * 60, 48 * 60)),
    ]
    .into_iter()
    .try_fold(SlaPolicy::new(POLICY), |p, (priority, targets)| {
        p.with_targets(priority, targets)
    })
    .expect("the demo targets are positive")
}

/// The team's opening hours: Monday to Friday, 08:00 to 20:00, London time.
pub fn calendar() -> BusinessCalendar {
    let tz = BusinessCalendar::parse_tz("Europe/London").expect("a known time zone");
    let hours = OpenWindow::hm(8, 0, 20, 0).expect("08:00-20:00 is a window");
    BusinessCalendar::closed(tz)
        .with_weekday_hours(&[hours])
        .expect("one window a day does not overlap")
}

/// Sets up the care desk: the policy, the team of the demo agents, the saved replies and the
/// routing rules. Run it after the topics exist and before ingesting. Running it again changes
/// nothing (each is replaced by name), except that routing rules edited since are replaced by
/// the demo's.
pub async fn setup(engine: &Engine, users: &DemoUsers) -> Result<CareSetup> {
    let care = engine.care();
    let cs = engine.store().as_ref();
    cs.settings().put_sla_policy(&policy()).await?;
    let team = cs
        .settings()
        .put_team(&TeamSpec {
            name: TEAM.into(),
            members: users.agents().iter().map(|u| u.id).collect(),
            calendar: calendar(),
            sla_policy: Some(POLICY.into()),
        })
        .await?;
    for (name, shortcut, body) in SAVED_REPLIES {
        care.save_saved_reply(name, body, Some(shortcut)).await?;
    }
    let mut rules = RoutingRules {
        default_sla_policy: Some(POLICY.into()),
        round_robin: true,
        ..RoutingRules::default()
    };
    for info in engine.topics().await? {
        let name = info.topic.name.as_str();
        if TEAM_TOPICS.contains(&name) {
            rules.topics.push(TopicRule {
                topic: info.topic.id,
                intents: None,
                team: Some(team.id),
            });
        } else if LISTEN_ONLY.contains(&name) {
            rules.topics.push(TopicRule {
                topic: info.topic.id,
                intents: Some(Vec::new()),
                team: None,
            });
        }
    }
    care.set_rules(&rules).await?;
    Ok(CareSetup {
        team: team.id,
        saved_replies: SAVED_REPLIES.len(),
    })
}

/// What [`work_cases`] did.
#[derive(Debug, Clone, Default)]
pub struct WorkSummary {
    /// Cases worked on this run (0 when an earlier run worked them all).
    pub worked: usize,
    pub reopened: usize,
    pub notes: usize,
    pub queued_replies: usize,
}

/// What happens to one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Left as routing made it.
    New,
    /// Taken up by an agent; a reply may wait in the outbox.
    Open {
        reply: bool,
    },
    /// Answered (the reply queued) and waiting on the customer.
    Pending,
    /// Resolved, then reopened by its agent a few hours before now.
    Reopened,
    Resolved,
    /// Resolved and archived two days later; some were reopened and resolved again first.
    Closed {
        reopened_first: bool,
    },
}

/// How many of the `n` newest cases each active state gets; the rest are resolved or closed.
fn plans(n: usize, rng: &mut StdRng) -> Vec<Plan> {
    let share = |per_cent: usize, cap: usize| (n * per_cent / 100).clamp(1, cap);
    let mut newest_first = Vec::with_capacity(n);
    newest_first.extend(std::iter::repeat_n(Plan::New, share(5, 12)));
    for i in 0..share(7, 15) {
        newest_first.push(Plan::Open { reply: i % 2 == 0 });
    }
    newest_first.extend(std::iter::repeat_n(Plan::Pending, share(6, 10)));
    newest_first.extend(std::iter::repeat_n(Plan::Reopened, share(2, 3)));
    newest_first.extend(std::iter::repeat_n(Plan::Resolved, share(8, 25)));
    while newest_first.len() < n {
        newest_first.push(Plan::Closed {
            reopened_first: rng.random_range(0..100) < 3,
        });
    }
    newest_first.truncate(n);
    newest_first.reverse();
    newest_first
}

/// The clock of one case's actions: each step moves on a little, never past `now`.
struct Steps<'a> {
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    rng: &'a mut StdRng,
}

impl Steps<'_> {
    fn next(&mut self, min_minutes: i64, max_minutes: i64) -> DateTime<Utc> {
        let step = TimeDelta::minutes(self.rng.random_range(min_minutes..=max_minutes));
        self.at = (self.at + step).min(self.now);
        self.at
    }

    fn jump_to(&mut self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.at = at.clamp(self.at, self.now);
        self.at
    }
}

/// The people who act in the demo.
struct Cast<'a> {
    admin: &'a User,
    agents: Vec<&'a User>,
}

impl<'a> Cast<'a> {
    fn of(users: &'a DemoUsers) -> Cast<'a> {
        let admin = users.admin();
        let mut agents = users.agents();
        if agents.is_empty() {
            agents.push(admin);
        }
        Cast { admin, agents }
    }

    /// The case's assignee when it is one of the demo agents, else one of them.
    fn agent_for(&self, item: &InboxItem, rng: &mut StdRng) -> &'a User {
        item.assignee
            .and_then(|id| self.agents.iter().find(|a| a.id == id).copied())
            .unwrap_or_else(|| *self.agents.choose(rng).expect("at least one agent"))
    }
}

/// Works the cases routing opened since the last run into every state, then reads the
/// clocks of every active case at `now`.
pub async fn work_cases(
    engine: &Engine,
    users: &DemoUsers,
    now: DateTime<Utc>,
    seed: u64,
) -> Result<WorkSummary> {
    let care = engine.care();
    let cs = engine.store().as_ref();
    let done: i64 = match cs
        .settings()
        .care_setting(CareSettingKey::DemoWorkedThrough)
        .await?
    {
        Some(CareSetting::DemoWorkedThrough(id)) => id.0,
        _ => 0,
    };
    let active = active_cases(&care).await?;
    let mut fresh: Vec<InboxItem> = active
        .iter()
        // Every case routing made since the last run: new ones, and those the brand's own
        // replies in the stream left pending (or open again, the customer having written back).
        .filter(|i| i.id.0 > done)
        .cloned()
        .collect();
    fresh.sort_by_key(|i| (i.last_activity_at, i.id));
    let topic_names: HashMap<TopicId, String> = engine
        .topics()
        .await?
        .into_iter()
        .map(|t| (t.topic.id, t.topic.name))
        .collect();
    let mut rng = StdRng::seed_from_u64(seed ^ 0xca5e);
    let cast = Cast::of(users);
    let mut summary = WorkSummary::default();
    let plans = plans(fresh.len(), &mut rng);
    for (item, plan) in fresh.iter().zip(plans) {
        let Some(record) = care.case(item.id).await? else {
            continue;
        };
        work_one(
            &care,
            &cast,
            &record,
            item,
            plan,
            &topic_names,
            now,
            &mut rng,
            &mut summary,
        )
        .await?;
        summary.worked += 1;
    }
    if let Some(last) = fresh.iter().map(|i| i.id.0).max() {
        cs.settings()
            .set_care_setting(&CareSetting::DemoWorkedThrough(CaseId(last.max(done))))
            .await?;
    }
    // Clocks of every active case, read at the real now.
    for item in active_cases(&care).await? {
        care.refresh_sla(item.id, now).await?;
    }
    if summary.worked > 0 {
        show_one_at_risk(&care, &cast, now).await?;
    }
    Ok(summary)
}

/// Every active case, oldest activity first.
async fn active_cases(care: &Care) -> Result<Vec<InboxItem>> {
    let mut out = Vec::new();
    let mut start = PageStart::First;
    loop {
        let page = care
            .inbox(&InboxQuery {
                view: InboxView::AllOpen,
                sort: InboxSort::Oldest,
                limit: 500,
                start,
            })
            .await?;
        out.extend(page.items);
        match page.next {
            Some(cursor) => start = PageStart::After(cursor),
            None => return Ok(out),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn work_one(
    care: &Care,
    cast: &Cast<'_>,
    record: &CaseRecord,
    item: &InboxItem,
    plan: Plan,
    topic_names: &HashMap<TopicId, String>,
    now: DateTime<Utc>,
    rng: &mut StdRng,
    summary: &mut WorkSummary,
) -> Result<()> {
    // A case the customer took back from pending is open already; an agent picks it up.
    let plan = match plan {
        Plan::New if record.case.status == CaseStatus::Open => Plan::Open { reply: false },
        plan => plan,
    };
    if plan == Plan::New {
        return Ok(());
    }
    let id = item.id;
    let agent = cast.agent_for(item, rng);
    let by = agent.id;
    let mut t = Steps {
        at: record.last_activity_at.min(now),
        now,
        rng,
    };
    if record.case.assignee != Some(by) {
        care.assign(id, Some(by), by, t.next(3, 60)).await?;
    }
    if record.case.status != CaseStatus::Open {
        care.apply(id, CaseAction::Open, by, t.next(1, 10)).await?;
    }
    care.add_tag(id, "demo", by, t.next(0, 2)).await?;
    let topics: Vec<&str> = record
        .topics
        .iter()
        .filter_map(|t| topic_names.get(t).map(String::as_str))
        .collect();
    for name in &topics {
        if let Some(tag) = name.split_whitespace().next() {
            care.add_tag(id, &tag.to_lowercase(), by, t.next(0, 2))
                .await?;
        }
    }
    // Triage: outages go up to high at least, praise that routing thought normal goes down to
    // low; what the classifier found urgent stays urgent.
    let current = record.case.priority;
    let priority = if topics.contains(&"Outages") && current < Priority::High {
        Some(Priority::High)
    } else if topics.contains(&"Praise") && current == Priority::Normal {
        Some(Priority::Low)
    } else {
        None
    };
    if let Some(p) = priority {
        care.set_priority(id, p, by, t.next(0, 3)).await?;
    }
    let busy = matches!(plan, Plan::Open { .. } | Plan::Pending);
    if busy || t.rng.random_range(0..100) < 25 {
        let note = NOTES.choose(t.rng).expect("notes");
        care.add_note(id, by, note, t.next(1, 20)).await?;
        summary.notes += 1;
    }
    match plan {
        Plan::New => {}
        Plan::Open { reply } => {
            if reply {
                queue(care, id, agent, &topics, t.next(2, 15), summary).await?;
            }
        }
        Plan::Pending => {
            queue(care, id, agent, &topics, t.next(2, 15), summary).await?;
            care.apply(id, CaseAction::AwaitCustomer, by, t.next(0, 2))
                .await?;
        }
        Plan::Reopened => {
            care.apply(id, CaseAction::Resolve, by, t.next(10, 240))
                .await?;
            let back = now - TimeDelta::minutes(t.rng.random_range(60..=300));
            care.apply(id, CaseAction::Reopen, by, t.jump_to(back))
                .await?;
            let note = REOPEN_NOTES.choose(t.rng).expect("notes");
            care.add_note(id, by, note, t.next(0, 5)).await?;
            let record = care.case(id).await?.ok_or(CareError::NoSuchCase(id))?;
            if record.case.priority < Priority::High {
                care.set_priority(id, Priority::High, by, t.next(0, 2))
                    .await?;
            }
            summary.notes += 1;
            summary.reopened += 1;
        }
        Plan::Resolved | Plan::Closed { .. } => {
            let resolved = care
                .apply(id, CaseAction::Resolve, by, t.next(10, 240))
                .await?;
            let mut resolved_at = resolved.case.status_since;
            if plan
                == (Plan::Closed {
                    reopened_first: true,
                })
            {
                care.apply(id, CaseAction::Reopen, by, t.next(120, 1200))
                    .await?;
                let note = REOPEN_NOTES.choose(t.rng).expect("notes");
                care.add_note(id, by, note, t.next(0, 5)).await?;
                resolved_at = care
                    .apply(id, CaseAction::Resolve, by, t.next(60, 480))
                    .await?
                    .case
                    .status_since;
                summary.notes += 1;
                summary.reopened += 1;
            }
            if matches!(plan, Plan::Closed { .. }) {
                // Resolved cases are archived after two quiet days.
                let close_at = t.jump_to(resolved_at + TimeDelta::days(2));
                care.apply(id, CaseAction::Close, cast.admin.id, close_at)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Queues the saved reply that fits the case, rendered for it, in the outbox.
async fn queue(
    care: &Care,
    id: CaseId,
    agent: &User,
    topics: &[&str],
    at: DateTime<Utc>,
    summary: &mut WorkSummary,
) -> Result<()> {
    let name = if topics.iter().any(|t| t.starts_with("Refunds")) {
        SAVED_REPLIES[1].0
    } else if topics.contains(&"Outages") {
        SAVED_REPLIES[2].0
    } else if topics.contains(&"Praise") {
        SAVED_REPLIES[3].0
    } else {
        SAVED_REPLIES[0].0
    };
    let agent_vars = PersonVars {
        name: Some(agent.display_name.clone()),
        first_name: None,
    };
    let body = care.render_saved_reply(name, id, agent_vars, None).await?;
    match care
        .queue_reply(id, agent.id, &body, &format!("demo-{id}-1"), at)
        .await
    {
        Ok(_) => summary.queued_replies += 1,
        // A reply too long for the network stays unsent; the case is still worked.
        Err(CareError::TooLong { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// When no active case is at risk right now, raises or lowers the priority of one whose
/// clocks would then be at risk, as an agent re-triaging the queue would, so the demo's inbox
/// shows the at-risk marker next to breached and fine cases.
async fn show_one_at_risk(care: &Care, cast: &Cast<'_>, now: DateTime<Utc>) -> Result<()> {
    let active = active_cases(care).await?;
    if active.iter().any(|i| i.sla_state == Some(SlaState::AtRisk)) {
        return Ok(());
    }
    let policy = policy();
    for item in active.iter().rev() {
        let Some(report) = care.sla_report(item.id, now).await? else {
            continue;
        };
        let open: Vec<_> = report
            .readings()
            .filter(|r| r.phase != ClockPhase::Completed)
            .collect();
        if open.is_empty() {
            continue;
        }
        let fits = Priority::ALL.into_iter().find(|p| {
            let worst = open
                .iter()
                .filter_map(|r| {
                    let goal = policy.target(*p, r.target)?;
                    Some(SlaState::of(r.elapsed, goal, policy.at_risk_fraction()))
                })
                .max();
            worst == Some(SlaState::AtRisk)
        });
        if let Some(p) = fits {
            let by = item.assignee.unwrap_or(cast.admin.id);
            care.set_priority(item.id, p, by, now).await?;
            return Ok(());
        }
    }
    Ok(())
}

/// How many cases stand in each status, and how many active ones are at risk or breached.
#[derive(Debug, Clone, Default)]
pub struct Census {
    pub by_status: BTreeMap<&'static str, u64>,
    pub at_risk: u64,
    pub breached: u64,
}

/// Counts every case of the workspace (ids are dense; a short gap is allowed for cases a
/// retried transaction never wrote).
pub async fn census(care: &Care) -> Result<Census> {
    let mut census = Census::default();
    for status in CaseStatus::ALL {
        census.by_status.insert(status.as_str(), 0);
    }
    let mut misses = 0;
    let mut id = 1;
    while misses < 64 {
        match care.case(CaseId(id)).await? {
            Some(r) => {
                misses = 0;
                *census.by_status.entry(r.case.status.as_str()).or_default() += 1;
                if r.case.status.is_active() {
                    match r.sla.state {
                        Some(SlaState::AtRisk) => census.at_risk += 1,
                        Some(SlaState::Breached) => census.breached += 1,
                        _ => {}
                    }
                }
            }
            None => misses += 1,
        }
        id += 1;
    }
    Ok(census)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_gets_cases_even_in_a_small_workspace() {
        let mut rng = StdRng::seed_from_u64(1);
        let p = plans(12, &mut rng);
        assert_eq!(p.len(), 12);
        assert_eq!(p.last(), Some(&Plan::New), "the newest case is left new");
        for want in [
            |p: &Plan| matches!(p, Plan::Open { .. }),
            |p: &Plan| *p == Plan::Pending,
            |p: &Plan| *p == Plan::Reopened,
            |p: &Plan| *p == Plan::Resolved,
            |p: &Plan| matches!(p, Plan::Closed { .. }),
        ] {
            assert!(p.iter().any(want), "{p:?}");
        }
        let big = plans(700, &mut rng);
        let active = big
            .iter()
            .filter(|p| matches!(p, Plan::New | Plan::Open { .. } | Plan::Pending))
            .count();
        assert!(
            active <= 37,
            "a worked inbox keeps few cases active: {active}"
        );
    }

    #[test]
    fn the_policy_and_calendar_are_valid() {
        let p = policy();
        assert_eq!(
            p.target(Priority::Urgent, rapport_domain::SlaTarget::FirstResponse),
            Some(TimeDelta::minutes(30))
        );
        assert!(p.business_hours());
        let c = calendar();
        assert!(c.hours(chrono::Weekday::Sat).is_empty());
        for (_, _, body) in SAVED_REPLIES {
            rapport_domain::Template::parse(body).unwrap();
        }
    }
}
