//! The Jetstream source against a test server that replays recorded-format events (built from
//! real customer-support text in twcs) over a WebSocket on 127.0.0.1.

mod common;
#[path = "live/jetstream_server.rs"]
mod jetstream_server;

use chrono::{DateTime, Utc};
use jetstream_server::{Frames, JetstreamServer, Plan};
use rapport_connectors::live::{
    Checkpoint, JetstreamConfig, JetstreamSource, Source, SourceBatch, SourceStats,
};
use rapport_domain::{Network, PostKey};
use std::time::Duration;

const T0: u64 = 1_725_911_162_000_000;

/// (author, text, created_at) of the first `n` twcs rows.
fn twcs(n: usize) -> Vec<(String, String, String)> {
    let mut reader = csv::Reader::from_path(common::data("twcs/twcs_head_5000.csv")).unwrap();
    reader
        .records()
        .take(n)
        .map(|r| {
            let r = r.unwrap();
            let at = DateTime::parse_from_str(&r[4], "%a %b %d %H:%M:%S %z %Y").unwrap();
            let at = at
                .with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string();
            (r[2].to_string(), r[5].to_string(), at)
        })
        .collect()
}

fn did(author: &str) -> String {
    format!("did:plc:twcs{}", author.to_lowercase())
}

fn create(i: usize, author: &str, text: &str, at: &str) -> String {
    serde_json::json!({
        "did": did(author), "time_us": T0 + i as u64 * 1000, "kind": "commit",
        "commit": {"rev": format!("3l3qo2vut{i:04}"), "operation": "create",
            "collection": "app.bsky.feed.post", "rkey": format!("3kpost{i:04}"),
            "record": {"$type": "app.bsky.feed.post", "createdAt": at, "langs": ["en"], "text": text},
            "cid": format!("bafyreib{i:04}")}
    })
    .to_string()
}

/// Ten posts from twcs (times T0 + i ms), with a bad frame, an oversized one, an identity
/// event and a like between them, and the delete of post 3 at the end.
fn frames() -> (Frames, Vec<(String, String)>) {
    let rows = twcs(10);
    let mut frames = Vec::new();
    for (i, (author, text, at)) in rows.iter().enumerate() {
        frames.push((T0 + i as u64 * 1000, create(i, author, text, at)));
        let t = T0 + i as u64 * 1000;
        match i {
            2 => frames.push((t, "{\"did\": \"did:plc:broken\", \"time_us\": ".into())),
            4 => frames.push((t, create(100, "big", &"long ".repeat(2000), at))),
            5 => frames.push((
                t + 1,
                serde_json::json!({"did": "did:plc:x", "time_us": t + 1,
                "kind": "identity", "identity": {"did": "did:plc:x", "handle": "x.bsky.social",
                "seq": 1, "time": "2024-09-05T06:11:04.870Z"}})
                .to_string(),
            )),
            6 => frames.push((
                t + 1,
                serde_json::json!({"did": did(author), "time_us": t + 1,
                "kind": "commit", "commit": {"rev": "3l3like", "operation": "create",
                "collection": "app.bsky.feed.like", "rkey": "3klike", "record": {}}})
                .to_string(),
            )),
            _ => {}
        }
    }
    let t = T0 + 10_000;
    frames.push((
        t,
        serde_json::json!({"did": did(&rows[3].0), "time_us": t, "kind": "commit",
        "commit": {"rev": "3l3del", "operation": "delete", "collection": "app.bsky.feed.post",
        "rkey": "3kpost0003"}})
        .to_string(),
    ));
    let posts = rows
        .into_iter()
        .map(|(a, text, _)| (did(&a), text))
        .collect();
    (frames, posts)
}

fn config(url: &str) -> JetstreamConfig {
    let mut c = JetstreamConfig::new(url);
    // No PLC directory answers here (a closed local port refuses at once): DIDs that no
    // identity event named stay DIDs.
    c.plc = "http://127.0.0.1:9".into();
    c.max_message_bytes = 4000;
    c.read_timeout = Duration::from_millis(600);
    c.ping_interval = Duration::from_millis(150);
    c.safety_margin = Duration::from_millis(2);
    // The recorded events are from 2024: let the instance keep them all, except where a test
    // says otherwise.
    c.replay_window = Duration::from_secs(3650 * 24 * 3600);
    c.backoff = rapport_connectors::live::Backoff::new(
        Duration::from_millis(50),
        Duration::from_millis(200),
    );
    c
}

/// Batches until `posts` posts and `deletes` deletes were read (10 s at most).
async fn read(source: &mut JetstreamSource, posts: usize, deletes: usize) -> SourceBatch {
    let mut all = SourceBatch::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while all.posts.len() < posts || all.deletes.len() < deletes {
        let batch = tokio::time::timeout_at(deadline, source.next_batch())
            .await
            .expect("the source hands over what the server sent within 10 s")
            .unwrap();
        all.posts.extend(batch.posts);
        all.deletes.extend(batch.deletes);
        all.deleted_accounts.extend(batch.deleted_accounts);
        all.gaps.extend(batch.gaps);
        all.checkpoint = batch.checkpoint;
    }
    all
}

/// Identity events name accounts, so a post's author and mentions arrive as handles, and a
/// deleted account's event is handed over (a deactivated one is not).
#[tokio::test]
async fn identity_events_name_authors_and_mentions_and_a_deleted_account_is_handed_over() {
    let rows = twcs(1);
    let (customer, brand) = ("did:plc:twcscustomer", "did:plc:twcsbrand");
    let identity = |t: u64, did: &str, handle: &str| {
        serde_json::json!({"did": did, "time_us": t, "kind": "identity",
            "identity": {"did": did, "handle": handle, "seq": t, "time": "2024-09-05T06:11:04.870Z"}})
        .to_string()
    };
    let account = |t: u64, did: &str, status: &str| {
        serde_json::json!({"did": did, "time_us": t, "kind": "account",
            "account": {"active": false, "did": did, "seq": t, "status": status,
                "time": "2024-09-05T06:11:05.870Z"}})
        .to_string()
    };
    let text = format!("@brand.example.com {}", rows[0].1);
    let mention_end = "@brand.example.com".len();
    let post = serde_json::json!({
        "did": customer, "time_us": T0 + 3, "kind": "commit",
        "commit": {"rev": "3l3qo2vut0001", "operation": "create",
            "collection": "app.bsky.feed.post", "rkey": "3kpost0001",
            "record": {"$type": "app.bsky.feed.post", "createdAt": rows[0].2, "text": text,
                "facets": [{"index": {"byteStart": 0, "byteEnd": mention_end},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand}]}]},
            "cid": "bafyreib0001"}
    })
    .to_string();
    let frames = vec![
        (T0 + 1, identity(T0 + 1, customer, "Customer.Example.com")),
        (T0 + 2, identity(T0 + 2, brand, "brand.example.com")),
        (T0 + 3, post),
        (T0 + 4, account(T0 + 4, brand, "deactivated")),
        (T0 + 5, account(T0 + 5, customer, "deleted")),
    ];
    let server = JetstreamServer::start(frames, vec![Plan::Replay]).await;
    let mut source = JetstreamSource::new(config(&server.url), Checkpoint::Beginning).unwrap();
    let mut got = SourceBatch::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while got.checkpoint != (Checkpoint::Jetstream { time_us: T0 + 5 }) {
        let batch = tokio::time::timeout_at(deadline, source.next_batch())
            .await
            .expect("every event within 10 s")
            .unwrap();
        got.posts.extend(batch.posts);
        got.deleted_accounts.extend(batch.deleted_accounts);
        got.checkpoint = batch.checkpoint;
    }
    assert_eq!(got.posts.len(), 1, "{:#?}", got.posts);
    assert_eq!(got.posts[0].author.handle, "customer.example.com");
    assert_eq!(got.posts[0].author.native_id.as_deref(), Some(customer));
    assert_eq!(got.posts[0].mentions, vec!["brand.example.com".to_string()]);
    assert_eq!(
        got.deleted_accounts,
        [rapport_connectors::live::DeletedAccount {
            network: Network::Bluesky,
            native_id: customer.to_string(),
        }]
    );
}

#[tokio::test]
async fn streams_posts_and_deletes_and_skips_bad_frames() {
    let (frames, want) = frames();
    let server = JetstreamServer::start(frames, vec![Plan::Replay]).await;
    let mut source = JetstreamSource::new(config(&server.url), Checkpoint::Beginning).unwrap();
    let got = read(&mut source, 10, 1).await;
    let texts: Vec<(String, String)> = got
        .posts
        .iter()
        .map(|p| (p.author.handle.clone(), p.text.clone()))
        .collect();
    assert_eq!(texts, want, "every post, in order, with its author's DID");
    assert_eq!(got.posts[0].network, Network::Bluesky);
    assert_eq!(
        got.posts[0].native_id,
        format!("at://{}/app.bsky.feed.post/3kpost0000", want[0].0)
    );
    assert_eq!(
        got.deletes,
        [PostKey {
            network: Network::Bluesky,
            native_id: got.posts[3].native_id.clone()
        }]
    );
    assert_eq!(
        got.checkpoint,
        Checkpoint::Jetstream {
            time_us: T0 + 10_000
        }
    );
    let stats = source.stats();
    assert_eq!(
        SourceStats::get(&stats.bad_frames),
        2,
        "the broken and the oversized frame"
    );
    assert_eq!(
        SourceStats::get(&stats.skipped),
        2,
        "the identity event and the like"
    );
    let queries = server.queries.lock().unwrap().clone();
    assert_eq!(queries, ["wantedCollections=app.bsky.feed.post"]);
}

#[tokio::test]
async fn compressed_frames_are_read_with_jetstreams_zstd_dictionary() {
    let (frames, want) = frames();
    let server = JetstreamServer::start(frames, vec![Plan::Replay]).await;
    let mut c = config(&server.url);
    c.compress = true;
    let mut source = JetstreamSource::new(c, Checkpoint::Beginning).unwrap();
    let got = read(&mut source, 10, 1).await;
    let texts: Vec<(String, String)> = got
        .posts
        .iter()
        .map(|p| (p.author.handle.clone(), p.text.clone()))
        .collect();
    assert_eq!(texts, want, "the same posts as uncompressed");
    assert_eq!(got.deletes.len(), 1);
    let stats = source.stats();
    assert_eq!(
        SourceStats::get(&stats.bad_frames),
        2,
        "the broken frame, and the one larger than 4000 bytes once decompressed"
    );
    let queries = server.queries.lock().unwrap().clone();
    assert_eq!(
        queries,
        ["wantedCollections=app.bsky.feed.post&compress=true"]
    );
}

#[tokio::test]
async fn resumes_from_a_checkpoint_minus_the_safety_margin() {
    let (frames, want) = frames();
    let server = JetstreamServer::start(frames, vec![Plan::Replay]).await;
    let checkpoint = Checkpoint::Jetstream { time_us: T0 + 5000 };
    let mut c = config(&server.url);
    c.wanted_dids = vec!["did:plc:twcssprintcare".into()];
    let mut source = JetstreamSource::new(c, checkpoint).unwrap();
    let got = read(&mut source, 7, 1).await;
    // The 2 ms margin re-reads posts 3 and 4; downstream dedupe makes that harmless.
    let texts: Vec<&str> = got.posts.iter().map(|p| p.text.as_str()).collect();
    let expected: Vec<&str> = want[3..].iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(texts, expected);
    let queries = server.queries.lock().unwrap().clone();
    assert_eq!(
        queries,
        [format!(
            "wantedCollections=app.bsky.feed.post&wantedDids=did%3Aplc%3Atwcssprintcare&cursor={}",
            T0 + 3000
        )]
    );
    assert!(
        got.gaps.is_empty(),
        "a cursor inside the replay window is no gap"
    );
}

#[tokio::test]
async fn reconnects_after_a_dropped_connection_without_losing_or_repeating_posts() {
    let (frames, want) = frames();
    let server = JetstreamServer::start(frames, vec![Plan::DropAfter(4), Plan::Replay]).await;
    let mut source = JetstreamSource::new(config(&server.url), Checkpoint::Beginning).unwrap();
    let got = read(&mut source, 10, 1).await;
    let texts: Vec<&str> = got.posts.iter().map(|p| p.text.as_str()).collect();
    let expected: Vec<&str> = want.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts, expected,
        "each post exactly once across the reconnect"
    );
    assert!(SourceStats::get(&source.stats().reconnects) >= 1);
    let queries = server.queries.lock().unwrap().clone();
    // Four frames went out: posts 0-2 and the broken frame (time of post 2).
    assert_eq!(
        queries[1],
        format!("wantedCollections=app.bsky.feed.post&cursor={}", T0 + 2001)
    );
}

#[tokio::test]
async fn a_silent_connection_is_detected_and_reopened() {
    let (frames, _) = frames();
    let server = JetstreamServer::start(frames, vec![Plan::Silent, Plan::Replay]).await;
    let mut source = JetstreamSource::new(config(&server.url), Checkpoint::Beginning).unwrap();
    let started = std::time::Instant::now();
    let got = read(&mut source, 10, 1).await;
    assert_eq!(got.posts.len(), 10);
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "the read timeout was waited out"
    );
    let stats = source.stats();
    assert_eq!(SourceStats::get(&stats.reconnects), 1);
    assert!(
        stats.last_error().unwrap().contains("no frame for"),
        "{:?}",
        stats.last_error()
    );
}

#[tokio::test]
async fn a_cursor_older_than_the_replay_window_is_a_gap() {
    let (frames, _) = frames();
    let server = JetstreamServer::start(frames, vec![Plan::Replay]).await;
    let old = Utc::now() - chrono::Duration::days(3);
    let checkpoint = Checkpoint::Jetstream {
        time_us: old.timestamp_micros() as u64,
    };
    let mut c = config(&server.url);
    c.replay_window = Duration::from_secs(24 * 3600);
    let mut source = JetstreamSource::new(c, checkpoint).unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), source.next_batch())
        .await
        .unwrap()
        .unwrap();
    assert!(
        got.posts.is_empty(),
        "the recorded events are all older than the cursor"
    );
    assert_eq!(got.gaps.len(), 1);
    let gap = &got.gaps[0];
    assert_eq!(gap.reason, "cursor older than jetstream's replay window");
    let window_start = Utc::now() - chrono::Duration::hours(24);
    assert!(
        (gap.from - old).num_milliseconds().abs() < 10,
        "the gap starts at the checkpoint"
    );
    assert!(
        (gap.to - window_start).num_seconds().abs() < 30,
        "and ends where the window starts"
    );
}

#[test]
fn checkpoints_round_trip_through_json() {
    for c in [Checkpoint::Beginning, Checkpoint::Jetstream { time_us: T0 }] {
        assert_eq!(Checkpoint::from_json(&c.to_json()).unwrap(), c);
    }
    assert_eq!(
        Checkpoint::Jetstream { time_us: 5 }.to_json(),
        r#"{"kind":"jetstream","time_us":5}"#
    );
}
