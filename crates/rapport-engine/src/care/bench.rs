//! `rapport bench inbox`: inbox list and case page server time with many cases stored.
//!
//! The store is built first, outside the clock: real posts are ingested and routed (so real
//! conversations, contacts and cases exist), then `cases` cases are generated on those
//! conversations and written with the bulk path, each with its opening post and audit events.
//! A share of them (`active_per_mille`) is still active, the rest resolved or closed, as in an
//! inbox that has been worked for years. Then every view (mine, unassigned, team, all open,
//! at-risk, by topic, by priority) is listed with every sort, first pages, keyset next pages
//! and offset pages, and case pages are opened; each call is timed on its own. The planner's
//! statistics are refreshed after the bulk load, as an operator would after an import.

use super::{Care, CareError};
use crate::Result;
use crate::{Engine, EngineConfig};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rapport_domain::care::{
    BulkCase, CasePost, CaseRecord, CaseSla, InboxQuery, InboxSort, InboxView, PageStart, TeamSpec,
};
use rapport_domain::{
    Actor, BusinessCalendar, Case, CaseAction, CaseId, OpenWindow, Post, Priority, SlaPolicy,
    SlaState, Targets, TopicId, TopicOptions, UserId,
};
use rapport_store::Store;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct InboxBenchSpec {
    pub cases: usize,
    /// Active (new, open, pending) cases per thousand.
    pub active_per_mille: u32,
    /// Timed calls per kind (inbox lists, case pages); counts get a quarter of it.
    pub samples: usize,
    pub page_size: u32,
    pub seed: u64,
}

impl Default for InboxBenchSpec {
    fn default() -> Self {
        InboxBenchSpec {
            cases: 1_000_000,
            active_per_mille: 100,
            samples: 400,
            page_size: 50,
            seed: 7,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    /// The percentiles of `ms`, one timed call each.
    pub fn of(mut ms: Vec<f64>) -> Latency {
        if ms.is_empty() {
            return Latency::default();
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
        Latency {
            samples: ms.len(),
            p50_ms: at(0.50),
            p95_ms: at(0.95),
            max_ms: ms[ms.len() - 1],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ViewLatency {
    pub view: String,
    #[serde(flatten)]
    pub latency: Latency,
}

#[derive(Debug, Clone, Serialize)]
pub struct InboxBenchReport {
    pub store: String,
    pub cases: u64,
    pub active_cases: u64,
    pub seed_posts: usize,
    /// Cases that routing opened from the seed posts.
    pub routed_cases: u64,
    pub build_seconds: f64,
    pub page_size: u32,
    /// Every inbox list call (all views, sorts, first, keyset and offset pages).
    pub inbox_list: Latency,
    pub inbox_by_view: Vec<ViewLatency>,
    pub inbox_counts: Latency,
    /// Case record, posts, audit log, notes, replies and contact.
    pub case_page: Latency,
}

/// splitmix64: a small, seeded generator so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const AGENTS: i64 = 40;
const TEAMS: usize = 4;
const TOPICS: [(&str, &str); 4] = [
    ("bench refunds", "refund OR money"),
    ("bench delivery", "delivery OR package OR order"),
    ("bench accounts", "password OR login OR account"),
    ("bench outages", "down OR outage OR \"not working\""),
];

/// Builds the store and measures it. `store` should be empty.
pub async fn run(
    spec: &InboxBenchSpec,
    seeds: Vec<Post>,
    store: Arc<dyn Store>,
) -> Result<InboxBenchReport> {
    let started = Instant::now();
    let care = Care::new(store.clone());
    let policy = SlaPolicy::new("bench")
        .with_targets(
            Priority::Normal,
            Targets {
                first_response: Some(TimeDelta::hours(4)),
                next_response: Some(TimeDelta::hours(8)),
                resolution: Some(TimeDelta::hours(48)),
            },
        )
        .map_err(|e| CareError::invalid("policy", e.to_string()))?;
    store.settings().put_sla_policy(&policy).await?;
    let utc = BusinessCalendar::parse_tz("UTC").expect("UTC is a time zone");
    let hours = OpenWindow::hm(8, 0, 20, 0).expect("08:00-20:00 is a window");
    let calendar = BusinessCalendar::closed(utc)
        .with_weekday_hours(&[hours])
        .expect("one window a day does not overlap");
    let mut teams = Vec::new();
    for t in 0..TEAMS {
        let members = (0..AGENTS / TEAMS as i64)
            .map(|i| UserId(1 + t as i64 * (AGENTS / TEAMS as i64) + i))
            .collect();
        let team = store
            .settings()
            .put_team(&TeamSpec {
                name: format!("bench team {t}"),
                members,
                calendar: calendar.clone(),
                sla_policy: Some("bench".into()),
            })
            .await?;
        teams.push(team.id);
    }
    let mut topics = Vec::new();
    for (name, query) in TOPICS {
        topics.push(
            store
                .topics()
                .add_topic(name, query, &TopicOptions::default())
                .await?
                .id,
        );
    }
    let seed_posts = seeds.len();
    let engine = Engine::new(store.clone(), EngineConfig::default()).await?;
    engine.ingest_posts(seeds).await?;
    let routed = care.counts(None).await?.all_open;

    // The conversations and customers generated cases sit on: customer posts of the seeds.
    let mut anchors = Vec::new();
    let mut after = None;
    loop {
        let page = store.posts().scan_posts(after, 5_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        anchors.extend(page.into_iter().filter(|p| !p.from_own_account));
    }
    if anchors.is_empty() {
        return Err(CareError::invalid("seeds", "no customer posts to build cases on").into());
    }
    let mut rng = Rng(spec.seed);
    let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut stored = 0u64;
    let mut active = 0u64;
    let mut chunk = Vec::with_capacity(5_000);
    for _ in 0..spec.cases {
        let a = &anchors[rng.below(anchors.len() as u64) as usize];
        let bulk = generate(&mut rng, spec, a, &teams, &topics, base);
        active += u64::from(bulk.record.case.status.is_active());
        chunk.push(bulk);
        if chunk.len() == 5_000 {
            stored += store.cases().bulk_insert_cases(&chunk).await?;
            chunk.clear();
        }
    }
    stored += store.cases().bulk_insert_cases(&chunk).await?;
    store.cases().analyze().await?;
    let build_seconds = started.elapsed().as_secs_f64();

    let mut by_view: Vec<(String, Vec<f64>)> = Vec::new();
    let mut all = Vec::new();
    let sorts = [
        InboxSort::Priority,
        InboxSort::SlaDue,
        InboxSort::Newest,
        InboxSort::Oldest,
    ];
    for i in 0..spec.samples {
        let view = match i % 7 {
            0 => InboxView::Mine(UserId(1 + rng.below(AGENTS as u64) as i64)),
            1 => InboxView::Unassigned,
            2 => InboxView::Team(teams[rng.below(teams.len() as u64) as usize]),
            3 => InboxView::AllOpen,
            4 => InboxView::AtRisk,
            5 => InboxView::Topic(topics[rng.below(topics.len() as u64) as usize]),
            _ => InboxView::Priority(Priority::ALL[rng.below(4) as usize]),
        };
        let sort = sorts[(i / 7) % 4];
        let mut query = InboxQuery {
            view,
            sort,
            limit: spec.page_size,
            start: PageStart::First,
        };
        let mut times = Vec::new();
        let t = Instant::now();
        let first = care.inbox(&query).await?;
        times.push(ms(t));
        if let Some(next) = first.next {
            query.start = PageStart::After(next);
            let t = Instant::now();
            care.inbox(&query).await?;
            times.push(ms(t));
        }
        query.start = PageStart::Offset(spec.page_size * 4);
        let t = Instant::now();
        care.inbox(&query).await?;
        times.push(ms(t));
        let name = view_name(view);
        match by_view.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => v.extend(&times),
            None => by_view.push((name, times.clone())),
        }
        all.extend(times);
    }
    let mut counts = Vec::new();
    for _ in 0..(spec.samples / 4).max(1) {
        let me = UserId(1 + rng.below(AGENTS as u64) as i64);
        let t = Instant::now();
        care.counts(Some(me)).await?;
        counts.push(ms(t));
    }
    let mut pages = Vec::new();
    for _ in 0..spec.samples {
        let id = CaseId(1 + rng.below(stored + routed) as i64);
        let t = Instant::now();
        care.case_page(id).await?;
        pages.push(ms(t));
    }
    Ok(InboxBenchReport {
        store: format!("{:?}", store.backend()).to_lowercase(),
        cases: stored + routed,
        active_cases: active + routed,
        seed_posts,
        routed_cases: routed,
        build_seconds,
        page_size: spec.page_size,
        inbox_list: Latency::of(all),
        inbox_by_view: by_view
            .into_iter()
            .map(|(view, v)| ViewLatency {
                view,
                latency: Latency::of(v),
            })
            .collect(),
        inbox_counts: Latency::of(counts),
        case_page: Latency::of(pages),
    })
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1_000.0
}

fn view_name(v: InboxView) -> String {
    match v {
        InboxView::Mine(_) => "mine",
        InboxView::Unassigned => "unassigned",
        InboxView::Team(_) => "team",
        InboxView::AllOpen => "all_open",
        InboxView::AtRisk => "at_risk",
        InboxView::Topic(_) => "topic",
        InboxView::Priority(_) => "priority",
    }
    .to_string()
}

/// One generated case on a real customer post, with its opening events and, for cases that
/// moved on, the status changes that got them there.
fn generate(
    rng: &mut Rng,
    spec: &InboxBenchSpec,
    anchor: &rapport_domain::StoredPost,
    teams: &[rapport_domain::TeamId],
    topics: &[TopicId],
    base: DateTime<Utc>,
) -> BulkCase {
    let opened = base + TimeDelta::seconds(rng.below(365 * 86_400) as i64);
    let priority = match rng.below(100) {
        0..=4 => Priority::Urgent,
        5..=19 => Priority::High,
        20..=84 => Priority::Normal,
        _ => Priority::Low,
    };
    let (mut case, ev) = Case::open(
        CaseId(0),
        anchor.conversation_id,
        anchor.contact_id,
        priority,
        Actor::System,
        opened,
    );
    let mut events = vec![
        ev,
        case.join_post(anchor.id, Actor::Customer(anchor.contact_id), opened),
    ];
    let team = teams[rng.below(teams.len() as u64) as usize];
    events.extend(case.set_team(Some(team), Actor::System, opened));
    if rng.below(4) > 0 {
        let agent = UserId(1 + rng.below(AGENTS as u64) as i64);
        events.extend(case.assign(Some(agent), Actor::System, opened));
    }
    let is_active = rng.below(1_000) < u64::from(spec.active_per_mille);
    let later = opened + TimeDelta::minutes(5 + rng.below(2_000) as i64);
    let actions: &[CaseAction] = match (is_active, rng.below(3)) {
        (true, 0) => &[],
        (true, 1) => &[CaseAction::Open],
        (true, _) => &[CaseAction::Open, CaseAction::AwaitCustomer],
        (false, 0) => &[CaseAction::Resolve],
        (false, _) => &[CaseAction::Open, CaseAction::Resolve, CaseAction::Close],
    };
    for action in actions {
        events.extend(case.apply(*action, Actor::System, later).ok().flatten());
    }
    let due = opened + TimeDelta::hours(4 + rng.below(72) as i64);
    let state = match rng.below(10) {
        0 => SlaState::Breached,
        1 | 2 => SlaState::AtRisk,
        _ => SlaState::Ok,
    };
    let running = case.status.clocks_run();
    let record = CaseRecord {
        network: anchor.post.network,
        version: 0,
        sla: CaseSla {
            first_response_due: Some(due),
            next_response_due: None,
            resolution_due: Some(due + TimeDelta::hours(44)),
            state: case.status.is_active().then_some(state),
            next_due: running.then_some(due),
            at_risk_at: None,
            evaluated_at: Some(later),
        },
        last_customer_post_at: Some(opened),
        last_agent_reply_at: None,
        last_activity_at: later,
        topics: if rng.below(3) == 0 {
            vec![topics[rng.below(topics.len() as u64) as usize]]
        } else {
            Vec::new()
        },
        preview: anchor.post.text.chars().take(160).collect(),
        case,
    };
    BulkCase {
        record,
        posts: vec![CasePost {
            post_id: anchor.id,
            at: opened,
            from_customer: true,
        }],
        events,
    }
}
