//! Notifications raised by what happens on cases: assignment by someone else (not taking a
//! case oneself), a customer writing on an assigned case, a mention in a note, an SLA turning
//! at risk then breached as time alone passes (the sweep with an injected clock), to the
//! assignee or, while nobody has the case, to its team. Each user sees and marks only theirs.

#[path = "care_kit/mod.rs"]
mod care_kit;

use care_kit::{kit, post, reply, t};
use chrono::TimeDelta;
use rapport_domain::care::TeamSpec;
use rapport_domain::notify::{NotificationKind, NotificationSettings};
use rapport_domain::{BusinessCalendar, Priority, Role, SlaPolicy, Targets, User};
use rapport_engine::care::RoutingRules;
use rapport_store::users::NewUser;

async fn user(k: &care_kit::Kit, name: &str) -> User {
    k.engine
        .store()
        .users()
        .create_user(&NewUser {
            name: name.into(),
            display_name: format!("{name} (agent)"),
            role: Role::Agent,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$salt$x".into(),
            created_at: t(0, 0, 0),
        })
        .await
        .unwrap()
}

fn kinds(list: &[rapport_domain::notify::Notification]) -> Vec<NotificationKind> {
    list.iter().map(|n| n.kind).collect()
}

#[tokio::test]
async fn assignment_replies_and_mentions_notify_the_right_agent() {
    let k = kit().await;
    let ana = user(&k, "ana").await;
    let bo = user(&k, "bo").await;
    let n = k.engine.notifications();
    let mut live = n.subscribe();
    k.send(vec![post(
        "1",
        "alice",
        "@brand my order never came",
        t(0, 9, 0),
    )])
    .await;
    k.send(vec![post(
        "2",
        "carol",
        "@brand the app logs me out",
        t(0, 9, 5),
    )])
    .await;
    let one = k.case_of("1").await.unwrap();
    let two = k.case_of("2").await.unwrap();

    // Bo gives case 1 to Ana; Ana takes case 2 herself: only the first tells her.
    k.care
        .assign(one, Some(ana.id), bo.id, t(0, 9, 10))
        .await
        .unwrap();
    k.care
        .assign(two, Some(ana.id), ana.id, t(0, 9, 11))
        .await
        .unwrap();
    let mine = n.list(ana.id, false, None, 50).await.unwrap();
    assert_eq!(kinds(&mine), vec![NotificationKind::Assigned]);
    assert_eq!(mine[0].case_id, Some(one));
    assert_eq!(mine[0].actor, Some(bo.id));
    assert_eq!(
        mine[0].summary,
        format!("Case {one} was assigned to you by bo (agent)")
    );
    assert_eq!(live.recv().await.unwrap().user, ana.id);
    assert_eq!(n.unread(bo.id).await.unwrap(), 0);

    // Alice writes again on case 1: Ana hears of it.
    k.send(vec![reply(
        "3",
        "alice",
        "1",
        "@brand any news?",
        t(0, 10, 0),
    )])
    .await;
    let mine = n.list(ana.id, false, None, 50).await.unwrap();
    assert_eq!(
        kinds(&mine),
        vec![
            NotificationKind::CustomerReplied,
            NotificationKind::Assigned
        ]
    );
    assert_eq!(mine[0].case_id, Some(one));

    // Ana mentions Bo (and herself, and someone unknown) in a note.
    k.care
        .add_note(
            one,
            ana.id,
            "@BO can you check the courier? cc @ana @nobody",
            t(0, 10, 5),
        )
        .await
        .unwrap();
    let bos = n.list(bo.id, false, None, 50).await.unwrap();
    assert_eq!(kinds(&bos), vec![NotificationKind::Mentioned]);
    assert_eq!(bos[0].case_id, Some(one));
    assert_eq!(n.unread(ana.id).await.unwrap(), 2);

    // Bo cannot mark Ana's read; Ana can, one or all.
    let anas: Vec<_> = mine.iter().map(|x| x.id).collect();
    assert_eq!(n.mark_read(bo.id, &anas, t(0, 11, 0)).await.unwrap(), 0);
    assert_eq!(
        n.mark_read(ana.id, &anas[..1], t(0, 11, 0)).await.unwrap(),
        1
    );
    assert_eq!(n.unread(ana.id).await.unwrap(), 1);
    assert_eq!(n.mark_all_read(ana.id, t(0, 11, 1)).await.unwrap(), 1);
    assert_eq!(n.unread(ana.id).await.unwrap(), 0);
    assert_eq!(n.unread(bo.id).await.unwrap(), 1);

    // An event turned off is not recorded.
    n.save_settings(
        ana.id,
        &NotificationSettings {
            events: vec![NotificationKind::Mentioned],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    k.care
        .assign(two, Some(bo.id), ana.id, t(0, 12, 0))
        .await
        .unwrap();
    k.care
        .assign(two, Some(ana.id), bo.id, t(0, 12, 1))
        .await
        .unwrap();
    assert_eq!(n.list(ana.id, false, None, 50).await.unwrap().len(), 2);
    assert_eq!(n.unread(bo.id).await.unwrap(), 2);
}

#[tokio::test]
async fn the_sweep_notifies_at_risk_then_breached_once_each() {
    let k = kit().await;
    let ana = user(&k, "ana").await;
    let bo = user(&k, "bo").await;
    let store = k.engine.store().as_ref();
    let mut policy = SlaPolicy::new("fast");
    for p in Priority::ALL {
        policy = policy
            .with_targets(
                p,
                Targets {
                    first_response: Some(TimeDelta::hours(1)),
                    ..Targets::default()
                },
            )
            .unwrap();
    }
    store.settings().put_sla_policy(&policy).await.unwrap();
    let team = store
        .settings()
        .put_team(&TeamSpec {
            name: "desk".into(),
            members: vec![ana.id, bo.id],
            calendar: BusinessCalendar::always_open(chrono_tz::UTC),
            sla_policy: Some("fast".into()),
        })
        .await
        .unwrap();
    k.care
        .set_rules(&RoutingRules {
            default_team: Some(team.id),
            // Left unassigned, so the whole team hears of the risk.
            round_robin: false,
            ..RoutingRules::default()
        })
        .await
        .unwrap();
    k.send(vec![post(
        "1",
        "alice",
        "@brand where is my refund",
        t(0, 9, 0),
    )])
    .await;
    let case = k.case_of("1").await.unwrap();
    let n = k.engine.notifications();
    // Routing read the clocks at the wall clock's time; read them at the post's.
    k.care.refresh_sla(case, t(0, 9, 1)).await.unwrap();
    // Nobody has the case yet: the whole team hears it is at risk (80% of 1 h: 09:48).
    let sweep = k.care.sweep_sla(t(0, 9, 40)).await.unwrap();
    assert!(sweep.changed.is_empty());
    let sweep = k.care.sweep_sla(t(0, 9, 50)).await.unwrap();
    assert_eq!(sweep.changed.len(), 1);
    assert_eq!(sweep.changed[0].case_id, case);
    assert_eq!(sweep.changed[0].to, Some(rapport_domain::SlaState::AtRisk));
    for u in [ana.id, bo.id] {
        assert_eq!(
            kinds(&n.list(u, false, None, 10).await.unwrap()),
            vec![NotificationKind::SlaAtRisk]
        );
    }
    // Ana takes it (no notification: she took it herself); the breach is hers alone.
    k.care
        .assign(case, Some(ana.id), ana.id, t(0, 9, 55))
        .await
        .unwrap();
    k.care.sweep_sla(t(0, 10, 1)).await.unwrap();
    k.care.sweep_sla(t(0, 10, 2)).await.unwrap();
    let anas = n.list(ana.id, false, None, 10).await.unwrap();
    assert_eq!(
        kinds(&anas),
        vec![NotificationKind::SlaBreached, NotificationKind::SlaAtRisk]
    );
    assert_eq!(anas[0].at, t(0, 10, 1));
    assert_eq!(
        kinds(&n.list(bo.id, false, None, 10).await.unwrap()),
        vec![NotificationKind::SlaAtRisk]
    );
    // A refresh run again on the same state tells nobody again.
    k.care.refresh_sla(case, t(0, 10, 30)).await.unwrap();
    assert_eq!(n.unread(ana.id).await.unwrap(), 2);
}
