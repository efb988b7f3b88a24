use super::kit::{case, draft, minute, post};
use super::support::{P, at};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use rapport_domain::care::{
    CareSetting, CareSettingKey, CasePost, CaseWrite, RoutedThrough, RoutingRules, TeamSpec,
};
use rapport_domain::{
    Actor, BusinessCalendar, CaseAction, CaseChange, CaseId, CaseStatus, ConversationId, PostId,
    Priority, SlaPolicy, SlaState, Targets, TeamId, UserId,
};
use std::sync::Arc;

pub async fn route_candidates_carry_what_routing_needs(store: Arc<dyn Store>) {
    let s = store.as_ref();
    store
        .contacts()
        .set_own_account(rapport_domain::Network::X, "brand", true)
        .await
        .unwrap();
    let topic = store
        .topics()
        .add_topic("orders", "order", &Default::default())
        .await
        .unwrap();
    let root = post(s, P::new("1", "alice").mention("brand").topic(topic.id)).await;
    let reply = post(s, P::new("2", "brand").own().reply("1").at(3)).await;
    let got = s
        .routing()
        .route_candidates(&[reply, root, rapport_domain::PostId(999)])
        .await
        .unwrap();
    assert_eq!(got.len(), 2, "the unknown id is left out");
    assert_eq!(
        (got[0].post_id, got[1].post_id),
        (reply, root),
        "order of the request"
    );
    let (r, b) = (&got[1], &got[0]);
    assert!(r.is_mention && !r.from_own_account && !r.is_reply);
    assert_eq!(r.topics, vec![topic.id]);
    assert_eq!(r.created_at, at(1));
    assert!(b.from_own_account && b.is_reply && b.topics.is_empty());
    assert_eq!(r.conversation_id, b.conversation_id, "one thread");
    assert_ne!(r.contact_id, b.contact_id);
}

pub async fn cases_are_created_saved_and_versioned(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = case(s, "1", "alice", 0, Priority::High).await;
    assert_eq!((c.version, c.case.status), (1, CaseStatus::New));
    let back = s.cases().case(c.case.id).await.unwrap().unwrap();
    assert_eq!(back, c, "a case reads back as it was stored");
    let events = s.cases().case_events(c.case.id).await.unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        events.iter().all(|e| e.case_id == c.case.id),
        "events get the new id"
    );
    assert!(matches!(
        events[0].change,
        CaseChange::Opened {
            priority: Priority::High,
            ..
        }
    ));

    // An agent opens it and a reply comes back from an own account.
    let reply = post(s, P::new("2", "brand").own().reply("1").at(5)).await;
    let mut next = back.clone();
    let ev = next
        .case
        .apply(CaseAction::Open, Actor::User(UserId(3)), minute(4))
        .unwrap()
        .unwrap();
    next.last_agent_reply_at = Some(minute(5));
    next.sla.state = Some(SlaState::AtRisk);
    next.sla.next_due = Some(minute(60));
    next.case
        .add_tag("Billing", Actor::User(UserId(3)), minute(4))
        .unwrap();
    let link = CasePost {
        post_id: reply,
        at: minute(5),
        from_customer: false,
    };
    let saved = s.cases().save_case(&next, &[link], &[ev]).await.unwrap();
    assert_eq!(saved.version, 2);
    let back = s.cases().case(c.case.id).await.unwrap().unwrap();
    assert_eq!(back, saved);
    assert_eq!(back.case.tags.iter().collect::<Vec<_>>(), ["billing"]);
    let posts = s.cases().case_posts(c.case.id).await.unwrap();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1], link);
    assert_eq!(
        s.cases().case_of_post(reply).await.unwrap(),
        Some(c.case.id)
    );
    assert_eq!(s.cases().case_events(c.case.id).await.unwrap().len(), 3);

    // Saving again from the old version is refused and changes nothing.
    let mut stale = c.clone();
    stale.case.priority = Priority::Low;
    let err = s.cases().save_case(&stale, &[], &[]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(s.cases().case(c.case.id).await.unwrap().unwrap(), saved);
    // Attaching the same post twice keeps one link.
    let again = s.cases().save_case(&saved, &[link], &[]).await.unwrap();
    assert_eq!(again.version, 3);
    assert_eq!(s.cases().case_posts(c.case.id).await.unwrap().len(), 2);
    assert_eq!(
        s.cases().contact_cases(c.case.contact_id).await.unwrap(),
        vec![again]
    );
}

pub async fn conversation_merges_still_find_the_case(store: Arc<dyn Store>) {
    let s = store.as_ref();
    // The reply arrives before its parent: two conversations, merged when the parent comes.
    let child = post(s, P::new("12", "alice").reply("11").at(2)).await;
    let (record, posts, events) = draft(s, child, Priority::Normal).await;
    let c = s
        .cases()
        .create_case(&record, &posts, &events)
        .await
        .unwrap();
    let parent = post(s, P::new("11", "bob").at(1)).await;
    let parent_conv = s
        .posts()
        .post(parent)
        .await
        .unwrap()
        .unwrap()
        .conversation_id;
    let found = s
        .cases()
        .latest_case_in_conversation(parent_conv)
        .await
        .unwrap();
    assert_eq!(found.map(|f| f.case.id), Some(c.case.id));
    let second = case(s, "20", "carol", 30, Priority::Low).await;
    let conv = second.case.conversation_id;
    let latest = s
        .cases()
        .latest_case_in_conversation(conv)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.case.id, second.case.id);
    // The batch lookup routing uses agrees, and leaves conversations without a case out.
    let root = s
        .posts()
        .post(child)
        .await
        .unwrap()
        .unwrap()
        .conversation_id;
    let mut batch = s
        .cases()
        .latest_cases_in_conversations(&[root, conv, rapport_domain::ConversationId(9_999)])
        .await
        .unwrap();
    batch.sort_by_key(|(_, r)| r.case.id);
    let found: Vec<_> = batch.iter().map(|(conv, r)| (*conv, r.case.id)).collect();
    assert_eq!(found, vec![(root, c.case.id), (conv, second.case.id)]);
    assert!(
        s.cases()
            .latest_case_in_conversation(rapport_domain::ConversationId(9_999))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn teams_policies_settings_and_round_robin(store: Arc<dyn Store>) {
    let care: &dyn Store = &*store;
    let key = CareSettingKey::RoutingRules;
    assert_eq!(care.settings().care_setting(key).await.unwrap(), None);
    let rules = |round_robin| {
        CareSetting::RoutingRules(RoutingRules {
            round_robin,
            ..RoutingRules::default()
        })
    };
    care.settings()
        .set_care_setting(&rules(true))
        .await
        .unwrap();
    care.settings()
        .set_care_setting(&rules(false))
        .await
        .unwrap();
    assert_eq!(
        care.settings().care_setting(key).await.unwrap(),
        Some(rules(false))
    );
    // Settings are kept apart by key.
    let worked = CareSetting::DemoWorkedThrough(CaseId(7));
    care.settings().set_care_setting(&worked).await.unwrap();
    assert_eq!(
        care.settings()
            .care_setting(CareSettingKey::DemoWorkedThrough)
            .await
            .unwrap(),
        Some(worked)
    );
    assert_eq!(
        care.settings().care_setting(key).await.unwrap(),
        Some(rules(false))
    );

    let policy = SlaPolicy::new("gold")
        .with_targets(
            Priority::Urgent,
            Targets {
                first_response: Some(chrono::TimeDelta::minutes(30)),
                ..Targets::default()
            },
        )
        .unwrap();
    care.settings().put_sla_policy(&policy).await.unwrap();
    care.settings()
        .put_sla_policy(&SlaPolicy::new("basic"))
        .await
        .unwrap();
    assert_eq!(
        care.settings().sla_policy("gold").await.unwrap(),
        Some(policy.clone())
    );
    let names: Vec<_> = care
        .settings()
        .sla_policies()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["basic", "gold"]);

    let tz = BusinessCalendar::parse_tz("Europe/Berlin").unwrap();
    let spec = TeamSpec {
        name: "billing".into(),
        members: vec![UserId(4), UserId(8), UserId(15)],
        calendar: BusinessCalendar::always_open(tz),
        sla_policy: Some("gold".into()),
    };
    let team = care.settings().put_team(&spec).await.unwrap();
    assert_eq!((team.name.as_str(), team.last_assigned), ("billing", None));
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(
            care.settings()
                .next_round_robin(team.id)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    assert_eq!(got, [UserId(4), UserId(8), UserId(15), UserId(4)]);
    // Redefining the team keeps its cursor; a removed member is skipped.
    let again = care
        .settings()
        .put_team(&TeamSpec {
            members: vec![UserId(8), UserId(16)],
            ..spec.clone()
        })
        .await
        .unwrap();
    assert_eq!((again.id, again.last_assigned), (team.id, Some(UserId(4))));
    assert_eq!(
        care.settings().next_round_robin(team.id).await.unwrap(),
        Some(UserId(8))
    );
    assert_eq!(
        care.settings()
            .team(team.id)
            .await
            .unwrap()
            .unwrap()
            .calendar
            .tz(),
        tz
    );
    let empty = care
        .settings()
        .put_team(&TeamSpec {
            name: "nobody".into(),
            members: vec![],
            ..spec
        })
        .await
        .unwrap();
    assert_eq!(
        care.settings().next_round_robin(empty.id).await.unwrap(),
        None
    );
    assert_eq!(care.settings().teams().await.unwrap().len(), 2);
    // Renaming keeps the id and the cursor; another team's name is a conflict.
    let renamed = care
        .settings()
        .rename_team(team.id, "payments")
        .await
        .unwrap();
    assert_eq!((renamed.id, renamed.name.as_str()), (team.id, "payments"));
    assert_eq!(renamed.last_assigned, Some(UserId(8)));
    assert!(matches!(
        care.settings().rename_team(team.id, "nobody").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        care.settings().rename_team(TeamId(9_999), "ghost").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(care.settings().teams().await.unwrap().len(), 2);
}

/// The later unattached posts of one conversation, in the order the store gives them.
async fn later_posts(
    s: &dyn Store,
    conv: ConversationId,
    at: DateTime<Utc>,
    after: PostId,
    limit: u32,
) -> Vec<PostId> {
    let found = s
        .routing()
        .later_unattached_posts(&[(conv, at, after)], limit)
        .await
        .unwrap();
    assert!(found.iter().all(|(c, _)| *c == conv));
    found.into_iter().map(|(_, id)| id).collect()
}

pub async fn batches_write_together_and_later_posts_are_found(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let root = post(s, P::new("1", "alice").at(1)).await;
    let r2 = post(s, P::new("2", "brand").own().reply("1").at(3)).await;
    let r3 = post(s, P::new("3", "alice").reply("2").at(5)).await;
    let root_conv = s.posts().post(root).await.unwrap().unwrap().conversation_id;
    let later = later_posts(s, root_conv, minute(1), root, 10).await;
    assert_eq!(later, vec![r2, r3], "after the opening post, oldest first");
    // One call answers for several cases, each up to its own limit.
    let c1 = post(s, P::new("10", "carol").at(2)).await;
    let c2 = post(s, P::new("11", "carol").reply("10").at(4)).await;
    let carol_conv = s.posts().post(c1).await.unwrap().unwrap().conversation_id;
    let both = s
        .routing()
        .later_unattached_posts(
            &[(root_conv, minute(1), root), (carol_conv, minute(2), c1)],
            1,
        )
        .await
        .unwrap();
    assert_eq!(both.len(), 2, "one post each: {both:?}");
    assert!(both.contains(&(root_conv, r2)) && both.contains(&(carol_conv, c2)));
    let (record, posts, events) = draft(s, root, Priority::Normal).await;
    let other = case(s, "9", "bob", 9, Priority::Low).await;
    let mut moved = other.clone();
    moved.case.priority = Priority::High;
    let writes = vec![
        CaseWrite {
            record,
            posts,
            events,
        },
        CaseWrite {
            record: moved,
            posts: vec![],
            events: vec![],
        },
    ];
    let saved = s.routing().write_cases(&writes, None).await.unwrap();
    assert_eq!((saved[0].version, saved[1].version), (1, 2));
    let conv = saved[0].case.conversation_id;
    let later = later_posts(s, conv, minute(1), root, 10).await;
    assert_eq!(later, vec![r2, r3], "not attached yet");
    let link = CasePost {
        post_id: r2,
        at: minute(3),
        from_customer: false,
    };
    s.cases().save_case(&saved[0], &[link], &[]).await.unwrap();
    assert_eq!(later_posts(s, conv, minute(1), root, 10).await, vec![r3]);
    assert_eq!(later_posts(s, conv, minute(3), r2, 10).await, vec![r3]);
    // One stale save fails the whole batch: the new case in it is not written either.
    let (record, posts, events) = draft(s, r3, Priority::Normal).await;
    let stale = vec![
        CaseWrite {
            record,
            posts,
            events,
        },
        CaseWrite {
            record: other,
            posts: vec![],
            events: vec![],
        },
    ];
    assert!(matches!(
        s.routing().write_cases(&stale, None).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.cases().case_of_post(r3).await.unwrap(), None);
}

/// Routing's watermark moves only with the case writes of the pass that read it: a crash
/// before that commit leaves the posts above it for the next pass, and a second pass that
/// read the same watermark writes nothing.
pub async fn the_routing_watermark_moves_with_the_case_writes(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let fresh = s.routing().unrouted_posts(100).await.unwrap();
    assert_eq!((fresh.routed_through, fresh.posts.len()), (PostId(0), 0));
    assert_eq!(s.routing().unrouted_count().await.unwrap(), (PostId(0), 0));
    let a = post(s, P::new("1", "alice").at(1)).await;
    let b = post(s, P::new("2", "bob").at(2)).await;
    let c = post(s, P::new("3", "carol").at(3)).await;
    let owed = s.routing().unrouted_posts(100).await.unwrap();
    assert_eq!(
        (owed.routed_through, owed.posts),
        (PostId(0), vec![a, b, c])
    );
    let first_two = s.routing().unrouted_posts(2).await.unwrap();
    assert_eq!(first_two.posts, vec![a, b], "at most `limit`, in id order");
    assert_eq!(s.routing().unrouted_count().await.unwrap(), (PostId(0), 3));

    // A pass over a and b opens a case on a and moves the watermark to b.
    let (record, posts, events) = draft(s, a, Priority::Normal).await;
    let pass = RoutedThrough {
        from: PostId(0),
        to: b,
    };
    let writes = vec![CaseWrite {
        record,
        posts,
        events,
    }];
    s.routing().write_cases(&writes, Some(pass)).await.unwrap();
    let owed = s.routing().unrouted_posts(100).await.unwrap();
    assert_eq!((owed.routed_through, owed.posts), (b, vec![c]));
    assert_eq!(s.routing().unrouted_count().await.unwrap(), (b, 1));

    // A second pass that read the old watermark lost the race: nothing of it is written.
    let (record, posts, events) = draft(s, b, Priority::Normal).await;
    let late = vec![CaseWrite {
        record,
        posts,
        events,
    }];
    assert!(matches!(
        s.routing().write_cases(&late, Some(pass)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.cases().case_of_post(b).await.unwrap(), None);
    assert_eq!(s.posts().stats().await.unwrap().cases, 1);

    // A pass that opened nothing still moves it.
    s.routing()
        .write_cases(&[], Some(RoutedThrough { from: b, to: c }))
        .await
        .unwrap();
    let done = s.routing().unrouted_posts(100).await.unwrap();
    assert_eq!((done.routed_through, done.posts.len()), (c, 0));
    let d = post(s, P::new("4", "dave").at(4)).await;
    assert_eq!(
        s.routing().unrouted_posts(100).await.unwrap().posts,
        vec![d]
    );
}

/// Optimistic concurrency at the save: two writers that read the same version save at once,
/// and the store's conditional update lets exactly one of them through.
pub async fn two_saves_on_one_version_exactly_one_wins(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = case(s, "1", "alice", 0, Priority::Normal).await;
    for round in 0..10 {
        let base = s.cases().case(c.case.id).await.unwrap().unwrap();
        let mut a = base.clone();
        a.case.priority = Priority::High;
        a.preview = format!("a {round}");
        let mut b = base.clone();
        b.case.priority = Priority::Low;
        b.preview = format!("b {round}");
        let (ra, rb) = tokio::join!(
            s.cases().save_case(&a, &[], &[]),
            s.cases().save_case(&b, &[], &[])
        );
        let won: Vec<_> = [&ra, &rb].into_iter().filter(|r| r.is_ok()).collect();
        assert_eq!(won.len(), 1, "round {round}: {ra:?} / {rb:?}");
        let lost = if ra.is_ok() { &rb } else { &ra };
        assert!(
            matches!(lost, Err(StoreError::Conflict(_))),
            "round {round}: {lost:?}"
        );
        let now = s.cases().case(c.case.id).await.unwrap().unwrap();
        assert_eq!(now.version, base.version + 1, "one save, one version step");
        let winner = if ra.is_ok() { &a } else { &b };
        assert_eq!(
            now.preview, winner.preview,
            "the winner's fields, all of them"
        );
    }
}
