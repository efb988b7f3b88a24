//! A brand's reply seen on the network is the agent's reply on its case (it stops the
//! first-response clock and leaves the case waiting on the customer), and importing history
//! settles old conversations instead of filling the inbox: both on the real twcs threads.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{TestEngine, data, engine_with, import};
use rapport_connectors::Format;
use rapport_domain::care::{CasePost, CaseRecord, RoutingRules};
use rapport_domain::{
    Actor, CaseAction, CaseChange, CaseEvent, CaseId, CaseStatus, ClockPhase, Priority, SlaPolicy,
    SlaState, Targets,
};
use rapport_engine::EngineConfig;
use std::collections::HashMap;

/// A case with its posts (oldest first) and audit log.
struct Seen {
    record: CaseRecord,
    posts: Vec<CasePost>,
    events: Vec<CaseEvent>,
}

/// Imports twcs_head_5000.csv under a one-day first-response policy and reads every case back.
async fn import_twcs(settle_history: bool) -> (TestEngine, Vec<Seen>) {
    let engine = engine_with(EngineConfig {
        settle_history,
        ..EngineConfig::default()
    })
    .await;
    let mut policy = SlaPolicy::new("a day");
    for p in Priority::ALL {
        let targets = Targets {
            first_response: Some(TimeDelta::days(1)),
            ..Targets::default()
        };
        policy = policy.with_targets(p, targets).unwrap();
    }
    let store = engine.store().clone();
    store.settings().put_sla_policy(&policy).await.unwrap();
    let care = engine.care();
    care.set_rules(&RoutingRules {
        default_sla_policy: Some("a day".into()),
        ..RoutingRules::default()
    })
    .await
    .unwrap();
    let (summary, rejects) = import(&engine, Format::Twcs, &data("twcs/twcs_head_5000.csv")).await;
    assert!(rejects.is_empty() && summary.imported == 5_000);
    let total = engine.stats().await.unwrap().cases;
    // The import says how many cases came in resolved: all of them, or none.
    let settled = if settle_history { total } else { 0 };
    assert_eq!(summary.settled_history, settled);
    let mut cases = Vec::new();
    // Case ids are handed out from 1 up; every case is read, whatever its status.
    for id in 1..=total as i64 {
        let record = care
            .case(CaseId(id))
            .await
            .unwrap()
            .expect("case ids run 1..n");
        let mut posts = store.cases().case_posts(CaseId(id)).await.unwrap();
        posts.sort_by_key(|p| (p.at, p.post_id));
        let events = store.cases().case_events(CaseId(id)).await.unwrap();
        cases.push(Seen {
            record,
            posts,
            events,
        });
    }
    (engine, cases)
}

/// The brand's first reply since the case opened (a thread merged late may hold an older one).
fn first_agent_reply(c: &Seen) -> Option<DateTime<Utc>> {
    c.posts
        .iter()
        .find(|p| !p.from_customer && p.at >= c.record.case.opened_at)
        .map(|p| p.at)
}

#[tokio::test]
async fn brand_replies_in_an_import_leave_cases_pending_with_the_first_response_met() {
    let (engine, cases) = import_twcs(false).await;
    let care = engine.care();
    assert!(cases.len() > 1_000, "{}", cases.len());
    let mut by_status: HashMap<CaseStatus, usize> = HashMap::new();
    let mut answered_last = 0;
    for c in &cases {
        let id = c.record.case.id;
        *by_status.entry(c.record.case.status).or_default() += 1;
        let Some(first_reply) = first_agent_reply(c) else {
            assert_eq!(
                c.record.case.status,
                CaseStatus::New,
                "case {id}: unanswered"
            );
            continue;
        };
        // A brand reply moved the case to pending, by the system, at the reply's time.
        let agent_times: Vec<_> = c
            .posts
            .iter()
            .filter(|p| !p.from_customer)
            .map(|p| p.at)
            .collect();
        let pending_moves: Vec<&CaseEvent> = c
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.change,
                    CaseChange::Status {
                        to: CaseStatus::Pending,
                        action: CaseAction::AwaitCustomer,
                        ..
                    }
                )
            })
            .collect();
        assert!(
            pending_moves.iter().all(|e| e.actor == Actor::System
                && agent_times.contains(&e.at)
                && e.at >= c.record.case.opened_at),
            "case {id}"
        );
        // (Posts found out of time order may make a later reply the one that moved it.)
        assert!(!pending_moves.is_empty(), "case {id} never went pending");
        // The first response is recorded at the reply's time, within the day's goal.
        let sla = care.sla_report(id, Utc::now()).await.unwrap().unwrap();
        let fr = sla.first_response.unwrap();
        assert_eq!(fr.phase, ClockPhase::Completed, "case {id}");
        assert_eq!(fr.stopped_at, Some(first_reply), "case {id}");
        let met = first_reply - c.record.case.opened_at <= TimeDelta::days(1);
        assert_eq!(fr.state == SlaState::Ok, met, "case {id}");
        // Waiting on the customer when the brand had the last word; a customer who wrote
        // after the brand's reply took the case back.
        let last = c.posts.last().unwrap();
        if !last.from_customer {
            answered_last += 1;
            assert_eq!(c.record.case.status, CaseStatus::Pending, "case {id}");
        } else {
            assert_eq!(c.record.case.status, CaseStatus::Open, "case {id}");
        }
    }
    assert!(answered_last > 800, "{answered_last} {by_status:?}");
    assert!(by_status[&CaseStatus::Open] > 50, "{by_status:?}");
}

#[tokio::test]
async fn an_import_settles_history_unless_asked_to_open_it() {
    let (settled_engine, settled) = import_twcs(true).await;
    let (open_engine, open) = import_twcs(false).await;
    // The same threads become cases either way.
    assert_eq!(settled.len(), open.len());
    assert!(open.len() > 1_000);
    let active = |cases: &[Seen]| {
        cases
            .iter()
            .filter(|c| c.record.case.status.is_active())
            .count()
    };
    // Opened as history is (2017 threads): every one is active, as before.
    assert_eq!(active(&open), open.len());
    assert_eq!(
        open_engine.care().counts(None).await.unwrap().all_open,
        open.len() as u64
    );
    // Settled: none waits in the inbox; each is resolved at its latest post, by the system.
    assert_eq!(active(&settled), 0);
    assert_eq!(
        settled_engine.care().counts(None).await.unwrap().all_open,
        0
    );
    for c in &settled {
        let id = c.record.case.id;
        assert_eq!(c.record.case.status, CaseStatus::Resolved, "case {id}");
        let last = c.posts.last().unwrap().at;
        assert_eq!(c.record.last_activity_at, last, "case {id}");
        assert_eq!(c.record.case.status_since, last, "case {id}");
        let resolved = c.events.iter().rev().find(|e| {
            matches!(
                e.change,
                CaseChange::Status {
                    to: CaseStatus::Resolved,
                    ..
                }
            )
        });
        assert_eq!(
            resolved.map(|e| (e.at, e.actor)),
            Some((last, Actor::System)),
            "case {id}"
        );
    }
    // The figures are kept: each thread's case holds the same posts and first response.
    let key = |c: &Seen| c.posts.first().map(|p| p.at);
    let mut by_start: HashMap<_, Vec<&Seen>> = HashMap::new();
    for c in &open {
        by_start.entry(key(c)).or_default().push(c);
    }
    for c in &settled {
        let twin = by_start[&key(c)].iter().find(|o| {
            o.posts.len() == c.posts.len() && first_agent_reply(o) == first_agent_reply(c)
        });
        assert!(twin.is_some(), "case {} has no twin", c.record.case.id);
    }
    let posts = |cases: &[Seen]| cases.iter().map(|c| c.posts.len()).sum::<usize>();
    assert_eq!(posts(&settled), posts(&open));
    let answered = |cases: &[Seen]| {
        cases
            .iter()
            .filter(|c| first_agent_reply(c).is_some())
            .count()
    };
    assert_eq!(answered(&settled), answered(&open));
    assert!(answered(&settled) > 900);
}

/// Imports twcs_head_5000.csv with a default team of two agents that takes cases in turn.
async fn import_with_team(
    settle_history: bool,
) -> (TestEngine, Vec<Option<rapport_domain::UserId>>) {
    use rapport_engine::accounts::{Accounts, AccountsConfig};
    let engine = engine_with(EngineConfig {
        settle_history,
        ..EngineConfig::default()
    })
    .await;
    let accounts = Accounts::new(engine.store().clone(), AccountsConfig::default());
    let admin = accounts
        .setup_first_admin("admin", "", "correct-horse-7")
        .await
        .unwrap();
    let agent = accounts
        .create_user("agent", "", rapport_domain::Role::Agent, "correct-horse-7")
        .await
        .unwrap();
    let care = engine.care();
    let team = care
        .save_team(
            None,
            &rapport_domain::care::TeamSpec {
                name: "Care".into(),
                members: vec![agent.id, admin.id],
                calendar: rapport_domain::BusinessCalendar::always_open(
                    rapport_domain::BusinessCalendar::parse_tz("UTC").unwrap(),
                ),
                sla_policy: None,
            },
        )
        .await
        .unwrap();
    care.set_rules(&RoutingRules {
        default_team: Some(team.id),
        round_robin: true,
        ..RoutingRules::default()
    })
    .await
    .unwrap();
    import(&engine, Format::Twcs, &data("twcs/twcs_head_5000.csv")).await;
    let total = engine.stats().await.unwrap().cases;
    let mut assignees = Vec::new();
    for id in 1..=total as i64 {
        let record = care.case(CaseId(id)).await.unwrap().unwrap();
        assert_eq!(record.case.team, Some(team.id), "case {id} is the team's");
        assignees.push(record.case.assignee);
    }
    (engine, assignees)
}

#[tokio::test]
async fn history_comes_in_unassigned_and_live_threads_go_round_the_team() {
    let (_settled, history) = import_with_team(true).await;
    assert!(history.len() > 1_000);
    assert!(
        history.iter().all(Option::is_none),
        "{} history cases were handed to an agent",
        history.iter().filter(|a| a.is_some()).count()
    );
    // Opened as live work, the same threads are handed out in turn.
    let (_open, live) = import_with_team(false).await;
    assert_eq!(live.len(), history.len());
    assert!(live.iter().all(Option::is_some));
    let mut seen: Vec<_> = live.iter().flatten().collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 2, "both members take cases");
}
