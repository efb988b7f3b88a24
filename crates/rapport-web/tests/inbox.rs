//! The inbox page over cases made from the real twcs sample: views and their counts, sorts,
//! keyset pages, bulk actions with their audit events and clean refusals, the live event
//! stream, who may open it, CSRF, and post text shown as text.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use common::{Answer, Browser, Call, TWCS_SAMPLE, World};
use futures::StreamExt;
use rapport_domain::care::{InboxQuery, InboxSort, InboxView, PageStart, TeamSpec};
use rapport_domain::{
    Actor, BusinessCalendar, CaseAction, CaseChange, CaseId, CaseStatus, Priority, Role, User,
};
use rapport_web::{WebConfig, app};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::Duration;
use tower::ServiceExt;

struct Seeded {
    world: World,
    agent: User,
    agent_b: Browser,
    admin_b: Browser,
}

/// The sample imported with a topic, an admin, an agent and an analyst.
async fn seeded() -> Seeded {
    let world = World::new(WebConfig::default()).await;
    world
        .engine
        .add_topic("Help", "help OR please OR fix", Default::default())
        .await
        .unwrap();
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    world.user("admin", Role::Admin).await;
    let agent = world.user("agent", Role::Agent).await;
    world.user("analyst", Role::Analyst).await;
    let agent_b = world.session("agent").await;
    let admin_b = world.session("admin").await;
    Seeded {
        world,
        agent,
        agent_b,
        admin_b,
    }
}

/// Every active case of a view as the engine lists it, in `sort` order.
async fn engine_list(world: &World, view: InboxView, sort: InboxSort) -> Vec<i64> {
    let page = world
        .engine
        .care()
        .inbox(&InboxQuery {
            view,
            sort,
            limit: 500,
            start: PageStart::First,
        })
        .await
        .unwrap();
    assert!(page.next.is_none(), "the test data fits one page");
    page.items.iter().map(|i| i.id.0).collect()
}

/// The case ids of the rows on a page, in order.
fn row_ids(html: &str) -> Vec<i64> {
    html.split("<tr data-case-id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// The sidebar's counts by view key (`mine`, `team:1`, `priority:urgent`, ...).
fn sidebar(html: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for part in html.split("<li><a href=\"/inbox?view=").skip(1) {
        let key = part[..part.find("&amp;").unwrap()].replace("%3A", ":");
        let at = part.find("class=\"count\"").unwrap();
        let rest = &part[at..];
        let n = &rest[rest.find('>').unwrap() + 1..rest.find("</span>").unwrap()];
        out.insert(key, n.parse().unwrap());
    }
    out
}

/// The address of the "Next page" link, decoded.
fn next_link(html: &str) -> Option<String> {
    let at = html.find("rel=\"next\"")?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    Some(html_escape::decode_html_entities(&html[start..end]).into_owned())
}

async fn get(world: &World, b: &Browser, uri: &str) -> Answer {
    world.send(Call::get(uri).by(b).build()).await
}

async fn page(world: &World, b: &Browser, uri: &str) -> String {
    let answer = get(world, b, uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    answer.body
}

#[tokio::test]
async fn each_view_lists_its_cases_with_the_counts_beside_it() {
    let s = seeded().await;
    let (world, me) = (&s.world, s.agent.id);
    let care = world.engine.care();
    let all = engine_list(world, InboxView::AllOpen, InboxSort::Priority).await;
    assert!(all.len() >= 6, "the sample opens cases: {all:?}");
    let now = Utc::now();

    // Shape the cases: two for the agent, one urgent, one in the agent's team, one resolved.
    let (a, b, c, d, e) = (all[0], all[1], all[2], all[3], all[4]);
    for id in [a, b] {
        care.assign(CaseId(id), Some(me), me, now).await.unwrap();
    }
    care.set_priority(CaseId(c), Priority::Urgent, me, now)
        .await
        .unwrap();
    let team = care
        .store()
        .settings()
        .put_team(&TeamSpec {
            name: "Tier <1>".into(),
            members: vec![me],
            calendar: BusinessCalendar::always_open(BusinessCalendar::parse_tz("UTC").unwrap()),
            sla_policy: None,
        })
        .await
        .unwrap();
    care.set_team(CaseId(d), Some(team.id), me, now)
        .await
        .unwrap();
    care.apply(CaseId(e), CaseAction::Resolve, me, now)
        .await
        .unwrap();

    let b_ = &s.agent_b;
    let default = page(world, b_, "/inbox").await;
    let open = engine_list(world, InboxView::AllOpen, InboxSort::Priority).await;
    assert_eq!(
        row_ids(&default),
        open,
        "the default view is all open cases"
    );
    assert!(!open.contains(&e), "a resolved case leaves the open views");

    let counts = sidebar(&default);
    let mine = page(world, b_, "/inbox?view=mine").await;
    let mut mine_ids = row_ids(&mine);
    mine_ids.sort();
    assert_eq!(mine_ids, vec![a.min(b), a.max(b)]);
    assert_eq!(counts["mine"], 2);

    let unassigned = row_ids(&page(world, b_, "/inbox?view=unassigned").await);
    assert!(!unassigned.contains(&a) && !unassigned.contains(&b));
    assert_eq!(
        unassigned,
        engine_list(world, InboxView::Unassigned, InboxSort::Priority).await
    );
    assert_eq!(counts["unassigned"], unassigned.len() as u64);
    assert_eq!(counts["all"], open.len() as u64);

    let team_key = format!("team:{}", team.id.0);
    let team_page = page(world, b_, &format!("/inbox?view={team_key}")).await;
    assert_eq!(row_ids(&team_page), vec![d]);
    assert_eq!(counts[&team_key], 1);
    assert!(
        !team_page.contains("Tier <1>"),
        "the team's name is escaped"
    );
    assert!(html_escape::decode_html_entities(&team_page).contains("Tier <1>"));

    let urgent = row_ids(&page(world, b_, "/inbox?view=priority:urgent").await);
    assert!(urgent.contains(&c));
    assert_eq!(
        urgent,
        engine_list(
            world,
            InboxView::Priority(Priority::Urgent),
            InboxSort::Priority
        )
        .await
    );
    assert_eq!(counts["priority:urgent"], urgent.len() as u64);

    let topic = world.engine.topics().await.unwrap()[0].topic.id;
    let by_topic = row_ids(&page(world, b_, &format!("/inbox?view=topic:{}", topic.0)).await);
    let expected = engine_list(world, InboxView::Topic(topic), InboxSort::Priority).await;
    assert_eq!(by_topic, expected);
    // The sample's customers ask for help: the topic view has cases to show.
    assert!(!expected.is_empty(), "no open case matched the Help topic");
    assert_eq!(counts[&format!("topic:{}", topic.0)], expected.len() as u64);

    let at_risk = row_ids(&page(world, b_, "/inbox?view=at_risk").await);
    assert_eq!(
        at_risk,
        engine_list(world, InboxView::AtRisk, InboxSort::Priority).await
    );
    assert_eq!(counts["at_risk"], at_risk.len() as u64);

    // The row shows what the inbox needs about the case.
    let urgent_page = page(world, b_, "/inbox?view=mine").await;
    assert!(urgent_page.contains(&format!("href=\"/cases/{a}\"")));
    assert!(urgent_page.contains("aria-current=\"page\"><span class=\"view-label\">Mine"));

    // A bad address falls back to all open cases and says why, never an error page.
    let bad = page(world, b_, "/inbox?view=nonsense&sort=sideways&after=x").await;
    assert_eq!(row_ids(&bad), open);
    assert!(bad.contains("Unknown view"), "{bad}");
    assert!(bad.contains("unknown sort"));
    assert!(bad.contains("invalid cursor"));
}

#[tokio::test]
async fn sorts_and_keyset_pages_walk_every_case_once() {
    let s = seeded().await;
    let world = &s.world;
    for (sort, name) in [
        (InboxSort::Priority, "priority"),
        (InboxSort::SlaDue, "sla_due"),
        (InboxSort::Newest, "newest"),
        (InboxSort::Oldest, "oldest"),
    ] {
        let expected = engine_list(world, InboxView::AllOpen, sort).await;
        let html = page(world, &s.agent_b, &format!("/inbox?view=all&sort={name}")).await;
        assert_eq!(row_ids(&html), expected, "sort {name}");
        assert!(html.contains(&format!("<option value=\"{name}\" selected>")));
    }
    let newest = engine_list(world, InboxView::AllOpen, InboxSort::Newest).await;
    let oldest = engine_list(world, InboxView::AllOpen, InboxSort::Oldest).await;
    assert_ne!(newest, oldest);

    // Pages of 4, following the "Next page" links to the end.
    let mut uri = "/inbox?view=all&sort=oldest&limit=4".to_string();
    let mut walked = Vec::new();
    let mut pages = 0;
    loop {
        let html = page(world, &s.agent_b, &uri).await;
        let ids = row_ids(&html);
        assert!(ids.len() <= 4 && !ids.is_empty(), "{uri}: {ids:?}");
        let full = ids.len() == 4;
        walked.extend(ids);
        pages += 1;
        if pages > 1 {
            assert!(html.contains(">First page</a>"));
        }
        match next_link(&html) {
            Some(next) => {
                assert!(full, "only a full page has a next one");
                uri = next;
            }
            None => break,
        }
    }
    assert_eq!(walked, oldest, "every case once, in order");
    assert_eq!(pages, oldest.len().div_ceil(4), "no empty page at the end");

    let bad = page(world, &s.agent_b, "/inbox?limit=100000").await;
    assert!(bad.contains("Page size"));
}

/// Posts the bulk form as `b` and follows the redirect, returning the message shown.
async fn bulk(world: &World, b: &Browser, fields: &[(&str, &str)]) -> String {
    let mut pairs = vec![("csrf", b.csrf.as_str())];
    pairs.extend_from_slice(fields);
    let answer = world
        .send(Call::post("/inbox/bulk").by(b).form(&pairs).build())
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let back = answer.location().unwrap().to_string();
    assert!(back.starts_with("/inbox"), "{back}");
    let flash = answer.cookie("rapport_inbox_flash").expect("a message");
    let shown = world
        .send(
            Call::get(back)
                .by(b)
                .cookie("rapport_inbox_flash", &flash)
                .build(),
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(
        shown.cookie("rapport_inbox_flash").as_deref(),
        Some(""),
        "the message is shown once"
    );
    let at = shown.body.find("id=\"inbox-message\"").unwrap();
    let rest = &shown.body[at..];
    let text = &rest[rest.find('>').unwrap() + 1..rest.find("</p>").unwrap()];
    html_escape::decode_html_entities(text).into_owned()
}

async fn events_by(world: &World, id: i64, by: User) -> Vec<CaseChange> {
    world
        .engine
        .care()
        .case_page(CaseId(id))
        .await
        .unwrap()
        .events
        .into_iter()
        .filter(|e| e.actor == Actor::User(by.id))
        .map(|e| e.change)
        .collect()
}

#[tokio::test]
async fn bulk_actions_write_audit_events_and_refuse_wrong_cases_cleanly() {
    let s = seeded().await;
    let world = &s.world;
    let all = engine_list(world, InboxView::AllOpen, InboxSort::Oldest).await;
    let (a, b, c) = (all[0].to_string(), all[1].to_string(), all[2].to_string());

    let said = bulk(
        world,
        &s.agent_b,
        &[
            ("action", "assign_me"),
            ("case", &a),
            ("case", &b),
            ("view", "mine"),
        ],
    )
    .await;
    assert_eq!(said, "Assigned to you: 2 cases.");
    let mine = row_ids(&page(world, &s.agent_b, "/inbox?view=mine").await);
    assert_eq!(mine.len(), 2);
    for id in [all[0], all[1]] {
        assert!(mine.contains(&id));
        assert_eq!(
            events_by(world, id, s.agent.clone()).await,
            vec![CaseChange::Assignee {
                from: None,
                to: Some(s.agent.id)
            }]
        );
    }

    // Priority and tag go through the use cases too.
    let said = bulk(
        world,
        &s.agent_b,
        &[("action", "priority"), ("priority", "urgent"), ("case", &c)],
    )
    .await;
    assert_eq!(said, "Set to urgent priority: 1 case.");
    let said = bulk(
        world,
        &s.agent_b,
        &[("action", "tag"), ("tag", "Billing"), ("case", &c)],
    )
    .await;
    assert_eq!(said, "Tagged 'Billing': 1 case.");
    let tagged = page(world, &s.agent_b, "/inbox?view=priority:urgent").await;
    assert!(tagged.contains("<span class=\"tag\">billing</span>"));

    // Close resolves first; a closed case cannot be resolved again, and says so.
    let said = bulk(world, &s.agent_b, &[("action", "close"), ("case", &a)]).await;
    assert_eq!(said, "Closed: 1 case.");
    let record = world
        .engine
        .care()
        .case(CaseId(all[0]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.case.status, CaseStatus::Closed);
    let said = bulk(
        world,
        &s.agent_b,
        &[
            ("action", "resolve"),
            ("case", &a),
            ("case", &b),
            ("case", "999999"),
        ],
    )
    .await;
    assert_eq!(
        said,
        format!(
            "Resolved: 1 case. Not changed: 2 cases: case {a}: cannot apply 'resolve' to a \
             closed case; case 999999: no such case."
        )
    );
    let b_events = events_by(world, all[1], s.agent.clone()).await;
    assert!(b_events.contains(&CaseChange::Status {
        from: CaseStatus::New,
        to: CaseStatus::Resolved,
        action: CaseAction::Resolve
    }));

    // Assigning to someone who may not work cases, or with nothing checked, changes nothing.
    let analyst = world
        .accounts
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "analyst")
        .unwrap();
    let said = bulk(
        world,
        &s.admin_b,
        &[
            ("action", "assign"),
            ("assignee", &analyst.id.0.to_string()),
            ("case", &c),
        ],
    )
    .await;
    assert!(said.contains("cannot be assigned cases"), "{said}");
    let said = bulk(world, &s.admin_b, &[("action", "assign_me")]).await;
    assert_eq!(said, "Select at least one case.");
    let said = bulk(world, &s.admin_b, &[("action", "explode"), ("case", &c)]).await;
    assert_eq!(said, "Unknown action 'explode'.");
    let c_record = world.engine.care().case(CaseId(all[2])).await.unwrap();
    assert_eq!(c_record.unwrap().case.assignee, None);

    // The page's script gets the outcome as JSON.
    let answer = world
        .send(
            Call::post("/inbox/bulk")
                .by(&s.agent_b)
                .form(&[
                    ("csrf", &s.agent_b.csrf),
                    ("reply", "json"),
                    ("action", "resolve"),
                    ("case", &a),
                ])
                .build(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["failed"], 1);
    assert_eq!(
        json["message"],
        format!("Not changed: 1 case: case {a}: cannot apply 'resolve' to a closed case.")
    );
}

#[tokio::test]
async fn the_event_stream_delivers_a_case_change() {
    let s = seeded().await;
    let world = &s.world;
    let id = engine_list(world, InboxView::AllOpen, InboxSort::Oldest).await[0];
    let request = Request::get("/inbox/events")
        .header(
            header::COOKIE,
            format!("rapport_session={}", s.agent_b.session.as_ref().unwrap()),
        )
        .body(Body::empty())
        .unwrap();
    let response = app(world.state.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let mut body = response.into_body().into_data_stream();
    let mut seen = String::new();
    // Read until `marker` has arrived; a stream that stops or stalls fails the test.
    async fn read_until(
        body: &mut (impl futures::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin),
        seen: &mut String,
        marker: &str,
    ) {
        while !seen.contains(marker) {
            let chunk = tokio::time::timeout(Duration::from_secs(30), body.next())
                .await
                .unwrap_or_else(|_| panic!("no {marker:?} in {seen:?}"))
                .expect("the stream stays open")
                .unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    read_until(&mut body, &mut seen, "event: ready").await;
    world
        .engine
        .care()
        .assign(CaseId(id), Some(s.agent.id), s.agent.id, Utc::now())
        .await
        .unwrap();
    read_until(&mut body, &mut seen, "event: case\n").await;
    read_until(&mut body, &mut seen, "\n\n").await;
    let data = seen
        .split("event: case\n")
        .nth(1)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap();
    let event: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(event["case_id"], id);
    assert_eq!(event["kind"], "updated");
    // The case as the assignment left it: pending, the brand's reply in the sample being the
    // agent's reply on it.
    let status = world
        .engine
        .care()
        .case(CaseId(id))
        .await
        .unwrap()
        .unwrap()
        .case
        .status;
    assert_eq!(status, rapport_domain::CaseStatus::Pending);
    assert_eq!(event["status"], status.as_str());
    assert_eq!(event["assignee"], s.agent.id.0);
    assert!(event["version"].as_i64().unwrap() >= 2);

    // A stream asked to end soon ends (the browser connects again).
    let short = world
        .send(Call::get("/inbox/events?max_secs=0").by(&s.agent_b).build())
        .await;
    assert_eq!(short.status, StatusCode::OK);
}

#[tokio::test]
async fn only_inbox_roles_get_in_and_forms_need_their_token() {
    let s = seeded().await;
    let world = &s.world;
    let analyst = world.session("analyst").await;
    for uri in ["/inbox", "/inbox/events?max_secs=0", "/inbox?fragment=1"] {
        assert_eq!(
            get(world, &analyst, uri).await.status,
            StatusCode::FORBIDDEN
        );
        assert!(
            get(world, &Browser::default(), uri)
                .await
                .is_redirect_to("/login")
        );
    }
    let id = engine_list(world, InboxView::AllOpen, InboxSort::Oldest).await[0].to_string();
    let refused = world
        .send(
            Call::post("/inbox/bulk")
                .by(&analyst)
                .form(&[
                    ("csrf", &analyst.csrf),
                    ("action", "assign_me"),
                    ("case", &id),
                ])
                .build(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for token in [None, Some("0".repeat(64)), Some(s.admin_b.csrf.clone())] {
        let mut pairs = vec![("action", "assign_me"), ("case", id.as_str())];
        if let Some(t) = &token {
            pairs.push(("csrf", t));
        }
        let forged = world
            .send(
                Call::post("/inbox/bulk")
                    .by(&s.agent_b)
                    .form(&pairs)
                    .build(),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{token:?}");
        assert!(forged.body.contains("This form expired"));
    }
    let unchanged = world
        .engine
        .care()
        .case(CaseId(id.parse().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.case.assignee, None);
    assert_eq!(unchanged.version, 1);

    // Agents see the inbox in the menu and on the start page; analysts do not.
    let home = page(world, &s.agent_b, "/").await;
    assert!(home.contains("<a href=\"/inbox\""));
    let home = page(world, &analyst, "/").await;
    assert!(!home.contains("/inbox"));

    // The fragment holds the counts and the list only, for the page's script.
    let fragment = page(world, &s.agent_b, "/inbox?fragment=1").await;
    assert!(
        fragment.starts_with("<div id=\"inbox-counts\">"),
        "{fragment}"
    );
    assert!(!fragment.contains("<html"));
    assert!(fragment.contains("id=\"inbox-list\""));
    let full = page(world, &s.agent_b, "/inbox").await;
    assert!(full.contains("<script src=\"/assets/inbox.js\" defer></script>"));
    assert!(full.contains("id=\"shortcuts\" class=\"dialog\" role=\"dialog\""));
    let js = get(world, &Browser::default(), "/assets/inbox.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("EventSource(\"/inbox/events\")"));
}

#[tokio::test]
async fn post_text_and_names_are_escaped_in_the_inbox() {
    let s = seeded().await;
    let world = &s.world;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(
        f,
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
         900001,\"<b onmouseover=alert(2)>mallory</b>\",True,Tue Oct 31 22:10:47 +0000 2017,\
         \"@AppleSupport help <script>alert(1)</script> \"\"><img src=x onerror=alert(3)>\",,"
    )
    .unwrap();
    drop(f);
    world.import_twcs(&path).await;
    let html = page(world, &s.agent_b, "/inbox?sort=newest").await;
    let tags: BTreeSet<String> = html
        .split('<')
        .skip(1)
        .map(|t| {
            t.split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .next()
                .unwrap()
                .to_ascii_lowercase()
        })
        .collect();
    assert!(!tags.contains("b") && !tags.contains("img"), "{tags:?}");
    let read = html_escape::decode_html_entities(&html);
    assert!(
        read.contains("<script>alert(1)</script>"),
        "{}",
        &html[html.find("<main").unwrap()..]
    );
    assert!(read.contains("<b onmouseover=alert(2)>mallory</b>"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("onerror=alert(3)>"));
    assert_eq!(
        html.matches("<script").count(),
        2,
        "the UI's two scripts and nothing else"
    );
}

/// The at-risk view with an SLA policy in force lists the case whose customer is still
/// waiting, and not the case whose every post was answered. Known from the file, not from
/// the engine: customer 105848 wrote to AppleSupport at 13:48 and 15:44 on 11 October 2017
/// after its answer (tweets 119290 and 119291) and nobody answered again; customer 105840's
/// four posts to SpotifyCares were each answered within the hour (119256 at 12:53 by 119254
/// at 13:41, ..., 119260 at 14:22 by 119261 at 14:41).
#[tokio::test]
async fn the_at_risk_view_lists_the_customer_still_waiting_for_an_answer() {
    let world = World::new(WebConfig::default()).await;
    common::day_policy(&world).await;
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    world.user("admin", Role::Admin).await;
    world.user("agent", Role::Agent).await;
    let agent = world.session("agent").await;
    let waiting = common::case_of_tweet(&world, "119290").await;
    assert_eq!(common::case_of_tweet(&world, "119291").await, waiting);
    let answered = common::case_of_tweet(&world, "119260").await;
    assert_eq!(common::case_of_tweet(&world, "119255").await, answered);

    let all = page(&world, &agent, "/inbox?view=all").await;
    let open = row_ids(&all);
    assert!(
        open.contains(&waiting.0) && open.contains(&answered.0),
        "both cases are open: {open:?}"
    );
    let html = page(&world, &agent, "/inbox?view=at_risk").await;
    let at_risk = row_ids(&html);
    assert!(
        at_risk.contains(&waiting.0),
        "case {waiting} waits since 2017: {at_risk:?}"
    );
    assert!(
        !at_risk.contains(&answered.0),
        "case {answered} was answered every time: {at_risk:?}"
    );
    let row = &html[html
        .find(&format!("<tr data-case-id=\"{waiting}\""))
        .unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("sla-breached"), "{row}");
    assert_eq!(sidebar(&html)["at_risk"], at_risk.len() as u64);
    let on_time = &all[all
        .find(&format!("<tr data-case-id=\"{answered}\""))
        .unwrap()..];
    let on_time = &on_time[..on_time.find("</tr>").unwrap()];
    assert!(
        !on_time.contains("sla-breached") && !on_time.contains("sla-at_risk"),
        "{on_time}"
    );
}

/// `POST /undo` with `token`, back to all open cases.
async fn undo(world: &World, b: &Browser, token: &str) -> Answer {
    world
        .send(
            Call::post("/undo")
                .by(b)
                .form(&[
                    ("csrf", b.csrf.as_str()),
                    ("token", token),
                    ("back", "/inbox?view=all"),
                ])
                .build(),
        )
        .await
}

/// A bulk action comes back with an undo token (in the address for the form, in the JSON for
/// the page's script); `POST /undo` puts each case's status, assignee and priority back, once,
/// and leaves alone a case someone changed since.
#[tokio::test]
async fn a_bulk_action_is_undone_case_by_case() {
    let s = seeded().await;
    let world = &s.world;
    let care = world.engine.care();
    let all = engine_list(world, InboxView::AllOpen, InboxSort::Oldest).await;
    let (a, b, c) = (CaseId(all[0]), CaseId(all[1]), CaseId(all[2]));
    // Case b waits on the customer, assigned to the agent: undo must bring back both.
    care.assign(b, Some(s.agent.id), s.agent.id, Utc::now())
        .await
        .unwrap();
    care.apply(b, CaseAction::AwaitCustomer, s.agent.id, Utc::now())
        .await
        .unwrap();
    let before: Vec<_> = {
        let mut v = Vec::new();
        for id in [a, b, c] {
            v.push(care.case(id).await.unwrap().unwrap().case);
        }
        v
    };
    assert_eq!(before[1].status, CaseStatus::Pending);
    let admin = world
        .accounts
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "admin")
        .unwrap();

    // "Resolve and close" on three cases, from the form (no script).
    let (ids, csrf) = ([a, b, c].map(|id| id.0.to_string()), s.admin_b.csrf.clone());
    let answer = world
        .send(
            Call::post("/inbox/bulk")
                .by(&s.admin_b)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("action", "close"),
                    ("view", "all"),
                    ("case", &ids[0]),
                    ("case", &ids[1]),
                    ("case", &ids[2]),
                ])
                .build(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let back = answer.location().unwrap().to_string();
    let token = back
        .strip_prefix("/inbox?view=all&undo=")
        .unwrap_or_else(|| panic!("{back}"))
        .to_string();
    for id in [a, b, c] {
        let now = care.case(id).await.unwrap().unwrap().case;
        assert_eq!(now.status, CaseStatus::Closed, "case {id}");
    }
    let shown = page(world, &s.admin_b, &back).await;
    let toast = &shown[shown.find("id=\"undo-toast\"").unwrap()..];
    let toast = &toast[..toast.find("</div>").unwrap()];
    assert!(!toast.contains(" hidden"), "{toast}");
    assert!(toast.contains(&format!("value=\"{token}\"")), "{toast}");

    // Someone changes case c meanwhile: the undo leaves it as they left it.
    care.set_priority(c, Priority::Low, admin.id, Utc::now())
        .await
        .unwrap();
    let c_now = care.case(c).await.unwrap().unwrap();

    let answer = undo(world, &s.admin_b, &token).await;
    assert!(answer.is_redirect_to("/inbox?view=all"), "{answer:?}");
    let said =
        String::from_utf8(hex::decode(answer.cookie("rapport_inbox_flash").unwrap()).unwrap())
            .unwrap();
    assert_eq!(
        said,
        format!("Undone: 2 cases are back as they were. Not undone: case {c}: changed since.")
    );
    for (id, was) in [(a, &before[0]), (b, &before[1])] {
        let now = care.case(id).await.unwrap().unwrap().case;
        assert_eq!(
            (now.status, now.assignee, now.priority),
            (was.status, was.assignee, was.priority),
            "case {id}"
        );
    }
    assert_eq!(
        care.case(c).await.unwrap().unwrap(),
        c_now,
        "case c as left"
    );
    let undone = events_by(world, b.0, admin).await;
    assert!(
        undone.contains(&CaseChange::Status {
            from: CaseStatus::Closed,
            to: CaseStatus::Pending,
            action: CaseAction::Undo,
        }),
        "{undone:?}"
    );
    // A token undoes once.
    let again = undo(world, &s.admin_b, &token).await;
    let said =
        String::from_utf8(hex::decode(again.cookie("rapport_inbox_flash").unwrap()).unwrap())
            .unwrap();
    assert!(said.starts_with("Too late to undo"), "{said}");

    // The script's answer carries the token; an analyst cannot use the route at all.
    let answer = world
        .send(
            Call::post("/inbox/bulk")
                .by(&s.agent_b)
                .form(&[
                    ("csrf", s.agent_b.csrf.as_str()),
                    ("reply", "json"),
                    ("action", "assign_me"),
                    ("case", &ids[0]),
                ])
                .build(),
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let token = json["undo"].as_str().expect("an undo token").to_string();
    // The admin cannot take back the agent's action.
    let answer = undo(world, &s.admin_b, &token).await;
    let said =
        String::from_utf8(hex::decode(answer.cookie("rapport_inbox_flash").unwrap()).unwrap())
            .unwrap();
    assert!(said.starts_with("Too late to undo"), "{said}");
    assert_eq!(
        care.case(a).await.unwrap().unwrap().case.assignee,
        Some(s.agent.id)
    );
}
