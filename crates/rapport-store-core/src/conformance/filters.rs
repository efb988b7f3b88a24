//! Inbox filters and saved views: cases built from a table of what each should hold, and the
//! expected lists worked out from that table, not from the store.

use super::kit::{draft, minute};
use super::support::{P, ingest, inserted_id};

use crate::{NewPost, Store};
use chrono::NaiveDate;
use rapport_domain::care::{
    AssigneeFilter, CaseRecord, InboxFilter, InboxQuery, InboxSort, InboxView, NewSavedView,
    PageStart, SavedViewId, SlaFilter, TeamSpec,
};
use rapport_domain::{
    Actor, CaseAction, CaseId, IdentityId, Intent, IntentSet, Labels, Network, Priority, Sentiment,
    SentimentLabel, SlaState, TeamId, TopicId, Urgency, UserId,
};
use std::sync::Arc;

/// What one case was built with.
struct Spec {
    id: CaseId,
    active: bool,
    network: Network,
    /// 0: the post mentions @acme, 1: @initech, 2: it replies to acme's post, 3: nobody.
    addressed: usize,
    sentiment: SentimentLabel,
    intents: IntentSet,
    tags: Vec<&'static str>,
    assignee: Option<UserId>,
    team: bool,
    sla: Option<SlaState>,
    topic: bool,
    day: u32,
}

const SENTIMENTS: [SentimentLabel; 3] = [
    SentimentLabel::Negative,
    SentimentLabel::Neutral,
    SentimentLabel::Positive,
];

struct World {
    specs: Vec<Spec>,
    team: TeamId,
    acme: IdentityId,
    initech: IdentityId,
}

/// 20 cases, one a day from 2024-03-01, on the spec table's rotations; every seventh resolved.
async fn populate(store: &dyn Store) -> World {
    let team = store
        .settings()
        .put_team(&TeamSpec {
            name: "support".into(),
            members: vec![UserId(1)],
            calendar: rapport_domain::BusinessCalendar::always_open(
                rapport_domain::BusinessCalendar::parse_tz("UTC").unwrap(),
            ),
            sla_policy: None,
        })
        .await
        .unwrap();
    ingest(
        store,
        vec![
            P::new("1", "acme").own().text("we are acme").at(-10),
            P::new("2", "initech").own().text("we are initech").at(-9),
        ],
    )
    .await;
    let own = store.contacts().own_accounts().await.unwrap();
    let id_of = |h: &str| own.iter().find(|i| i.handle == h).unwrap().id;
    let (acme, initech) = (id_of("acme"), id_of("initech"));
    let mut specs = Vec::new();
    for i in 0..20usize {
        let day = i as u32;
        let addressed = i % 4;
        // Own accounts are on X: a Mastodon post addresses none of them.
        let network = if i % 8 == 3 {
            Network::Mastodon
        } else {
            Network::X
        };
        let intents = [
            IntentSet::empty().with(Intent::Complaint),
            IntentSet::empty().with(Intent::Question),
            IntentSet::empty()
                .with(Intent::Complaint)
                .with(Intent::Question),
            IntentSet::empty(),
        ][i % 4];
        let sentiment = SENTIMENTS[i % 3];
        let mut p = P::new(&(100 + i).to_string(), &format!("user{i}"))
            .net(network)
            .at(i as i64 * 1440 + 30)
            .text(&format!("case {i}"));
        p = match addressed {
            0 => p.mention("acme"),
            1 => p.mention("initech"),
            2 => p.reply("1"),
            _ => p,
        };
        let mut np: NewPost = p.new_post();
        np.labels = Some(Labels {
            sentiment: Sentiment {
                label: sentiment,
                score: 0.9,
            },
            intents,
            lang: Some("en".into()),
            urgency: Urgency::Normal,
        });
        let report = store.posts().ingest(vec![np]).await.unwrap();
        let post_id = inserted_id(&report.outcomes[0]);
        let (mut rec, posts, events) = draft(store, post_id, Priority::Normal).await;
        let tags: Vec<&'static str> = match i % 4 {
            0 => vec!["billing"],
            1 => vec!["billingax"],
            3 => vec!["billing_x", "vip"],
            _ => vec![],
        };
        for t in &tags {
            rec.case.add_tag(t, Actor::System, minute(0)).unwrap();
        }
        let assignee = [None, Some(UserId(1)), Some(UserId(2))][i % 3];
        rec.case.assign(assignee, Actor::System, minute(0));
        let on_team = i % 2 == 0;
        if on_team {
            rec.case.set_team(Some(team.id), Actor::System, minute(0));
        }
        let sla = [
            None,
            Some(SlaState::Ok),
            Some(SlaState::AtRisk),
            Some(SlaState::Breached),
        ][(i / 2) % 4];
        rec.sla.state = sla;
        let topic = i % 5 < 2;
        if topic {
            rec.topics = vec![TopicId(7)];
        }
        let active = i % 7 != 6;
        if !active {
            rec.case
                .apply(CaseAction::Resolve, Actor::System, minute(0))
                .unwrap();
        }
        let saved: CaseRecord = store
            .cases()
            .create_case(&rec, &posts, &events)
            .await
            .unwrap();
        specs.push(Spec {
            id: saved.case.id,
            active,
            network,
            addressed,
            sentiment,
            intents,
            tags,
            assignee,
            team: on_team,
            sla,
            topic,
            day,
        });
    }
    World {
        specs,
        team: team.id,
        acme,
        initech,
    }
}

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 1).unwrap() + chrono::Duration::days(i64::from(n))
}

/// Whether case `s` is in `view` narrowed by `f`, by the spec table alone.
fn holds(w: &World, s: &Spec, view: InboxView, f: &InboxFilter) -> bool {
    let in_view = match view {
        InboxView::AllOpen => true,
        InboxView::Mine(u) => s.assignee == Some(u),
        InboxView::Topic(_) => s.topic,
        _ => unreachable!("not used here"),
    };
    let account = |a: IdentityId| {
        (a == w.acme && matches!(s.addressed, 0 | 2)) || (a == w.initech && s.addressed == 1)
    };
    s.active
        && in_view
        && f.network.is_none_or(|n| s.network == n)
        && f.account.is_none_or(account)
        && f.topic.is_none_or(|t| t == TopicId(7) && s.topic)
        && f.sentiment.is_none_or(|x| s.sentiment == x)
        && f.intent.is_none_or(|i| s.intents.has(i))
        && f.tag.as_deref().is_none_or(|t| s.tags.contains(&t))
        && f.assignee.is_none_or(|a| match a {
            AssigneeFilter::Nobody => s.assignee.is_none(),
            AssigneeFilter::User(u) => s.assignee == Some(u),
        })
        && f.team.is_none_or(|t| t == w.team && s.team)
        && f.sla.is_none_or(|x| match x {
            SlaFilter::NoClock => s.sla.is_none(),
            SlaFilter::State(st) => s.sla == Some(st),
        })
        && f.from.is_none_or(|d| day(s.day) >= d)
        && f.to.is_none_or(|d| day(s.day) <= d)
}

/// One filter per dimension (some twice), each letting some active cases through and keeping
/// some out.
fn filters(w: &World) -> Vec<InboxFilter> {
    let one = |set: &dyn Fn(&mut InboxFilter)| {
        let mut f = InboxFilter::default();
        set(&mut f);
        f
    };
    vec![
        one(&|f| f.network = Some(Network::Mastodon)),
        one(&|f| f.account = Some(w.acme)),
        one(&|f| f.account = Some(w.initech)),
        one(&|f| f.topic = Some(TopicId(7))),
        one(&|f| f.sentiment = Some(SentimentLabel::Negative)),
        one(&|f| f.intent = Some(Intent::Complaint)),
        one(&|f| f.intent = Some(Intent::Question)),
        one(&|f| f.tag = Some("billing".into())),
        one(&|f| f.tag = Some("billing_x".into())),
        one(&|f| f.assignee = Some(AssigneeFilter::Nobody)),
        one(&|f| f.assignee = Some(AssigneeFilter::User(UserId(2)))),
        one(&|f| f.team = Some(w.team)),
        one(&|f| f.sla = Some(SlaFilter::NoClock)),
        one(&|f| f.sla = Some(SlaFilter::State(SlaState::Breached))),
        one(&|f| f.from = Some(day(5))),
        one(&|f| f.to = Some(day(4))),
        one(&|f| {
            f.from = Some(day(3));
            f.to = Some(day(12));
            f.sentiment = Some(SentimentLabel::Positive);
            f.network = Some(Network::X);
        }),
    ]
}

async fn listed(store: &dyn Store, view: InboxView, f: &InboxFilter, limit: u32) -> Vec<CaseId> {
    let mut q = InboxQuery {
        view,
        sort: InboxSort::Oldest,
        limit,
        start: PageStart::First,
    };
    let mut out = Vec::new();
    loop {
        let page = store.inbox().filtered_inbox(&q, f).await.unwrap();
        out.extend(page.items.iter().map(|i| i.id));
        match page.next {
            Some(c) => q.start = PageStart::After(c),
            None => return out,
        }
    }
}

pub async fn every_filter_lists_exactly_its_cases_and_pages(store: Arc<dyn Store>) {
    let w = populate(store.as_ref()).await;
    let active = w.specs.iter().filter(|s| s.active).count();
    for f in filters(&w) {
        for view in [
            InboxView::AllOpen,
            InboxView::Topic(TopicId(7)),
            InboxView::Mine(UserId(1)),
        ] {
            // Oldest first: the cases' activity is their day, so the ids come in spec order.
            let want: Vec<CaseId> = w
                .specs
                .iter()
                .filter(|s| holds(&w, s, view, &f))
                .map(|s| s.id)
                .collect();
            if view == InboxView::AllOpen {
                assert!(!want.is_empty(), "{f:?} lets some cases through");
                assert!(want.len() < active, "{f:?} keeps some cases out");
            }
            let got = listed(store.as_ref(), view, &f, 500).await;
            assert_eq!(got, want, "{view:?} {f:?}");
            let paged = listed(store.as_ref(), view, &f, 2).await;
            assert_eq!(paged, want, "{view:?} {f:?} in keyset pages of two");
        }
    }
}

pub async fn filtered_counts_match_the_lists(store: Arc<dyn Store>) {
    let w = populate(store.as_ref()).await;
    let mut sets = Vec::new();
    for f in filters(&w) {
        for view in [InboxView::AllOpen, InboxView::Topic(TopicId(7))] {
            sets.push((view, f.clone()));
        }
    }
    // More than one statement's worth.
    while sets.len() < 40 {
        sets.push((InboxView::Mine(UserId(1)), InboxFilter::default()));
    }
    let got = store.inbox().filtered_counts(&sets).await.unwrap();
    let want: Vec<u64> = sets
        .iter()
        .map(|(v, f)| w.specs.iter().filter(|s| holds(&w, s, *v, f)).count() as u64)
        .collect();
    assert_eq!(got, want);
    assert!(store.inbox().filtered_counts(&[]).await.unwrap().is_empty());
    // The unfiltered count is the view's.
    let all = store.inbox().inbox_counts(None).await.unwrap().all_open;
    let n = store
        .inbox()
        .filtered_counts(&[(InboxView::AllOpen, InboxFilter::default())])
        .await
        .unwrap();
    assert_eq!(n, vec![all]);
}

fn saved(name: &str, owner: i64, team: Option<TeamId>, f: InboxFilter) -> NewSavedView {
    NewSavedView {
        name: name.into(),
        owner: UserId(owner),
        team,
        view: InboxView::Unassigned,
        filter: f,
    }
}

pub async fn saved_views_are_kept_listed_renamed_and_removed(store: Arc<dyn Store>) {
    let views = store.views();
    let team = store
        .settings()
        .put_team(&TeamSpec {
            name: "care".into(),
            members: vec![UserId(1), UserId(2)],
            calendar: rapport_domain::BusinessCalendar::always_open(
                rapport_domain::BusinessCalendar::parse_tz("UTC").unwrap(),
            ),
            sla_policy: None,
        })
        .await
        .unwrap();
    let filter = InboxFilter {
        sentiment: Some(SentimentLabel::Negative),
        tag: Some("vip".into()),
        from: Some(day(2)),
        sla: Some(SlaFilter::State(SlaState::AtRisk)),
        ..InboxFilter::default()
    };
    let mine = views
        .create_view(&saved("Angry VIPs", 1, None, filter.clone()))
        .await
        .unwrap();
    assert_eq!(
        (mine.name.as_str(), mine.owner, mine.team, &mine.filter),
        ("Angry VIPs", UserId(1), None, &filter)
    );
    assert_eq!(mine.view, InboxView::Unassigned);
    let shared = views
        .create_view(&saved("Billing", 2, Some(team.id), InboxFilter::default()))
        .await
        .unwrap();
    let other = views
        .create_view(&saved("Angry VIPs", 3, None, InboxFilter::default()))
        .await
        .unwrap();
    let names = |v: Vec<rapport_domain::care::SavedView>| -> Vec<SavedViewId> {
        v.into_iter().map(|v| v.id).collect()
    };
    assert_eq!(
        names(views.views_for(UserId(1), &[team.id]).await.unwrap()),
        vec![mine.id, shared.id],
        "own views and the team's, by name"
    );
    assert_eq!(
        names(views.views_for(UserId(1), &[]).await.unwrap()),
        vec![mine.id]
    );
    assert_eq!(
        names(views.views_for(UserId(3), &[]).await.unwrap()),
        vec![other.id]
    );
    let twice = views
        .create_view(&saved("Angry VIPs", 1, None, InboxFilter::default()))
        .await;
    assert!(
        matches!(twice, Err(crate::StoreError::Conflict(_))),
        "{twice:?}"
    );
    assert!(
        views
            .create_view(&saved("  ", 1, None, InboxFilter::default()))
            .await
            .is_err()
    );
    assert!(views.rename_view(mine.id, "Upset VIPs").await.unwrap());
    assert_eq!(
        views.view(mine.id).await.unwrap().unwrap().name,
        "Upset VIPs"
    );
    let clash = views.rename_view(shared.id, "Billing").await;
    assert!(clash.unwrap(), "its own name again");
    let clash = views
        .create_view(&saved("Upset VIPs", 1, None, InboxFilter::default()))
        .await;
    assert!(matches!(clash, Err(crate::StoreError::Conflict(_))));
    assert!(views.remove_view(mine.id).await.unwrap());
    assert!(!views.remove_view(mine.id).await.unwrap());
    assert!(!views.rename_view(mine.id, "x").await.unwrap());
    assert_eq!(views.view(mine.id).await.unwrap(), None);
    assert_eq!(
        names(views.views_for(UserId(1), &[team.id]).await.unwrap()),
        vec![shared.id]
    );
}
