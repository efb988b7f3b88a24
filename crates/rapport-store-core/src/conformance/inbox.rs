//! Inbox views over a set of cases whose expected membership and order are worked out here
//! from the records themselves.

use super::kit::{case, minute};
use crate::Store;
use rapport_domain::care::{
    CaseRecord, InboxQuery, InboxSort, InboxView, PageStart, TeamSpec, due_key, prio_key,
};
use rapport_domain::{Actor, CaseAction, CaseId, Priority, SlaState, TeamId, TopicId, UserId};
use std::sync::Arc;

const PRIORITIES: [Priority; 4] = [
    Priority::Low,
    Priority::Normal,
    Priority::High,
    Priority::Urgent,
];

/// 24 cases: varied priority, assignee, team, topic and SLA; every fifth resolved.
async fn populate(store: &dyn Store) -> (Vec<CaseRecord>, TeamId) {
    let team = store
        .settings()
        .put_team(&TeamSpec {
            name: "support".into(),
            members: vec![UserId(1), UserId(2)],
            calendar: rapport_domain::BusinessCalendar::always_open(
                rapport_domain::BusinessCalendar::parse_tz("UTC").unwrap(),
            ),
            sla_policy: None,
        })
        .await
        .unwrap();
    let mut out = Vec::new();
    for i in 0..24i64 {
        let mut c = case(
            store,
            &(100 + i).to_string(),
            &format!("user{i}"),
            i,
            PRIORITIES[(i % 4) as usize],
        )
        .await;
        let who = Actor::System;
        c.case.assign(
            [None, Some(UserId(1)), Some(UserId(2))][(i % 3) as usize],
            who,
            minute(i),
        );
        if i % 2 == 0 {
            c.case.set_team(Some(team.id), who, minute(i));
        }
        if i % 4 == 1 {
            c.topics = vec![TopicId(7)];
        }
        c.sla.state = Some([SlaState::Ok, SlaState::AtRisk, SlaState::Breached][(i % 3) as usize]);
        c.sla.next_due = (i % 6 != 0).then(|| minute(1000 - i * 7 % 50));
        c.last_activity_at = minute(500 + (i * 37) % 24);
        if i % 5 == 4 {
            c.case.apply(CaseAction::Resolve, who, minute(i)).unwrap();
        }
        out.push(store.cases().save_case(&c, &[], &[]).await.unwrap());
    }
    (out, team.id)
}

fn in_view(r: &CaseRecord, v: InboxView) -> bool {
    let c = &r.case;
    c.status.is_active()
        && match v {
            InboxView::Mine(u) => c.assignee == Some(u),
            InboxView::Unassigned => c.assignee.is_none(),
            InboxView::Team(t) => c.team == Some(t),
            InboxView::AllOpen => true,
            InboxView::AtRisk => r.sla.state.is_some_and(|s| s != SlaState::Ok),
            InboxView::Topic(t) => r.topics.contains(&t),
            InboxView::Priority(p) => c.priority == p,
        }
}

fn key(r: &CaseRecord, sort: InboxSort) -> i64 {
    match sort {
        InboxSort::Priority => -prio_key(r.case.priority, r.case.opened_at),
        InboxSort::SlaDue => due_key(r.sla.next_due),
        InboxSort::Newest => -r.last_activity_at.timestamp_micros(),
        InboxSort::Oldest => r.last_activity_at.timestamp_micros(),
    }
}

fn expected(all: &[CaseRecord], v: InboxView, sort: InboxSort) -> Vec<CaseId> {
    let mut rows: Vec<_> = all.iter().filter(|r| in_view(r, v)).collect();
    let desc = matches!(sort, InboxSort::Priority | InboxSort::Newest);
    rows.sort_by_key(|r| (key(r, sort), if desc { -r.case.id.0 } else { r.case.id.0 }));
    rows.iter().map(|r| r.case.id).collect()
}

fn views(team: TeamId) -> Vec<InboxView> {
    vec![
        InboxView::Mine(UserId(1)),
        InboxView::Mine(UserId(2)),
        InboxView::Unassigned,
        InboxView::Team(team),
        InboxView::AllOpen,
        InboxView::AtRisk,
        InboxView::Topic(TopicId(7)),
        InboxView::Priority(Priority::Urgent),
        InboxView::Priority(Priority::Low),
    ]
}

const SORTS: [InboxSort; 4] = [
    InboxSort::Priority,
    InboxSort::SlaDue,
    InboxSort::Newest,
    InboxSort::Oldest,
];

pub async fn every_view_and_sort_lists_exactly_its_cases(store: Arc<dyn Store>) {
    let (all, team) = populate(store.as_ref()).await;
    for view in views(team) {
        for sort in SORTS {
            let q = InboxQuery {
                view,
                sort,
                limit: 500,
                start: PageStart::First,
            };
            let page = store.inbox().inbox(&q).await.unwrap();
            let got: Vec<_> = page.items.iter().map(|i| i.id).collect();
            let want = expected(&all, view, sort);
            assert!(!want.is_empty(), "{view:?} has cases");
            assert_eq!(got, want, "{view:?} sorted by {sort:?}");
            assert_eq!(page.next, None);
        }
    }
    let page = store
        .inbox()
        .inbox(&InboxQuery {
            view: InboxView::AllOpen,
            sort: InboxSort::Priority,
            limit: 1,
            start: PageStart::First,
        })
        .await
        .unwrap();
    let item = &page.items[0];
    let rec = all.iter().find(|r| r.case.id == item.id).unwrap();
    assert_eq!(
        (item.priority, item.status, item.assignee),
        (rec.case.priority, rec.case.status, rec.case.assignee)
    );
    assert_eq!(item.preview, rec.preview);
    assert_eq!(item.next_due, rec.sla.next_due);
    assert!(
        item.contact_name.starts_with("user"),
        "{}",
        item.contact_name
    );
    let bad = InboxQuery {
        view: InboxView::AllOpen,
        sort: InboxSort::Oldest,
        limit: 0,
        start: PageStart::First,
    };
    assert!(
        store.inbox().inbox(&bad).await.is_err(),
        "a zero limit is refused"
    );
}

pub async fn keyset_and_offset_pages_walk_the_whole_view(store: Arc<dyn Store>) {
    let (all, team) = populate(store.as_ref()).await;
    for view in [
        InboxView::AllOpen,
        InboxView::Team(team),
        InboxView::Unassigned,
    ] {
        for sort in SORTS {
            let want = expected(&all, view, sort);
            let mut q = InboxQuery {
                view,
                sort,
                limit: 4,
                start: PageStart::First,
            };
            let mut walked = Vec::new();
            loop {
                let page = store.inbox().inbox(&q).await.unwrap();
                walked.extend(page.items.iter().map(|i| i.id));
                match page.next {
                    Some(c) => {
                        // A cursor survives a round trip through a URL.
                        let c = c.to_string().parse().unwrap();
                        q.start = PageStart::After(c);
                    }
                    None => break,
                }
            }
            assert_eq!(walked, want, "{view:?} {sort:?} by keyset");
            q.start = PageStart::Offset(4);
            let page = store.inbox().inbox(&q).await.unwrap();
            let got: Vec<_> = page.items.iter().map(|i| i.id).collect();
            assert_eq!(
                got,
                want.iter().skip(4).take(4).copied().collect::<Vec<_>>(),
                "{view:?} {sort:?} offset"
            );
        }
    }
}

pub async fn counts_match_the_views_and_follow_saves(store: Arc<dyn Store>) {
    let (all, team) = populate(store.as_ref()).await;
    let n = |v| expected(&all, v, InboxSort::Priority).len() as u64;
    // Fresh planner statistics change plans, never answers.
    store.cases().analyze().await.unwrap();
    let counts = store.inbox().inbox_counts(Some(UserId(2))).await.unwrap();
    assert_eq!(counts.all_open, n(InboxView::AllOpen));
    assert_eq!(counts.unassigned, n(InboxView::Unassigned));
    assert_eq!(counts.mine, n(InboxView::Mine(UserId(2))));
    assert_eq!(counts.at_risk, n(InboxView::AtRisk));
    assert_eq!(counts.by_team, vec![(team, n(InboxView::Team(team)))]);
    assert_eq!(
        counts.by_topic,
        vec![(TopicId(7), n(InboxView::Topic(TopicId(7))))]
    );
    for (p, c) in &counts.by_priority {
        assert_eq!(*c, n(InboxView::Priority(*p)), "{p}");
    }
    // Resolving a topic case takes it out of the topic view and its count.
    let mut r = all
        .iter()
        .find(|r| in_view(r, InboxView::Topic(TopicId(7))))
        .unwrap()
        .clone();
    r.case
        .apply(CaseAction::Resolve, Actor::System, minute(900))
        .unwrap();
    store.cases().save_case(&r, &[], &[]).await.unwrap();
    let after = store.inbox().inbox_counts(None).await.unwrap();
    assert_eq!(after.all_open, counts.all_open - 1);
    assert_eq!(after.by_topic[0].1, counts.by_topic[0].1 - 1);
    assert_eq!(after.mine, 0, "nobody asked");
    let q = InboxQuery {
        view: InboxView::Topic(TopicId(7)),
        sort: InboxSort::Newest,
        limit: 100,
        start: PageStart::First,
    };
    let listed = store.inbox().inbox(&q).await.unwrap();
    assert!(listed.items.iter().all(|i| i.id != r.case.id));
}

pub async fn sla_sweep_finds_cases_whose_state_fell_behind(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let mut a = case(s, "1", "alice", 0, Priority::Normal).await;
    a.sla.state = Some(SlaState::Ok);
    a.sla.at_risk_at = Some(minute(40));
    a.sla.next_due = Some(minute(50));
    let a = s.cases().save_case(&a, &[], &[]).await.unwrap();
    let mut b = case(s, "2", "bob", 0, Priority::Normal).await;
    b.sla.state = Some(SlaState::AtRisk);
    b.sla.next_due = Some(minute(60));
    let b = s.cases().save_case(&b, &[], &[]).await.unwrap();
    assert!(
        s.inbox()
            .sla_stale(minute(30), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.inbox().sla_stale(minute(45), 10).await.unwrap(),
        vec![a.case.id]
    );
    assert_eq!(
        s.inbox().sla_stale(minute(55), 10).await.unwrap(),
        vec![a.case.id]
    );
    assert_eq!(
        s.inbox().sla_stale(minute(61), 10).await.unwrap(),
        vec![a.case.id, b.case.id]
    );
}
