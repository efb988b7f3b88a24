//! A case's life through routing and inbox actions: opening, joining, pending and back,
//! resolving, reopening within the window, closing; assignment, team, priority, tags, notes;
//! every change in the audit log and on the live channel.

#[path = "care_kit/mod.rs"]
mod care_kit;

use care_kit::{kit, post, reply, t};
use rapport_domain::care::{InboxQuery, InboxSort, InboxView, PageStart, TeamSpec};
use rapport_domain::{CaseAction, CaseChange, CaseStatus, Priority, TeamId, UserId};
use rapport_engine::care::{CareError, ChangeKind, RoutingRules};

const AGENT: UserId = UserId(7);

#[tokio::test]
async fn a_case_goes_through_its_whole_life() {
    let k = kit().await;
    let mut live = k.care.subscribe();
    k.send(vec![post(
        "1",
        "alice",
        "@brand my order never arrived",
        t(0, 9, 0),
    )])
    .await;
    let id = k.case_of("1").await.expect("a mention opens a case");
    assert_eq!(live.recv().await.unwrap().kind, ChangeKind::Opened);
    let c = k.care.case(id).await.unwrap().unwrap();
    assert_eq!(c.case.status, CaseStatus::New);
    assert_eq!(c.preview, "@brand my order never arrived");

    // A follow-up in the same thread joins the case instead of opening another.
    k.send(vec![reply(
        "2",
        "alice",
        "1",
        "@brand any news?",
        t(0, 9, 30),
    )])
    .await;
    assert_eq!(k.case_of("2").await, Some(id));
    assert_eq!(live.recv().await.unwrap().kind, ChangeKind::PostJoined);

    let c = k
        .care
        .assign(id, Some(AGENT), AGENT, t(0, 10, 0))
        .await
        .unwrap();
    assert_eq!(c.case.assignee, Some(AGENT));
    k.care
        .set_priority(id, Priority::Urgent, AGENT, t(0, 10, 0))
        .await
        .unwrap();
    k.care
        .add_tag(id, "Shipping", AGENT, t(0, 10, 1))
        .await
        .unwrap();
    let err = k
        .care
        .add_tag(id, "late delivery", AGENT, t(0, 10, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, CareError::Tag(_)), "{err}");
    k.care
        .apply(id, CaseAction::Open, AGENT, t(0, 10, 2))
        .await
        .unwrap();
    k.care
        .apply(id, CaseAction::AwaitCustomer, AGENT, t(0, 10, 3))
        .await
        .unwrap();
    let note = k
        .care
        .add_note(id, AGENT, "  asked for the order number ", t(0, 10, 4))
        .await
        .unwrap();
    assert_eq!(note.body, "asked for the order number");

    // The customer answers: pending opens again.
    k.send(vec![reply(
        "3",
        "alice",
        "2",
        "@brand it is 12345",
        t(0, 11, 0),
    )])
    .await;
    assert_eq!(
        k.care.case(id).await.unwrap().unwrap().case.status,
        CaseStatus::Open
    );
    let c = k
        .care
        .apply(id, CaseAction::Resolve, AGENT, t(0, 12, 0))
        .await
        .unwrap();
    assert_eq!(c.case.status, CaseStatus::Resolved);
    // Within the reopen window the customer writing again reopens the same case.
    k.send(vec![reply(
        "4",
        "alice",
        "3",
        "@brand it broke again",
        t(2, 9, 0),
    )])
    .await;
    assert_eq!(k.case_of("4").await, Some(id));
    let c = k.care.case(id).await.unwrap().unwrap();
    assert_eq!(c.case.status, CaseStatus::Open);
    k.care
        .apply(id, CaseAction::Resolve, AGENT, t(2, 10, 0))
        .await
        .unwrap();
    k.care
        .apply(id, CaseAction::Close, AGENT, t(2, 10, 1))
        .await
        .unwrap();
    let err = k
        .care
        .apply(id, CaseAction::Reopen, AGENT, t(2, 10, 2))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "cannot apply 'reopen' to a closed case");

    let page = k.care.case_page(id).await.unwrap();
    let log: Vec<String> = page.events.iter().map(|e| e.change.to_string()).collect();
    let statuses: Vec<_> = page
        .events
        .iter()
        .filter_map(|e| match e.change {
            CaseChange::Status { to, .. } => Some(to),
            _ => None,
        })
        .collect();
    use CaseStatus::*;
    assert_eq!(
        statuses,
        [Open, Pending, Open, Resolved, Open, Resolved, Closed],
        "{log:#?}"
    );
    for expected in [
        "assignee nobody -> 7",
        "priority",
        "tag +shipping",
        "internal note added",
    ] {
        assert!(
            log.iter().any(|l| l.contains(expected)),
            "{expected} in {log:#?}"
        );
    }
    assert_eq!(page.posts.len(), 4, "the whole thread");
    assert_eq!(page.notes.len(), 1);
    assert_eq!(
        page.record.case.tags.iter().collect::<Vec<_>>(),
        ["shipping"]
    );
    let mut kinds = Vec::new();
    while let Ok(ev) = live.try_recv() {
        assert_eq!(ev.case_id, id);
        kinds.push(ev.kind);
    }
    assert!(
        kinds.contains(&ChangeKind::Reopened) && kinds.contains(&ChangeKind::NoteAdded),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn after_the_window_or_a_close_a_new_case_opens() {
    let k = kit().await;
    let rules = RoutingRules {
        reopen_window_secs: 2 * 86_400,
        ..RoutingRules::default()
    };
    k.care.set_rules(&rules).await.unwrap();
    k.send(vec![post("1", "bob", "@brand refund please", t(0, 9, 0))])
        .await;
    let first = k.case_of("1").await.unwrap();
    k.care
        .apply(first, CaseAction::Resolve, AGENT, t(0, 10, 0))
        .await
        .unwrap();
    k.send(vec![reply(
        "2",
        "bob",
        "1",
        "@brand still waiting",
        t(3, 9, 0),
    )])
    .await;
    let second = k.case_of("2").await.expect("a new case");
    assert_ne!(
        second, first,
        "three days after resolution is outside a two-day window"
    );
    let c = k.care.case(second).await.unwrap().unwrap();
    assert_eq!(
        c.case.conversation_id,
        k.care
            .case(first)
            .await
            .unwrap()
            .unwrap()
            .case
            .conversation_id
    );
    assert_eq!(
        k.care.case(first).await.unwrap().unwrap().case.status,
        CaseStatus::Resolved
    );
}

#[tokio::test]
async fn round_robin_spreads_new_cases_over_the_team() {
    let k = kit().await;
    let team = k
        .engine
        .store()
        .settings()
        .put_team(&TeamSpec {
            name: "support".into(),
            members: vec![UserId(1), UserId(2), UserId(3)],
            calendar: rapport_domain::BusinessCalendar::always_open(
                rapport_domain::BusinessCalendar::parse_tz("UTC").unwrap(),
            ),
            sla_policy: None,
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
    let posts = (0..4)
        .map(|i| {
            post(
                &format!("{i}"),
                &format!("user{i}"),
                "@brand hello?",
                t(0, 9, i),
            )
        })
        .collect();
    k.send(posts).await;
    let mut got = Vec::new();
    for i in 0..4 {
        let c = k
            .care
            .case(k.case_of(&i.to_string()).await.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.case.team, Some(team.id));
        got.push(c.case.assignee.unwrap());
    }
    assert_eq!(got, [UserId(1), UserId(2), UserId(3), UserId(1)]);
    let err = k
        .care
        .set_team(
            k.case_of("0").await.unwrap(),
            Some(TeamId(99)),
            AGENT,
            t(0, 10, 0),
        )
        .await;
    assert!(matches!(err, Err(CareError::NoSuchTeam(TeamId(99)))));
    let counts = k.care.counts(Some(UserId(1))).await.unwrap();
    assert_eq!((counts.all_open, counts.mine, counts.unassigned), (4, 2, 0));
    let q = InboxQuery {
        view: InboxView::Mine(UserId(1)),
        sort: InboxSort::Oldest,
        limit: 10,
        start: PageStart::First,
    };
    let page = k.care.inbox(&q).await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.items[0].last_activity_at < page.items[1].last_activity_at);
}

#[tokio::test]
async fn brand_posts_and_non_actionable_posts_open_nothing() {
    let k = kit().await;
    k.send(vec![
        post("1", "brand", "Our spring sale starts today", t(0, 9, 0)),
        post("2", "carol", "lovely weather", t(0, 9, 1)),
        reply("3", "dave", "1", "nice", t(0, 9, 2)),
    ])
    .await;
    // Dave replied to a brand post: that is a mention of an own account and opens a case.
    assert!(k.case_of("1").await.is_none());
    assert!(k.case_of("2").await.is_none());
    let dave = k
        .case_of("3")
        .await
        .expect("a reply to the brand is a mention");
    // The brand answering joins it as an agent reply.
    k.send(vec![reply("4", "brand", "3", "@dave thanks!", t(0, 9, 5))])
        .await;
    assert_eq!(k.case_of("4").await, Some(dave));
    let c = k.care.case(dave).await.unwrap().unwrap();
    assert_eq!(c.last_agent_reply_at, Some(t(0, 9, 5)));
    assert_eq!(c.last_customer_post_at, Some(t(0, 9, 2)));
}

#[tokio::test]
async fn a_brand_post_after_resolution_does_not_hide_the_case() {
    let k = kit().await;
    k.send(vec![post(
        "1",
        "ivy",
        "@brand my bill is wrong",
        t(0, 9, 0),
    )])
    .await;
    let id = k.case_of("1").await.unwrap();
    k.care
        .apply(id, CaseAction::Resolve, AGENT, t(0, 10, 0))
        .await
        .unwrap();
    // One batch: the brand's goodbye, then the customer writing back within the window.
    k.send(vec![
        reply("2", "brand", "1", "@ivy glad we could help", t(0, 11, 0)),
        reply("3", "ivy", "2", "@brand it is wrong again", t(1, 9, 0)),
    ])
    .await;
    assert_eq!(
        k.case_of("2").await,
        None,
        "nobody to answer on a resolved case"
    );
    assert_eq!(
        k.case_of("3").await,
        Some(id),
        "the customer reopens the case"
    );
    assert_eq!(
        k.care.case(id).await.unwrap().unwrap().case.status,
        CaseStatus::Open
    );
}
