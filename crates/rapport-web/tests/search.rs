//! Search everywhere (`/search` and `/api/v1/search`) over the real twcs sample. What each
//! search must find is counted here straight from the CSV file: a post holds a word when the
//! word is one of its runs of letters and digits (links left out), its case is the one the
//! store put the tweet in, and its author is a contact unless the row is the brand's
//! (`inbound` false).

mod common;

use axum::http::StatusCode;
use common::{Browser, Call, PASSWORD, TWCS_SAMPLE, World};
use rapport_domain::{Author, Engagement, Network, Permission, Post, PostKey, Role};
use rapport_engine::EngineConfig;
use rapport_web::WebConfig;
use std::collections::BTreeSet;
use std::time::Duration;

struct Row {
    tweet_id: String,
    author: String,
    inbound: bool,
    words: BTreeSet<String>,
}

/// The sample's rows, each with its words.
fn rows() -> Vec<Row> {
    let mut reader = csv::Reader::from_path(TWCS_SAMPLE).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let text = r[4].to_lowercase();
            let words = text
                .split_whitespace()
                .filter(|t| !t.starts_with("http://") && !t.starts_with("https://"))
                .flat_map(|t| {
                    t.split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect();
            Row {
                tweet_id: r[0].to_string(),
                author: r[1].to_string(),
                inbound: &r[2] == "True",
                words,
            }
        })
        .collect()
}

/// What a search must find: the matching rows, their cases, their customers.
struct Expected {
    posts: usize,
    cases: BTreeSet<i64>,
    authors: BTreeSet<String>,
}

async fn expected(world: &World, matching: impl Fn(&Row) -> bool) -> Expected {
    let hits: Vec<Row> = rows().into_iter().filter(|r| matching(r)).collect();
    let mut cases = BTreeSet::new();
    for r in &hits {
        if let Some(case) = case_of(world, &r.tweet_id).await {
            cases.insert(case);
        }
    }
    Expected {
        posts: hits.len(),
        cases,
        authors: hits
            .iter()
            .filter(|r| r.inbound)
            .map(|r| r.author.clone())
            .collect(),
    }
}

/// The case the store put a tweet in, if it is in one (a post that is not addressed to a brand
/// opens none).
async fn case_of(world: &World, tweet: &str) -> Option<i64> {
    let key = PostKey {
        network: Network::X,
        native_id: tweet.into(),
    };
    let store = world.engine.store();
    let post = store
        .posts()
        .post_by_key(&key)
        .await
        .unwrap()
        .expect("stored");
    store
        .cases()
        .case_of_post(post.id)
        .await
        .unwrap()
        .map(|c| c.0)
}

fn has(r: &Row, w: &str) -> bool {
    r.words.contains(w)
}

struct Desk {
    world: World,
    grace: rapport_domain::User,
    ann: rapport_domain::User,
    agent: Browser,
    analyst: Browser,
}

async fn desk(engine: EngineConfig) -> Desk {
    let world = World::with_engine(WebConfig::default(), engine).await;
    world.user("ada", Role::Admin).await;
    let grace = world
        .accounts
        .create_user("grace", "Grace H.", Role::Agent, PASSWORD)
        .await
        .unwrap();
    let ann = world
        .accounts
        .create_user("ann", "Ann A.", Role::Analyst, PASSWORD)
        .await
        .unwrap();
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    Desk {
        grace,
        ann,
        agent: world.session("grace").await,
        analyst: world.session("ann").await,
        world,
    }
}

async fn get(world: &World, b: &Browser, uri: &str) -> (StatusCode, String) {
    let a = world.send(Call::get(uri).by(b).build()).await;
    (a.status, a.body)
}

/// The number a group's heading shows.
fn count(html: &str, kind: &str) -> Option<usize> {
    let marker = format!("id=\"count-{kind}\">");
    let at = html.find(&marker)? + marker.len();
    html[at..].split('<').next()?.parse().ok()
}

/// The part of the page holding one group.
fn group<'a>(html: &'a str, kind: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"results-{kind}\""))
        .unwrap_or_else(|| panic!("no {kind} group"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

/// The case ids a group links to.
fn linked_cases(html: &str) -> BTreeSet<i64> {
    html.split("<a href=\"/cases/")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

#[tokio::test]
async fn plain_words_find_posts_cases_and_contacts_as_counted_from_the_csv() {
    let d = desk(EngineConfig::default()).await;
    let w = &d.world;

    let want = expected(w, |r| has(r, "phone")).await;
    assert!(
        want.posts >= 6 && want.cases.len() >= 3,
        "the sample talks of phones"
    );
    let (status, html) = get(w, &d.agent, "/search?q=phone").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(&html, "posts"), Some(want.posts));
    assert_eq!(count(&html, "cases"), Some(want.cases.len()));
    assert_eq!(count(&html, "contacts"), Some(want.authors.len()));
    // Five of each on the overview, the newest first, each case one of those expected.
    let cases = linked_cases(group(&html, "cases"));
    assert_eq!(cases.len(), want.cases.len().min(5));
    assert!(cases.is_subset(&want.cases), "{cases:?} {:?}", want.cases);
    assert_eq!(
        group(&html, "posts")
            .matches("class=\"search-result\"")
            .count(),
        5
    );
    // All of them one click away.
    assert!(html.contains(r#"<a href="/search?q=phone&#38;kind=posts" id="more-posts">"#));
    assert!(html.contains(r#"<a href="/topics/backtest?q=phone" id="backtest-posts">"#));
    let (_, more) = get(w, &d.agent, "/search?q=phone&kind=posts").await;
    assert_eq!(
        group(&more, "posts")
            .matches("class=\"search-result\"")
            .count(),
        want.posts
    );
    assert!(!more.contains("id=\"results-cases\""));
    let (_, more) = get(w, &d.agent, "/search?q=phone&kind=cases").await;
    assert_eq!(linked_cases(group(&more, "cases")), want.cases);

    // Every word must appear; the brand's posts are posts and cases, never contacts.
    let want = expected(w, |r| has(r, "dm") && has(r, "help")).await;
    assert!(want.posts >= 5);
    let (_, html) = get(w, &d.agent, "/search?q=DM+help").await;
    assert_eq!(count(&html, "posts"), Some(want.posts));
    assert_eq!(count(&html, "cases"), Some(want.cases.len()));
    assert_eq!(count(&html, "contacts"), Some(want.authors.len()));

    // A customer found by their handle, with the posts that name them.
    let handle = rows()
        .into_iter()
        .find(|r| r.inbound)
        .map(|r| r.author)
        .unwrap();
    let want = expected(w, |r| has(r, &handle)).await;
    let named: BTreeSet<String> = rows()
        .into_iter()
        .filter(|r| r.inbound && r.author.contains(&handle))
        .map(|r| r.author)
        .collect();
    let (_, html) = get(w, &d.agent, &format!("/search?q={handle}")).await;
    assert_eq!(count(&html, "posts"), Some(want.posts));
    assert_eq!(
        count(&html, "contacts"),
        Some(named.union(&want.authors).count())
    );
    let contacts = group(&html, "contacts");
    assert!(contacts.contains(&format!("x: @{handle}")), "{contacts}");
    assert!(contacts.contains("found by name or handle"));
}

#[tokio::test]
async fn the_query_language_works_in_the_same_box() {
    let d = desk(EngineConfig::default()).await;
    let w = &d.world;
    type Matching = Box<dyn Fn(&Row) -> bool>;
    let queries: [(&str, Matching); 3] = [
        (
            "help OR thanks",
            Box::new(|r| has(r, "help") || has(r, "thanks")),
        ),
        (
            "phone -battery",
            Box::new(|r| has(r, "phone") && !has(r, "battery")),
        ),
        (
            "help from:AppleSupport",
            Box::new(|r| has(r, "help") && r.author.eq_ignore_ascii_case("applesupport")),
        ),
    ];
    for (q, matching) in queries {
        let want = expected(w, matching).await;
        assert!(want.posts > 0, "{q} finds something in the sample");
        let (status, html) = get(w, &d.agent, &format!("/search?q={}", common::encode(q))).await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert_eq!(count(&html, "posts"), Some(want.posts), "{q}");
        assert_eq!(count(&html, "cases"), Some(want.cases.len()), "{q}");
        assert_eq!(count(&html, "contacts"), Some(want.authors.len()), "{q}");
        assert!(!html.contains("id=\"search-ran\""), "{q} ran as written");
    }
}

#[tokio::test]
async fn each_role_sees_only_the_kinds_it_may_read_and_every_page_has_the_box() {
    let d = desk(EngineConfig::default()).await;
    let w = &d.world;
    let want = expected(w, |r| has(r, "phone")).await;
    let (status, html) = get(w, &d.analyst, "/search?q=phone").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(&html, "posts"), Some(want.posts));
    assert!(!html.contains("id=\"results-cases\""));
    assert!(!html.contains("id=\"results-contacts\""));
    assert!(
        !html.contains("/cases/"),
        "no case link leaks to an analyst"
    );
    // Asking for a kind the role may not read shows nothing of it.
    let (_, html) = get(w, &d.analyst, "/search?q=phone&kind=cases").await;
    assert!(!html.contains("id=\"results-cases\""));

    for (b, page) in [
        (&d.agent, "/inbox"),
        (&d.analyst, "/"),
        (&d.agent, "/contacts"),
    ] {
        let (_, html) = get(w, b, page).await;
        assert!(
            html.contains(
                r#"<form class="site-search" method="get" action="/search" role="search""#
            ),
            "{page}"
        );
    }
    // The box keeps the query on the results page; strangers get no box and no results.
    let (_, html) = get(w, &d.agent, "/search?q=phone+case").await;
    assert!(html.contains(r#"id="site-search" name="q" type="search" value="phone case""#));
    let login = w.send(Call::get("/login").build()).await;
    assert!(!login.body.contains("site-search"));
    let stranger = w.send(Call::get("/search?q=phone").build()).await;
    assert!(stranger.status.is_redirection());
}

#[tokio::test]
async fn pathological_queries_get_a_clear_message_not_an_error_page() {
    let d = desk(EngineConfig::default()).await;
    let w = &d.world;
    let deep = format!("{}phone{}", "(".repeat(40), ")".repeat(40));
    let long = "phone ".repeat(2_000);
    for (q, status, says) in [
        (
            "(phone",
            StatusCode::BAD_REQUEST,
            "expected &#39;)&#39; at column 7",
        ),
        (deep.as_str(), StatusCode::BAD_REQUEST, "nested too deeply"),
        (long.as_str(), StatusCode::BAD_REQUEST, "query too long"),
        ("-phone", StatusCode::BAD_REQUEST, "The query is not valid"),
        (
            "!!! ...",
            StatusCode::BAD_REQUEST,
            "holds no word to search for",
        ),
    ] {
        let a = w
            .send(
                Call::get(format!("/search?q={}", common::encode(q)))
                    .by(&d.agent)
                    .build(),
            )
            .await;
        assert_eq!(a.status, status, "{}", &q[..q.len().min(40)]);
        assert!(a.body.contains("id=\"form-error\""), "{}", a.body);
        assert!(a.body.contains(says), "{says}: {}", a.body);
        assert!(a.body.contains("aria-invalid=\"true\""));
    }
    // An empty box is the search page, not an error.
    let (status, html) = get(w, &d.agent, "/search?q=").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("form-error"));

    // A search past the engine's deadline says so.
    let slow = desk(EngineConfig {
        query_deadline: Some(Duration::from_nanos(1)),
        ..EngineConfig::default()
    })
    .await;
    let (status, html) = get(&slow.world, &slow.agent, "/search?q=phone").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("the query ran past its"), "{html}");
}

#[tokio::test]
async fn post_text_is_escaped_in_the_results() {
    let d = desk(EngineConfig::default()).await;
    let w = &d.world;
    let text = "@AppleSupport my phone shows <script>alert('x')</script> & <b>bold</b>";
    w.engine
        .ingest_posts(vec![Post {
            network: Network::X,
            native_id: "hostile-1".into(),
            author: Author {
                handle: "mallory".into(),
                display_name: Some("<img src=x onerror=alert(1)>".into()),
                ..Author::default()
            },
            text: text.into(),
            created_at: chrono::Utc::now(),
            lang: Some("en".into()),
            reply_to: None,
            reply_to_handle: None,
            root_id: None,
            mentions: vec!["applesupport".into()],
            hashtags: Vec::new(),
            cashtags: Vec::new(),
            links: Vec::new(),
            engagement: Engagement::default(),
            raw: "{}".into(),
        }])
        .await
        .unwrap();
    let (_, html) = get(w, &d.agent, "/search?q=alert+bold").await;
    assert_eq!(count(&html, "posts"), Some(1));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<b>bold"));
    assert!(!html.contains("<img src=x"));
    assert!(
        html.contains("&#60;script&#62;alert"),
        "{}",
        group(&html, "posts")
    );
}

#[tokio::test]
async fn the_api_answers_grouped_counts_and_leaves_out_what_the_token_may_not_read() {
    let d = desk(EngineConfig::default()).await;
    let w = &d.world;
    let (grace, ann) = (&d.grace, &d.ann);
    let agent = w.token_as(grace, Role::Agent, &Permission::ALL).await;
    let analyst = w.token_as(ann, Role::Analyst, &Permission::ALL).await;
    let want = expected(w, |r| has(r, "phone")).await;

    let a = w
        .send(
            Call::get("/api/v1/search?q=phone&limit=3")
                .bearer(&agent)
                .build(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let body: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(body["query"], "phone");
    assert_eq!(body["plain"], true);
    assert_eq!(body["posts"]["count"], want.posts);
    assert_eq!(body["posts"]["items"].as_array().unwrap().len(), 3);
    assert_eq!(body["cases"]["count"], want.cases.len());
    assert_eq!(body["contacts"]["count"], want.authors.len());
    for item in body["cases"]["items"].as_array().unwrap() {
        assert!(want.cases.contains(&item["id"].as_i64().unwrap()), "{item}");
    }

    let a = w
        .send(Call::get("/api/v1/search?q=phone").bearer(&analyst).build())
        .await;
    let body: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(body["posts"]["count"], want.posts);
    assert!(
        body.get("cases").is_none() && body.get("contacts").is_none(),
        "{body}"
    );

    // A token without the inbox scope gets no cases, whatever its user's role.
    let narrow = w
        .token_as(grace, Role::Agent, &[Permission::ReadPosts])
        .await;
    let a = w
        .send(Call::get("/api/v1/search?q=phone").bearer(&narrow).build())
        .await;
    let body: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert!(
        body.get("cases").is_none() && body.get("contacts").is_none(),
        "{body}"
    );

    for (uri, status, code) in [
        ("/api/v1/search", 400, "missing_query"),
        ("/api/v1/search?q=%28phone", 400, "invalid_query"),
        ("/api/v1/search?q=%21%21%21", 422, "invalid_value"),
    ] {
        let a = w.send(Call::get(uri).bearer(&agent).build()).await;
        assert_eq!(a.status.as_u16(), status, "{uri}: {}", a.body);
        assert!(a.body.contains(code), "{uri}: {}", a.body);
    }
    let doc = w.send(Call::get("/api/v1/openapi.json").build()).await;
    assert!(doc.body.contains("\"/api/v1/search\""));
}
