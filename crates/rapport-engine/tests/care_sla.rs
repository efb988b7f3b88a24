//! SLA clocks on a team's business calendar (Europe/Berlin, weekdays 09:00-17:00): counted
//! over the weekend gap, at risk and breached at the right instants, stopped by a brand reply,
//! paused while pending; and the sweep that refreshes states as time passes.

#[path = "care_kit/mod.rs"]
mod care_kit;

use care_kit::{kit, post, reply, t};
use chrono::TimeDelta;
use rapport_domain::care::{InboxQuery, InboxSort, InboxView, PageStart, TeamSpec};
use rapport_domain::{
    BusinessCalendar, CaseAction, ClockPhase, OpenWindow, Priority, SlaPolicy, SlaState, Targets,
    UserId,
};
use rapport_engine::care::{ChangeKind, RoutingRules, SlaSweeper};

async fn setup(k: &care_kit::Kit) {
    let targets = Targets {
        first_response: Some(TimeDelta::hours(2)),
        next_response: Some(TimeDelta::hours(1)),
        resolution: Some(TimeDelta::hours(16)),
    };
    let mut policy = SlaPolicy::new("standard");
    for p in Priority::ALL {
        policy = policy.with_targets(p, targets).unwrap();
    }
    let store = k.engine.store().as_ref();
    store.settings().put_sla_policy(&policy).await.unwrap();
    let berlin = BusinessCalendar::parse_tz("Europe/Berlin").unwrap();
    let calendar = BusinessCalendar::closed(berlin)
        .with_weekday_hours(&[OpenWindow::hm(9, 0, 17, 0).unwrap()])
        .unwrap();
    let team = store
        .settings()
        .put_team(&TeamSpec {
            name: "europe".into(),
            members: vec![],
            calendar,
            sla_policy: Some("standard".into()),
        })
        .await
        .unwrap();
    k.care
        .set_rules(&RoutingRules {
            default_team: Some(team.id),
            ..RoutingRules::default()
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn first_response_counts_business_hours_across_the_weekend() {
    let k = kit().await;
    setup(&k).await;
    // Friday 1 March 2024, 15:00 UTC = 16:00 in Berlin: one business hour left that day.
    k.send(vec![post(
        "1",
        "alice",
        "@brand the app crashes",
        t(0, 15, 0),
    )])
    .await;
    let id = k.case_of("1").await.unwrap();
    // Monday 08:30 UTC = 09:30 Berlin: 1 h 30 of the 2 h used; at risk from 80% (1 h 36).
    let c = k.care.refresh_sla(id, t(3, 8, 30)).await.unwrap();
    assert_eq!(c.sla.state, Some(SlaState::Ok));
    assert_eq!(c.sla.first_response_due, Some(t(3, 9, 0)));
    assert_eq!(c.sla.next_due, Some(t(3, 9, 0)));
    assert_eq!(c.sla.at_risk_at, Some(t(3, 8, 36)));

    // The sweep picks the case up once it is at risk, and the at-risk view shows it.
    assert_eq!(k.care.refresh_stale_sla(t(3, 8, 35)).await.unwrap(), 0);
    assert_eq!(k.care.refresh_stale_sla(t(3, 8, 40)).await.unwrap(), 1);
    let c = k.care.case(id).await.unwrap().unwrap();
    assert_eq!(c.sla.state, Some(SlaState::AtRisk));
    let q = InboxQuery {
        view: InboxView::AtRisk,
        sort: InboxSort::SlaDue,
        limit: 10,
        start: PageStart::First,
    };
    assert_eq!(k.care.inbox(&q).await.unwrap().items[0].id, id);
    assert_eq!(k.care.refresh_stale_sla(t(3, 9, 1)).await.unwrap(), 1);
    assert_eq!(
        k.care.case(id).await.unwrap().unwrap().sla.state,
        Some(SlaState::Breached)
    );

    // The brand's reply at 08:50 UTC (1 h 50 used) met the first-response target.
    k.send(vec![reply(
        "2",
        "brand",
        "1",
        "@alice sorry, which version?",
        t(3, 8, 50),
    )])
    .await;
    let report = k.care.sla_report(id, t(3, 9, 30)).await.unwrap().unwrap();
    let first = report.first_response.unwrap();
    assert_eq!(
        (first.phase, first.state),
        (ClockPhase::Completed, SlaState::Ok)
    );
    assert_eq!(first.stopped_at, Some(t(3, 8, 50)));
    assert_eq!(first.elapsed, TimeDelta::minutes(110));
    assert!(
        report.next_response.is_none(),
        "the customer has not written since"
    );
    let c = k.care.refresh_sla(id, t(3, 9, 30)).await.unwrap();
    assert_eq!(
        c.sla.state,
        Some(SlaState::Ok),
        "only the resolution clock is open"
    );
    assert_eq!(c.last_agent_reply_at, Some(t(3, 8, 50)));
    // The customer writes again: the next-response clock starts (1 h).
    k.send(vec![reply(
        "3",
        "alice",
        "2",
        "@brand version 5.1",
        t(3, 10, 0),
    )])
    .await;
    let c = k.care.refresh_sla(id, t(3, 10, 30)).await.unwrap();
    assert_eq!(c.sla.next_response_due, Some(t(3, 11, 0)));
    assert_eq!(c.sla.next_due, Some(t(3, 11, 0)));
}

#[tokio::test]
async fn pending_pauses_the_clocks() {
    let k = kit().await;
    setup(&k).await;
    k.send(vec![post(
        "1",
        "bob",
        "@brand where is my parcel",
        t(0, 15, 0),
    )])
    .await;
    let id = k.case_of("1").await.unwrap();
    k.care
        .apply(id, CaseAction::AwaitCustomer, UserId(1), t(0, 15, 30))
        .await
        .unwrap();
    let c = k.care.refresh_sla(id, t(5, 12, 0)).await.unwrap();
    assert_eq!(
        c.sla.state,
        Some(SlaState::Ok),
        "30 minutes counted, then paused"
    );
    assert_eq!(c.sla.next_due, None, "no clock runs while pending");
    let report = k.care.sla_report(id, t(5, 12, 0)).await.unwrap().unwrap();
    let first = report.first_response.unwrap();
    assert_eq!(
        (first.phase, first.elapsed),
        (ClockPhase::Paused, TimeDelta::minutes(30))
    );
    // The customer answers on Wednesday 10:00 UTC (11:00 Berlin): the clock runs again with
    // 1 h 30 left, so it is due at 11:30 UTC.
    k.send(vec![reply(
        "2",
        "bob",
        "1",
        "@brand here is the number",
        t(5, 10, 0),
    )])
    .await;
    let c = k.care.refresh_sla(id, t(5, 10, 10)).await.unwrap();
    assert_eq!(c.sla.first_response_due, Some(t(5, 11, 30)));
}

/// A server's sweeper, on a clock the test moves: the case turns at risk and then breached with
/// nothing but time passing, and each turn is announced to open inboxes.
#[tokio::test]
async fn a_running_sweeper_turns_a_case_at_risk_then_breached_as_time_passes() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::time::Duration;

    let k = kit().await;
    setup(&k).await;
    // Monday 4 March 2024, 08:00 UTC = 09:00 Berlin: the 2 h first-response target is due at
    // 10:00 UTC, at risk from 80% (09:36 UTC).
    k.send(vec![post(
        "1",
        "alice",
        "@brand my order never came",
        t(3, 8, 0),
    )])
    .await;
    let id = k.case_of("1").await.unwrap();
    // Routing read the real clock; the test's clock starts five minutes after the post.
    k.care.refresh_sla(id, t(3, 8, 5)).await.unwrap();
    let mut changes = k.care.subscribe();
    let now = Arc::new(AtomicI64::new(t(3, 8, 5).timestamp()));
    let clock = now.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let sweeper =
        SlaSweeper::new(k.care.clone(), Duration::from_millis(10)).with_clock(move || {
            chrono::DateTime::from_timestamp(clock.load(Ordering::SeqCst), 0).unwrap()
        });
    let running = tokio::spawn(sweeper.run(async {
        let _ = stopped.await;
    }));

    let state_within = |wanted: SlaState| {
        let care = k.care.clone();
        async move {
            for _ in 0..500 {
                let state = care.case(id).await.unwrap().unwrap().sla.state;
                if state == Some(wanted) {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            false
        }
    };
    // Nothing is due yet: a few sweeps leave the case on time.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        k.care.case(id).await.unwrap().unwrap().sla.state,
        Some(SlaState::Ok)
    );
    now.store(t(3, 9, 40).timestamp(), Ordering::SeqCst);
    assert!(state_within(SlaState::AtRisk).await, "at risk after 09:36");
    now.store(t(3, 10, 1).timestamp(), Ordering::SeqCst);
    assert!(
        state_within(SlaState::Breached).await,
        "breached after 10:00"
    );

    // The state is saved before it is announced: wait for the announcements (5 s at most).
    let mut announced = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while announced.len() < 2 {
        match tokio::time::timeout_at(deadline, changes.recv()).await {
            Ok(Ok(change)) => {
                if change.case_id == id && change.kind == ChangeKind::SlaChanged {
                    announced.push(change.version);
                }
            }
            _ => break,
        }
    }
    assert!(
        announced.len() >= 2,
        "each turn is announced: {announced:?}"
    );
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the sweeper stops when told")
        .unwrap();
}
