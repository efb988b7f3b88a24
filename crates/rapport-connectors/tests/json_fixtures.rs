//! The JSON formats read from fixtures written after the public API documentation: every field
//! that maps to a post is checked, and events that are not posts are counted.

mod common;

use chrono::{DateTime, Utc};
use common::{fixture, post, read_file, strings};
use rapport_connectors::Format;
use rapport_domain::{Engagement, Network};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn x_v2_response_page() {
    let path = fixture("x_v2_page.json");
    let file = std::fs::read_to_string(&path).unwrap();
    let read = read_file(Format::XV2, &path);
    assert_eq!(
        (read.rejects.len(), read.skipped.len(), read.posts.len()),
        (0, 0, 3)
    );

    let p = post(&read, "1307025659294674945");
    assert_eq!(p.network, Network::X);
    assert_eq!(p.author.handle, "XDevelopers");
    assert_eq!(p.author.native_id.as_deref(), Some("2244994945"));
    assert_eq!(p.author.display_name.as_deref(), Some("Developers"));
    assert_eq!(p.author.followers, Some(583219));
    assert!(!p.author.own_account);
    assert!(p.text.starts_with("Here’s an article"));
    assert_eq!(p.created_at, utc("2020-09-18T18:36:15Z"));
    assert_eq!(p.lang.as_deref(), Some("en"));
    assert_eq!(
        (p.reply_to.as_deref(), p.reply_to_handle.as_deref()),
        (None, None)
    );
    assert_eq!(p.root_id.as_deref(), Some("1307025659294674945"));
    assert_eq!(p.hashtags, strings(&["twitterapi"]));
    assert_eq!(
        p.links,
        strings(&[
            "https://dev.to/twitterdev/understanding-the-new-tweet-payload-in-the-twitter-api-v2-1fg5"
        ])
    );
    assert_eq!(
        p.engagement,
        Engagement {
            likes: 70,
            reposts: 11,
            replies: 2,
            quotes: 1
        }
    );

    let p = post(&read, "1307030000000000001");
    assert_eq!(p.author.handle, "RapportShop");
    assert_eq!(p.reply_to.as_deref(), Some("1307025659294674945"));
    assert_eq!(p.reply_to_handle.as_deref(), Some("XDevelopers"));
    assert_eq!(p.root_id.as_deref(), Some("1307025659294674945"));
    assert_eq!(p.mentions, strings(&["xdevelopers"]));
    assert_eq!(p.cashtags, strings(&["amzn"]));
    assert_eq!(p.hashtags, strings(&["fail"]));
    assert_eq!(p.links, strings(&["https://example.com/orders/4471?ref=x"]));
    assert!(p.text.contains("😤"));

    let p = post(&read, "1307031111111111112");
    assert_eq!(p.author.handle, "X");
    assert_eq!(p.lang.as_deref(), Some("fr"));
    assert!(p.text.contains("Désolé pour le retard"));
    assert_eq!(p.reply_to.as_deref(), Some("1307030000000000001"));
    assert_eq!(p.reply_to_handle.as_deref(), Some("RapportShop"));
    assert_eq!(p.mentions, strings(&["rapportshop", "xdevelopers"]));
    assert_eq!(p.hashtags, strings(&["sav"]));

    // In a page of several tweets each post keeps its own tweet object, as written in the file.
    for p in &read.posts {
        assert!(
            file.contains(&p.raw),
            "raw of {} is not the file's text",
            p.native_id
        );
        let v: serde_json::Value = serde_json::from_str(&p.raw).unwrap();
        assert_eq!(v["id"], p.native_id.as_str());
    }
}

#[test]
fn x_v2_stream_envelopes() {
    let path = fixture("x_v2_stream.ndjson");
    let lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let read = read_file(Format::XV2, &path);
    assert_eq!(
        (read.rejects.len(), read.skipped.len(), read.posts.len()),
        (0, 0, 2)
    );

    let p = &read.posts[0];
    assert_eq!(p.native_id, "1580000000000000001");
    assert_eq!(
        p.text,
        "@RapportShop is my refund coming? \"order\" #4471\nthanks"
    );
    assert_eq!(p.author.handle, "zoe_m");
    assert_eq!(p.author.display_name.as_deref(), Some("Zoë \"Z\" Müller"));
    assert_eq!(p.author.followers, Some(87));
    assert_eq!(p.mentions, strings(&["rapportshop"]));
    assert_eq!(p.created_at, utc("2022-10-12T08:01:02Z"));
    assert_eq!(p.root_id.as_deref(), Some("1580000000000000001"));
    assert_eq!(p.reply_to, None);
    // One tweet per envelope: the raw record is the whole line, includes and all.
    assert_eq!(p.raw, lines[0]);

    let p = &read.posts[1];
    assert_eq!(p.author.handle, "mkt_watch");
    assert_eq!(p.author.followers, None);
    assert_eq!(p.cashtags, strings(&["tsla", "aapl"]));
    assert_eq!(p.engagement, Engagement::default());
    // No created_at: the time comes from the snowflake id.
    let ms = (1_580_000_000_000_000_002u64 >> 22) as i64 + 1_288_834_974_657;
    assert_eq!(p.created_at, DateTime::from_timestamp_millis(ms).unwrap());
    assert_eq!(p.raw, lines[1]);
}

#[test]
fn jetstream_commit_events() {
    let path = fixture("jetstream.ndjson");
    let lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let read = read_file(Format::Jetstream, &path);
    assert_eq!(read.rejects, vec![]);
    assert_eq!(
        read.skipped,
        vec![
            (2, "commit create app.bsky.feed.like".to_string()),
            (4, "identity event".to_string()),
            (6, "commit delete app.bsky.feed.post".to_string()),
            (7, "account event".to_string()),
            (8, "commit create app.bsky.graph.follow".to_string()),
        ]
    );
    assert_eq!(read.posts.len(), 4);
    let a = "did:plc:eygmaihciaxprqvxpfvl6flk";
    let b = "did:plc:z72i7hdynmk6r22z27h6tvur";
    let root = format!("at://{a}/app.bsky.feed.post/3l3qo2vuowo2b");

    let p = &read.posts[0];
    assert_eq!(p.network, Network::Bluesky);
    assert_eq!(p.native_id, root);
    assert_eq!(p.author.handle, a);
    assert_eq!(p.author.native_id.as_deref(), Some(a));
    assert_eq!(
        p.text,
        "Hey @bsky.app, the new feed is great! Details: example.com/feeds #bluesky"
    );
    assert_eq!(p.created_at, utc("2024-09-09T19:46:02.102Z"));
    assert_eq!(p.lang.as_deref(), Some("en"));
    assert_eq!(p.mentions, strings(&[b]));
    assert_eq!(p.links, strings(&["https://example.com/feeds"]));
    assert_eq!(p.hashtags, strings(&["bluesky"]));
    assert_eq!((p.reply_to.as_ref(), p.root_id.as_ref()), (None, None));
    assert_eq!(p.raw, lines[0]);

    let p = &read.posts[1];
    assert_eq!(p.reply_to.as_deref(), Some(root.as_str()));
    assert_eq!(p.root_id.as_deref(), Some(root.as_str()));
    assert_eq!(p.reply_to_handle.as_deref(), Some(a));
    assert_eq!(p.mentions, strings(&[a]));
    assert_eq!(p.cashtags, strings(&["bsky"]));
    assert!(p.text.ends_with("🦋"));
    assert_eq!(p.raw, lines[2]);

    let p = &read.posts[2];
    assert_eq!(p.lang.as_deref(), Some("ja"), "the first of langs");
    assert_eq!(p.hashtags, strings(&["日本語", "bskyfeeds"]));
    assert_eq!(p.text, "新しいフィードを試しています。とても速い！ #日本語");

    let p = &read.posts[3];
    assert_eq!(p.lang.as_deref(), Some("es"));
    assert_eq!(
        p.text,
        "Línea uno\ncon \"comillas\" y una barra \\ al final — https://ejemplo.es/página"
    );
    assert_eq!(p.links, strings(&["https://ejemplo.es/p%C3%A1gina"]));
    assert_eq!(p.engagement, Engagement::default());
}

#[test]
fn mastodon_timeline_page() {
    let path = fixture("mastodon_timeline.json");
    let file = std::fs::read_to_string(&path).unwrap();
    let read = read_file(Format::Mastodon, &path);
    // The array's elements start on the lines that open an object at the first indent.
    let starts: Vec<u64> = file
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "  {")
        .map(|(i, _)| i as u64 + 1)
        .collect();
    assert_eq!(starts.len(), 5);
    assert_eq!(read.rejects, vec![]);
    assert_eq!(read.skipped, vec![(starts[3], "reblog".to_string())]);
    assert_eq!(read.posts.len(), 4);

    let p = post(&read, "112345678901234567");
    assert_eq!(p.network, Network::Mastodon);
    assert_eq!(p.author.handle, "Gargron@mastodon.social");
    assert_eq!(p.author.native_id.as_deref(), Some("1"));
    assert_eq!(p.author.display_name.as_deref(), Some("Eugen Rochko"));
    assert_eq!(p.author.followers, Some(320000));
    assert_eq!(
        p.text,
        "Testing the new #release with @rapportshop & friends. Notes: \
         https://blog.joinmastodon.org/2024/05/mastodon-4.3/\n\nSecond paragraph\nwith a break"
    );
    assert_eq!(p.created_at, utc("2024-05-01T09:15:00Z"));
    assert_eq!(p.lang.as_deref(), Some("en"));
    assert_eq!(p.hashtags, strings(&["release"]));
    assert_eq!(p.mentions, strings(&["rapportshop@shop.example"]));
    assert_eq!(
        p.links,
        strings(&["https://blog.joinmastodon.org/2024/05/mastodon-4.3/"])
    );
    assert_eq!(
        p.engagement,
        Engagement {
            likes: 40,
            reposts: 12,
            replies: 1,
            quotes: 0
        }
    );
    assert_eq!(p.reply_to, None);

    let p = post(&read, "112345678901299999");
    assert_eq!(p.author.handle, "rapportshop@shop.example");
    assert_eq!(p.reply_to.as_deref(), Some("112345678901234567"));
    assert_eq!(
        p.reply_to_handle.as_deref(),
        Some("Gargron@mastodon.social")
    );
    assert_eq!(
        p.text,
        "@Gargron Thanks! Our $SHOP price stays at $5 #CustomerCare"
    );
    assert_eq!(p.mentions, strings(&["gargron@mastodon.social"]));
    assert_eq!(p.hashtags, strings(&["customercare"]));
    assert_eq!(p.cashtags, strings(&["shop"]));
    assert!(p.links.is_empty());

    let p = post(&read, "112345678901300000");
    assert_eq!(p.author.handle, "anna@chaos.social");
    assert_eq!(p.lang.as_deref(), Some("de"));
    assert_eq!(
        p.text,
        "Kundenservice\n\nMeine Bestellung ist nicht angekommen 😞 @rapportshop\n\nKönnt ihr helfen?"
    );

    // Hostile markup comes out as harmless text; a self-reply names its own author.
    let p = post(&read, "112345678901300002");
    assert_eq!(p.text, "Careful: click <b>not bold</b>");
    assert!(p.links.is_empty(), "javascript: is not a link");
    assert_eq!(
        p.reply_to_handle.as_deref(),
        Some("Gargron@mastodon.social")
    );

    for p in &read.posts {
        assert!(file.contains(&p.raw));
        let v: serde_json::Value = serde_json::from_str(&p.raw).unwrap();
        assert_eq!(v["id"], p.native_id.as_str());
    }
}

#[test]
fn a_single_object_and_ndjson_read_the_same_as_an_array() {
    let file = std::fs::read_to_string(fixture("mastodon_timeline.json")).unwrap();
    let statuses: Vec<serde_json::Value> = serde_json::from_str(&file).unwrap();
    let ndjson: String = statuses.iter().map(|s| format!("{s}\n")).collect();
    let read = common::read_bytes(Format::Mastodon, ndjson.as_bytes());
    assert_eq!(
        (read.posts.len(), read.skipped.len(), read.rejects.len()),
        (4, 1, 0)
    );
    assert_eq!(read.skipped[0].0, 4, "NDJSON lines");
    let single = serde_json::to_string_pretty(&statuses[1]).unwrap();
    let read = common::read_bytes(Format::Mastodon, single.as_bytes());
    assert_eq!(read.posts.len(), 1);
    assert_eq!(read.posts[0].raw, single);
    assert_eq!(read.posts[0].native_id, "112345678901299999");
}
