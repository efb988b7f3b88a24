//! Post text is untrusted. Hostile posts go in through the real twcs importer and the
//! engine's ingest pipeline, a topic matching them is added through the UI, and every page
//! that shows post text (and those that echo a query back) is read tag by tag: the markup
//! must come out as text, never as elements, handlers or `javascript:` links.

use super::html::{dangers, text};
use crate::common::{Answer, Call, PASSWORD, World, encode, log_in};
use axum::http::{StatusCode, header};
use rapport_domain::{Permission, Role};
use rapport_web::WebConfig;
use std::io::Write;

/// (the CSV `text` field as written in the file, the text the importer stores and every page
/// must show, character for character).
const POSTS: &[(&str, &str)] = &[
    (
        "@AcmeCare xsscheck <script>alert(1)</script>",
        "@AcmeCare xsscheck <script>alert(1)</script>",
    ),
    (
        "@AcmeCare xsscheck <img src=x onerror=alert(2)>",
        "@AcmeCare xsscheck <img src=x onerror=alert(2)>",
    ),
    // twcs texts carry HTML entities, which the importer decodes once ...
    (
        "@AcmeCare xsscheck &lt;script&gt;alert(3)&lt;/script&gt;",
        "@AcmeCare xsscheck <script>alert(3)</script>",
    ),
    // ... and only once: a double-encoded tag stays text that reads as an entity.
    (
        "@AcmeCare xsscheck &amp;lt;script&amp;gt;alert(4)&amp;lt;/script&amp;gt;",
        "@AcmeCare xsscheck &lt;script&gt;alert(4)&lt;/script&gt;",
    ),
    (
        "@AcmeCare xsscheck &#60;img src=x onerror=alert(5)&#x3E;",
        "@AcmeCare xsscheck <img src=x onerror=alert(5)>",
    ),
    (
        "@AcmeCare xsscheck \"><svg onload=alert(6)>",
        "@AcmeCare xsscheck \"><svg onload=alert(6)>",
    ),
    (
        "@AcmeCare xsscheck <a href=\"javascript:alert(7)\">click</a> or javascript:alert(8)",
        "@AcmeCare xsscheck <a href=\"javascript:alert(7)\">click</a> or javascript:alert(8)",
    ),
    (
        "@AcmeCare xsscheck '><iframe src=javascript:alert(9)></iframe>",
        "@AcmeCare xsscheck '><iframe src=javascript:alert(9)></iframe>",
    ),
];

/// The author handle of the last post, markup too.
const AUTHOR: &str = "<b onmouseover=alert(10)>mallory</b>";

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Writes the hostile export as a twcs CSV file, as a dataset would ship it.
fn write_export(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("hostile_twcs.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(
        f,
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
    )
    .unwrap();
    for (i, (text, _)) in POSTS.iter().enumerate() {
        let author = if i + 1 == POSTS.len() {
            csv_field(AUTHOR)
        } else {
            format!("{}", 900_100 + i)
        };
        writeln!(
            f,
            "{},{author},True,Tue Oct 31 22:{:02}:47 +0000 2017,{},,",
            800_100 + i,
            10 + i,
            csv_field(text)
        )
        .unwrap();
    }
    path
}

/// The page is clean, and when `shows_posts`, every hostile post is on it as text, exactly
/// as stored: neither run as markup nor escaped twice.
fn assert_escaped(what: &str, page: &Answer, shows_posts: bool) {
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{what}"
    );
    let found = dangers(&page.body);
    assert!(found.is_empty(), "{what}: {found:?}\n{}", page.body);
    for raw in [
        "<script>alert",
        "<img",
        "<svg",
        "<iframe",
        "<b on",
        "<b>XSS",
        "</textarea><",
    ] {
        assert!(!page.body.contains(raw), "{what} holds {raw:?} unescaped");
    }
    if shows_posts {
        let seen = text(&page.body);
        for (_, stored) in POSTS {
            assert!(seen.contains(stored), "{what} does not show {stored:?}");
        }
        assert!(seen.contains(&format!("@{AUTHOR}")), "{what}");
    }
}

#[tokio::test]
async fn hostile_post_text_is_escaped_on_every_page_that_shows_it() {
    let world = World::new(WebConfig::default()).await;
    let admin = world.user("admin", Role::Admin).await;
    world.user("agent", Role::Agent).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = world.import_twcs(&write_export(dir.path())).await;
    assert_eq!(summary.imported, POSTS.len() as u64);

    // Stored as written (entities decoded once), and handed out raw, as JSON, by the API.
    let token = world.token_as(&admin, Role::Admin, &Permission::ALL).await;
    let api = world
        .send(
            Call::get("/api/v1/posts?q=xsscheck&limit=50")
                .bearer(&token)
                .build(),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(api.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(api.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let body: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let mut texts: Vec<&str> = body["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    texts.sort();
    let mut stored: Vec<&str> = POSTS.iter().map(|(_, s)| *s).collect();
    stored.sort();
    assert_eq!(texts, stored);
    assert!(
        body["posts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["author"] == AUTHOR)
    );

    // A topic whose name is markup too, added through the form.
    let b = log_in(&world, "admin", PASSWORD).await.unwrap();
    let name = "<b>XSS</b> \"watch\"";
    let add = Call::post("/topics").by(&b).form(&[
        ("csrf", &b.csrf),
        ("name", name),
        ("query", "xsscheck"),
    ]);
    let added = world.send(add.build()).await;
    assert!(added.status.is_redirection(), "{added:?}");
    let topic_page = added.location().unwrap().to_string();
    assert!(topic_page.starts_with("/topics/%3Cb%3EXSS"), "{topic_page}");
    let matches = format!(
        "{}/matches",
        topic_page.replacen("/topics/", "/api/v1/topics/", 1)
    );
    let listed = world.send(Call::get(matches).bearer(&token).build()).await;
    let listed: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
    assert_eq!(listed["count"], POSTS.len());

    let agent = log_in(&world, "agent", PASSWORD).await.unwrap();
    let get = |uri: &str, who| world.send(Call::get(uri.to_string()).by(who).build());
    for (what, who, uri, shows_posts) in [
        ("topics list", &b, "/topics".to_string(), false),
        ("topic page (admin)", &b, topic_page.clone(), true),
        ("topic page (agent)", &agent, topic_page.clone(), true),
        ("backtest", &b, "/topics/backtest?q=xsscheck".into(), true),
        (
            "backtest echoing markup",
            &b,
            format!(
                "/topics/backtest?q={}",
                encode("xsscheck OR \"<script>alert(11)</script>\"")
            ),
            true,
        ),
        (
            "backtest error echoing markup",
            &b,
            format!(
                "/topics/backtest?q={}",
                encode("(<img src=x onerror=alert(12)>")
            ),
            false,
        ),
    ] {
        let page = get(&uri, who).await;
        assert!(
            page.status.is_success() || page.status == StatusCode::BAD_REQUEST,
            "{what}"
        );
        assert_escaped(what, &page, shows_posts);
        if what.starts_with("topic") {
            assert!(text(&page.body).contains(name), "{what}");
        }
    }

    // A bad query is shown back in the edit form: it must not close the textarea.
    let hostile = "</textarea><script>alert(14)</script>(";
    let edit = Call::post(topic_page.clone())
        .by(&b)
        .form(&[("csrf", &b.csrf), ("query", hostile)]);
    let page = world.send(edit.build()).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_escaped("edit form with a bad query", &page, true);
    let field = crate::html::tags(&page.body)
        .into_iter()
        .filter(|t| t.name == "textarea" && !t.closing)
        .count();
    assert_eq!(field, 1);
    assert!(text(&page.body).contains(hostile));

    // The live check quotes the query back, as JSON the page puts in with textContent.
    let check = get(
        &format!("/topics/check?q={}", encode("<svg onload=alert(13)>(")),
        &b,
    )
    .await;
    assert_eq!(check.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(check.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}
