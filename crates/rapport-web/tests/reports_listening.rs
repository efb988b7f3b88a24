//! Reports › Listening, the page and `/api/v1/reports/listening/...`, over the real twcs
//! sample and one hostile post: figures against counts made from the file alone, the posts
//! behind a bar, who may read them, CSV downloads, and escaping of everything a post or a
//! topic name brings.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{Call, TWCS_SAMPLE, World};
use rapport_domain::{Author, Engagement, Network, Permission, Post, Role};
use rapport_web::WebConfig;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

const FROM: &str = "2017-10-01";
const TO: &str = "2017-12-01";

/// Per UTC day and per author (lowercased), the rows of the sample, read with the csv crate.
fn sample_counts() -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let mut rdr = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(TWCS_SAMPLE)
        .unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h.trim() == n).unwrap();
    let (id, author, at) = (col("tweet_id"), col("author_id"), col("created_at"));
    let (mut days, mut authors) = (BTreeMap::new(), BTreeMap::new());
    let mut seen = HashSet::new();
    for r in rdr.records() {
        let r = r.unwrap();
        if !seen.insert(r[id].to_string()) {
            continue;
        }
        let t = DateTime::parse_from_str(r[at].trim(), "%a %b %d %H:%M:%S %z %Y")
            .unwrap()
            .with_timezone(&Utc);
        *days.entry(t.format("%Y-%m-%d").to_string()).or_default() += 1;
        *authors.entry(r[author].to_lowercase()).or_default() += 1;
    }
    (days, authors)
}

struct Setup {
    world: World,
    analyst: String,
    agent: String,
    sample_posts: u64,
}

async fn setup() -> Setup {
    let world = World::new(WebConfig::default()).await;
    world
        .engine
        .add_topic(
            "=Brand <i>",
            "help OR please OR hostile",
            Default::default(),
        )
        .await
        .unwrap();
    let summary = world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    // A post that tries to break out of every place it is shown.
    let hostile = Post {
        network: Network::X,
        native_id: "hostile-1".into(),
        author: Author {
            handle: "evil\"><script>".into(),
            ..Author::default()
        },
        text: "hostile <script>alert(1)</script> & \"quotes\" #<svg>".into(),
        created_at: Utc.with_ymd_and_hms(2017, 11, 15, 12, 0, 0).unwrap(),
        lang: Some("en".into()),
        reply_to: None,
        reply_to_handle: None,
        root_id: None,
        mentions: vec![],
        hashtags: vec!["<svg onload=alert(1)>".into()],
        cashtags: vec![],
        links: vec![],
        engagement: Engagement::default(),
        raw: "{}".into(),
    };
    world.engine.ingest_posts(vec![hostile]).await.unwrap();
    world.user("admin", Role::Admin).await;
    let analyst = world.user("analyst", Role::Analyst).await;
    let agent = world.user("agent", Role::Agent).await;
    let analyst = world
        .token_as(&analyst, Role::Analyst, &Permission::ALL)
        .await;
    let agent = world.token_as(&agent, Role::Agent, &Permission::ALL).await;
    Setup {
        world,
        analyst,
        agent,
        sample_posts: summary.imported,
    }
}

impl Setup {
    async fn api(&self, uri: &str, token: Option<&str>) -> (u16, Value) {
        let mut call = Call::get(uri);
        if let Some(t) = token {
            call = call.bearer(t);
        }
        let a = self.world.send(call.build()).await;
        (
            a.status.as_u16(),
            serde_json::from_str(&a.body).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn the_listening_api_counts_the_sample_and_lists_the_posts_behind_each_figure() {
    let s = setup().await;
    let (days, authors) = sample_counts();
    assert_eq!(days.values().sum::<u64>(), s.sample_posts);
    let (status, v) = s
        .api(
            &format!("/api/v1/reports/listening/volume?from={FROM}&to={TO}&bucket=day"),
            Some(&s.analyst),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    // the sample's days, and the hostile post's
    let mut want = days.clone();
    *want.entry("2017-11-15".into()).or_default() += 1;
    let got: BTreeMap<String, u64> = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["posts"].as_u64().unwrap() > 0)
        .map(|p| {
            (
                p["start"].as_str().unwrap()[..10].to_string(),
                p["posts"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        v["points"].as_array().unwrap().len(),
        61,
        "every day of Oct and Nov"
    );

    // each bar's posts: as many as the bar says
    let busiest = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|p| p["posts"].as_u64().unwrap())
        .unwrap();
    let url = busiest["posts_url"].as_str().unwrap();
    assert!(url.starts_with("/api/v1/reports/listening/posts?"), "{url}");
    let (status, posts) = s.api(&format!("{url}&limit=500"), Some(&s.analyst)).await;
    assert_eq!(status, 200);
    assert_eq!(posts["count"], busiest["posts"]);
    assert_eq!(
        posts["posts"].as_array().unwrap().len() as u64,
        busiest["posts"].as_u64().unwrap()
    );
    let negative = busiest["negative_url"].as_str().unwrap();
    let (_, neg) = s.api(negative, Some(&s.analyst)).await;
    assert_eq!(neg["count"], busiest["negative"]);

    // top authors by volume: the sample's busiest authors
    let (status, a) = s
        .api(
            &format!("/api/v1/reports/listening/authors?from={FROM}&to={TO}&top=5"),
            Some(&s.analyst),
        )
        .await;
    assert_eq!(status, 200);
    let mut counts: Vec<u64> = authors.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let listed = a["authors"].as_array().unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|r| r["posts"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        counts[..5]
    );
    for r in listed {
        let handle = r["handle"].as_str().unwrap().to_lowercase();
        assert_eq!(r["posts"].as_u64(), authors.get(&handle).copied(), "{r}");
        let (_, p) = s
            .api(r["posts_url"].as_str().unwrap(), Some(&s.analyst))
            .await;
        assert_eq!(p["count"], r["posts"]);
    }
    assert_eq!(a["followers_known"], false);

    // share of voice, intents, trending and the whole report answer, each figure linked
    let (status, all) = s
        .api(
            &format!("/api/v1/reports/listening?from={FROM}&to={TO}"),
            Some(&s.analyst),
        )
        .await;
    assert_eq!(status, 200, "{all}");
    let topic = &all["share_of_voice"]["topics"][0];
    assert_eq!(topic["topic"], "=Brand <i>");
    assert_eq!(topic["share"], 1.0);
    let (_, p) = s
        .api(topic["posts_url"].as_str().unwrap(), Some(&s.analyst))
        .await;
    assert_eq!(p["count"], topic["posts"]);
    let intents = all["intents"]["intents"].as_array().unwrap();
    assert_eq!(intents.len(), 7);
    for i in intents {
        let (_, p) = s
            .api(i["posts_url"].as_str().unwrap(), Some(&s.analyst))
            .await;
        assert_eq!(p["count"], i["posts"], "{i}");
    }
    assert_eq!(
        all["volume"]["total"]["posts"].as_u64(),
        Some(s.sample_posts + 1)
    );

    // who may: analysts (and admins), not agents, not strangers
    let (status, body) = s
        .api("/api/v1/reports/listening/trending", Some(&s.agent))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, _) = s.api("/api/v1/reports/listening/trending", None).await;
    assert_eq!(status, 401);

    // bad parameters name themselves
    for (uri, status, field) in [
        (
            "/api/v1/reports/listening/volume?bucket=month",
            400,
            "bucket",
        ),
        (
            "/api/v1/reports/listening/volume?from=yesterday",
            400,
            "from",
        ),
        ("/api/v1/reports/listening/posts?topic=nope", 400, "topic"),
        ("/api/v1/reports/listening/authors?order=loud", 400, "order"),
        (
            "/api/v1/reports/listening/volume?from=2010-01-01&to=2017-01-01&bucket=hour",
            400,
            "from",
        ),
    ] {
        let (got, body) = s.api(uri, Some(&s.analyst)).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{body}"
        );
    }

    // the document lists every listening route
    let (_, doc) = s.api("/api/v1/openapi.json", None).await;
    for path in [
        "/api/v1/reports/listening",
        "/api/v1/reports/listening/volume",
        "/api/v1/reports/listening/share-of-voice",
        "/api/v1/reports/listening/intents",
        "/api/v1/reports/listening/authors",
        "/api/v1/reports/listening/trending",
        "/api/v1/reports/listening/posts",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path}");
    }
}

#[tokio::test]
async fn the_listening_page_draws_escaped_charts_with_tables_csv_and_posts() {
    let s = setup().await;
    s.world.user("agent2", Role::Agent).await;
    let analyst = s.world.session("analyst").await;
    let agent = s.world.session("agent2").await;
    let page = s
        .world
        .send(
            Call::get(format!(
                "/reports/listening?from={FROM}&to={TO}&bucket=week"
            ))
            .by(&analyst)
            .build(),
        )
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let html = &page.body;
    assert_eq!(
        html.matches("<svg").count(),
        4,
        "volume, net sentiment, share, intents"
    );
    assert!(html.contains("role=\"img\""));
    // readable without colour: the legend names the patterns, the tables hold the numbers
    for word in ["negative", "neutral", "positive", "unlabelled", "<caption>"] {
        assert!(html.contains(word), "{word}");
    }
    assert!(html.contains("/reports/listening.csv?chart=volume&amp;"));
    // nothing a post or a topic name brings is markup
    assert!(!html.contains("<script>alert"), "post text in a chart");
    assert!(!html.contains("<i>"), "a topic name as markup");
    assert!(!html.contains("<svg onload"), "a hashtag as markup");
    assert!(!html.contains("evil\"><script>"), "a handle as markup");
    assert!(html.contains("=Brand &lt;i&gt;") || html.contains("=Brand &#60;i&#62;"));
    assert!(html.contains("<a href=\"/reports/listening/posts?"));
    // phone width: the SVGs scale to their box
    assert!(html.contains("viewBox=\"0 0 640"));
    assert!(html.contains("width=\"100%\""));

    // the posts behind the hostile author's row, escaped
    let posts = s
        .world
        .send(
            Call::get(format!(
                "/reports/listening/posts?from={FROM}&to={TO}&author=x:{}",
                common::encode("evil\"><script>")
            ))
            .by(&analyst)
            .build(),
        )
        .await;
    assert_eq!(posts.status.as_u16(), 200, "{}", posts.body);
    assert!(
        posts.body.contains("<strong>1</strong> posts"),
        "{}",
        posts.body
    );
    assert!(
        posts
            .body
            .contains("hostile &lt;script&gt;alert(1)&lt;/script&gt;")
            || posts.body.contains("hostile &#60;script&#62;")
    );
    assert!(!posts.body.contains("<script>alert"));

    // agents have no reports
    let refused = s
        .world
        .send(Call::get("/reports/listening").by(&agent).build())
        .await;
    assert_eq!(refused.status.as_u16(), 403);
    assert!(!page.body.is_empty());

    // CSV: the volume's rows add up to the period's posts; text cells cannot be formulas
    let csv = s
        .world
        .send(
            Call::get(format!(
                "/reports/listening.csv?chart=volume&from={FROM}&to={TO}&bucket=day"
            ))
            .by(&analyst)
            .build(),
        )
        .await;
    assert_eq!(csv.status.as_u16(), 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let mut rdr = csv::Reader::from_reader(csv.body.as_bytes());
    let total: u64 = rdr
        .records()
        .map(|r| r.unwrap()[2].parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, s.sample_posts + 1);
    let share = s
        .world
        .send(
            Call::get(format!(
                "/reports/listening.csv?chart=share&from={FROM}&to={TO}"
            ))
            .by(&analyst)
            .build(),
        )
        .await;
    assert!(share.body.contains("'=Brand <i>"), "{}", share.body);
    let bad = s
        .world
        .send(
            Call::get("/reports/listening.csv?chart=pie")
                .by(&analyst)
                .build(),
        )
        .await;
    assert_eq!(bad.status.as_u16(), 400);
}
