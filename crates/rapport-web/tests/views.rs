//! Inbox filters and saved views over cases made from the real twcs sample. Every expected
//! list is worked out here from the case records and their posts with a plain filter, never
//! from the query under test, and each is checked to be non-empty first.

mod common;

use axum::http::StatusCode;
use chrono::Utc;
use common::{Answer, Browser, Call, TWCS_SAMPLE, World};
use rapport_domain::care::{InboxQuery, InboxSort, InboxView, PageStart, TeamSpec};
use rapport_domain::{
    BusinessCalendar, Intent, Permission, Role, SentimentLabel, StoredPost, User,
};
use rapport_web::WebConfig;
use std::collections::BTreeSet;

/// An active case with its customer posts.
struct Case {
    id: i64,
    opened: chrono::NaiveDate,
    customer: Vec<StoredPost>,
}

struct Seeded {
    world: World,
    agent: User,
    agent_b: Browser,
    cases: Vec<Case>,
    tagged: BTreeSet<i64>,
}

async fn seeded() -> Seeded {
    let world = World::new(WebConfig::default()).await;
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    world.user("admin", Role::Admin).await;
    let agent = world.user("agent", Role::Agent).await;
    let agent_b = world.session("agent").await;
    let care = world.engine.care();
    let page = care
        .inbox(&InboxQuery {
            view: InboxView::AllOpen,
            sort: InboxSort::Oldest,
            limit: 500,
            start: PageStart::First,
        })
        .await
        .unwrap();
    assert!(page.items.len() >= 10, "the sample opens cases");
    let now = Utc::now();
    let mut cases = Vec::new();
    let mut tagged = BTreeSet::new();
    for (n, item) in page.items.iter().enumerate() {
        if n % 4 == 1 {
            care.add_tag(item.id, "vip", agent.id, now).await.unwrap();
            tagged.insert(item.id.0);
        }
        if n % 5 == 2 {
            care.assign(item.id, Some(agent.id), agent.id, now)
                .await
                .unwrap();
        }
        let full = care.case_page(item.id).await.unwrap();
        cases.push(Case {
            id: item.id.0,
            opened: full.record.case.opened_at.date_naive(),
            customer: full
                .posts
                .into_iter()
                .filter(|p| !p.from_own_account)
                .collect(),
        });
    }
    Seeded {
        world,
        agent,
        agent_b,
        cases,
        tagged,
    }
}

fn row_ids(html: &str) -> BTreeSet<i64> {
    html.split("<tr data-case-id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

async fn page(world: &World, b: &Browser, uri: &str) -> String {
    let answer = world.send(Call::get(uri).by(b).build()).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    answer.body
}

fn next_link(html: &str) -> Option<String> {
    let at = html.find("rel=\"next\"")?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    Some(html_escape::decode_html_entities(&html[start..end]).into_owned())
}

fn expect(s: &Seeded, keep: impl Fn(&Case) -> bool) -> BTreeSet<i64> {
    s.cases.iter().filter(|c| keep(c)).map(|c| c.id).collect()
}

fn sentiment(p: &StoredPost) -> Option<SentimentLabel> {
    p.labels.as_ref().map(|l| l.sentiment.label)
}

/// The filters checked, each as an address part with its expected cases.
async fn cases_by_filter(s: &Seeded) -> Vec<(String, BTreeSet<i64>)> {
    let own = s.world.engine.care().own_accounts().await.unwrap();
    let addressed = |c: &Case, handle: &str| {
        c.customer.iter().any(|p| {
            p.post
                .mentions
                .iter()
                .chain(p.post.reply_to_handle.iter())
                .any(|m| m.trim_start_matches('@').eq_ignore_ascii_case(handle))
        })
    };
    // The own account most cases came to.
    let account = own
        .iter()
        .max_by_key(|a| s.cases.iter().filter(|c| addressed(c, &a.handle)).count())
        .expect("the sample has own accounts");
    let mut days: Vec<_> = s.cases.iter().map(|c| c.opened).collect();
    days.sort();
    let (from, to) = (days[days.len() / 4], days[days.len() * 3 / 4]);
    let agent = s.agent.id;
    vec![
        (
            "sentiment=negative".into(),
            expect(s, |c| {
                c.customer
                    .iter()
                    .any(|p| sentiment(p) == Some(SentimentLabel::Negative))
            }),
        ),
        (
            "intent=complaint".into(),
            expect(s, |c| {
                c.customer.iter().any(|p| {
                    p.labels
                        .as_ref()
                        .is_some_and(|l| l.intents.has(Intent::Complaint))
                })
            }),
        ),
        (
            format!("account={}", account.id),
            expect(s, |c| addressed(c, &account.handle)),
        ),
        ("tag=vip".into(), s.tagged.clone()),
        (
            format!("assignee={agent}"),
            s.cases
                .iter()
                .enumerate()
                .filter(|(n, _)| n % 5 == 2)
                .map(|(_, c)| c.id)
                .collect(),
        ),
        (
            format!("from={from}&to={to}"),
            expect(s, |c| c.opened >= from && c.opened <= to),
        ),
        (
            "sentiment=negative&tag=vip".into(),
            expect(s, |c| {
                s.tagged.contains(&c.id)
                    && c.customer
                        .iter()
                        .any(|p| sentiment(p) == Some(SentimentLabel::Negative))
            }),
        ),
    ]
}

#[tokio::test]
async fn each_filter_lists_the_cases_the_data_holds_on_the_page_and_the_api() {
    let s = seeded().await;
    let token = s
        .world
        .token_as(&s.agent, Role::Agent, &Permission::ALL)
        .await;
    for (query, want) in cases_by_filter(&s).await {
        assert!(!want.is_empty(), "{query}: the data holds such cases");
        assert!(want.len() < s.cases.len(), "{query}: and others");
        let uri = format!("/inbox?view=all&sort=oldest&limit=200&{query}");
        let html = page(&s.world, &s.agent_b, &uri).await;
        assert_eq!(row_ids(&html), want, "{uri}");
        assert!(
            html.contains(&format!(
                ">{} case{} the filters.<",
                want.len(),
                if want.len() == 1 {
                    " matches"
                } else {
                    "s match"
                }
            )),
            "{uri}: the count of matching cases is shown"
        );
        // Keyset pages of two walk the same cases, the filters kept in the links.
        let mut walked = BTreeSet::new();
        let mut next = Some(format!("/inbox?view=all&sort=oldest&limit=2&{query}"));
        while let Some(uri) = next {
            let html = page(&s.world, &s.agent_b, &uri).await;
            let rows = row_ids(&html);
            assert!(rows.len() <= 2);
            walked.extend(rows);
            next = next_link(&html);
        }
        assert_eq!(walked, want, "{query} in pages of two");
        // The API takes the same parameters.
        let api = s
            .world
            .send(
                Call::get(format!("/api/v1/cases?limit=500&sort=oldest&{query}"))
                    .bearer(&token)
                    .build(),
            )
            .await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.body);
        let body: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        let got: BTreeSet<i64> = body["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, want, "api {query}");
    }
    // A bad value is explained on the page and refused by the API.
    let html = page(&s.world, &s.agent_b, "/inbox?sentiment=furious").await;
    assert!(html.contains("unknown sentiment"), "{html}");
    let api = s
        .world
        .send(Call::get("/api/v1/cases?sla=late").bearer(&token).build())
        .await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
}

fn flash_location(a: &Answer) -> String {
    assert!(a.status.is_redirection(), "{}: {}", a.status, a.body);
    a.location().unwrap().to_string()
}

#[tokio::test]
async fn a_saved_view_keeps_its_filters_shows_its_count_and_is_renamed_and_deleted() {
    let s = seeded().await;
    let world = &s.world;
    let want = expect(&s, |c| {
        c.customer
            .iter()
            .any(|p| sentiment(p) == Some(SentimentLabel::Negative))
    });
    assert!(!want.is_empty());
    let save = |name: &'static str, scope: String| {
        Call::post("/inbox/views")
            .by(&s.agent_b)
            .form(&[
                ("csrf", &s.agent_b.csrf),
                ("name", name),
                ("scope", &scope),
                ("view", "all"),
                ("sentiment", "negative"),
            ])
            .build()
    };
    // Without the CSRF token nothing is saved.
    let forged = world
        .send(
            Call::post("/inbox/views")
                .by(&s.agent_b)
                .form(&[("name", "forged"), ("view", "all")])
                .build(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let to = flash_location(&world.send(save("<b>Upset</b>", "me".into())).await);
    assert!(to.starts_with("/inbox?saved="), "{to}");
    let id: i64 = to["/inbox?saved=".len()..].parse().unwrap();
    let html = page(world, &s.agent_b, &to).await;
    assert_eq!(row_ids(&html), want, "the saved view lists its cases");
    let at = html.find("Upset").expect("the name is shown");
    assert!(
        html.contains("&#60;b&#62;Upset&#60;"),
        "the name is escaped: {}",
        &html[at - 20..at + 20]
    );
    assert!(!html.contains("<b>Upset</b>"));
    // The sidebar lists it with its live count, on every inbox page.
    let html = page(world, &s.agent_b, "/inbox").await;
    let link = format!("<a href=\"/inbox?saved={id}&amp;sort=priority\"");
    let at = html.find(&link).expect("listed in the sidebar");
    let rest = &html[at..];
    assert!(
        rest[..rest.find("</a>").unwrap()]
            .contains(&format!("aria-label=\"{} cases\"", want.len())),
        "{}",
        &rest[..300.min(rest.len())]
    );
    // The same name again is refused, with a message.
    let again = flash_location(&world.send(save("<b>Upset</b>", "me".into())).await);
    assert!(!again.contains("saved="));
    // Another user does not see a personal view, and cannot open it.
    world.user("other", Role::Agent).await;
    let other = world.session("other").await;
    let html = page(world, &other, "/inbox").await;
    assert!(!html.contains(&format!("saved={id}")));
    let html = page(world, &other, &format!("/inbox?saved={id}")).await;
    assert!(html.contains("not shared with you"));
    // Rename.
    let renamed = world
        .send(
            Call::post(format!("/inbox/views/{id}/rename"))
                .by(&s.agent_b)
                .form(&[("csrf", &s.agent_b.csrf), ("name", "Upset customers")])
                .build(),
        )
        .await;
    flash_location(&renamed);
    let html = page(world, &s.agent_b, &format!("/inbox?saved={id}")).await;
    assert!(html.contains("Upset customers"));
    // Deleting asks first and changes nothing until confirmed.
    let delete = |confirm: bool| {
        let mut form = vec![("csrf", s.agent_b.csrf.as_str())];
        if confirm {
            form.push(("confirm", "yes"));
        }
        Call::post(format!("/inbox/views/{id}/delete"))
            .by(&s.agent_b)
            .form(&form)
            .build()
    };
    let asked = world.send(delete(false)).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("Delete the view"), "{}", asked.body);
    assert!(page(world, &s.agent_b, "/inbox").await.contains(&link));
    // Someone else cannot delete it.
    let theirs = world
        .send(
            Call::post(format!("/inbox/views/{id}/delete"))
                .by(&other)
                .form(&[("csrf", &other.csrf), ("confirm", "yes")])
                .build(),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    flash_location(&world.send(delete(true)).await);
    assert!(!page(world, &s.agent_b, "/inbox").await.contains(&link));
}

#[tokio::test]
async fn team_views_are_seen_by_the_team_and_the_api_lists_saves_and_deletes_them() {
    let s = seeded().await;
    let world = &s.world;
    let member = world.user("member", Role::Agent).await;
    let outsider = world.user("outsider", Role::Agent).await;
    let team = world
        .engine
        .care()
        .store()
        .settings()
        .put_team(&TeamSpec {
            name: "Care".into(),
            members: vec![s.agent.id, member.id],
            calendar: BusinessCalendar::always_open(BusinessCalendar::parse_tz("UTC").unwrap()),
            sla_policy: None,
        })
        .await
        .unwrap();
    let agent_t = world
        .token_as(&s.agent, Role::Agent, &Permission::ALL)
        .await;
    let member_t = world.token_as(&member, Role::Agent, &Permission::ALL).await;
    let outsider_t = world
        .token_as(&outsider, Role::Agent, &Permission::ALL)
        .await;
    let created = world
        .send(
            Call::post("/api/v1/views")
                .bearer(&agent_t)
                .json(&format!(
                    r#"{{"name":"VIPs","team_id":{},"filters":{{"tag":"vip"}}}}"#,
                    team.id
                ))
                .build(),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let v: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!(v["count"], s.tagged.len() as u64);
    assert_eq!(v["filters"]["tag"], "vip");
    let id = v["id"].as_i64().unwrap();
    let listed = |t: &str| {
        let t = t.to_string();
        async move {
            let a = world
                .send(Call::get("/api/v1/views").bearer(&t).build())
                .await;
            assert_eq!(a.status, StatusCode::OK);
            let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
            v["views"].as_array().unwrap().clone()
        }
    };
    let seen = listed(&member_t).await;
    assert_eq!(seen.len(), 1, "the team sees it");
    assert_eq!(seen[0]["count"], s.tagged.len() as u64);
    assert_eq!(seen[0]["own"], false);
    assert!(listed(&outsider_t).await.is_empty(), "others do not");
    // A team the caller is not in, an unknown filter: refused.
    let not_mine = world
        .send(
            Call::post("/api/v1/views")
                .bearer(&outsider_t)
                .json(&format!(r#"{{"name":"x","team_id":{}}}"#, team.id))
                .build(),
        )
        .await;
    assert_eq!(not_mine.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = world
        .send(
            Call::post("/api/v1/views")
                .bearer(&agent_t)
                .json(r#"{"name":"y","filters":{"mood":"bad"}}"#)
                .build(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    // Only the owner deletes it.
    let uri = format!("/api/v1/views/{id}");
    let by_member = world
        .send(Call::new("DELETE", uri.clone()).bearer(&member_t).build())
        .await;
    assert_eq!(by_member.status, StatusCode::NOT_FOUND);
    let by_owner = world
        .send(Call::new("DELETE", uri.clone()).bearer(&agent_t).build())
        .await;
    assert_eq!(by_owner.status, StatusCode::NO_CONTENT);
    assert!(listed(&member_t).await.is_empty());
    let twice = world
        .send(Call::new("DELETE", uri).bearer(&agent_t).build())
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
}
