//! The X filtered stream and rules sync against a test server written from X's public API v2
//! documentation (X cannot run here): see `live/x_server.rs`.

mod common;
#[path = "live/x_server.rs"]
mod x_server;

use rapport_connectors::live::{
    Backoff, Checkpoint, Source, SourceBatch, SourceStats, XConfig, XFilteredStream, XRule, XRules,
};
use std::time::Duration;
use x_server::{Plan, TOKEN, XServer};

/// A stream envelope for twcs row `i`, as X sends it: the tweet, its author in
/// `includes.users`, and the rule that matched.
fn envelope(i: usize) -> (String, String, String) {
    let mut reader = csv::Reader::from_path(common::data("twcs/twcs_head_5000.csv")).unwrap();
    let row = reader.records().nth(i).unwrap().unwrap();
    let (author, text) = (row[2].to_string(), row[5].to_string());
    let id = format!("{}", 1_869_690_000_000_000_000u64 + i as u64);
    let user_id = format!("{}", 9_000 + i);
    let line = serde_json::json!({
        "data": {"id": id, "text": text, "author_id": user_id, "created_at": "2024-12-19T10:00:00.000Z",
            "edit_history_tweet_ids": [id], "lang": "en"},
        "includes": {"users": [{"id": user_id, "username": author, "name": author}]},
        "matching_rules": [{"id": "1", "tag": "care"}]
    });
    (line.to_string(), author, text)
}

fn config(api: &str, token: &str) -> XConfig {
    let mut c = XConfig::new(api, token);
    c.read_timeout = Duration::from_millis(500);
    c.linger = Duration::from_millis(30);
    c.backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(200));
    c
}

async fn read(source: &mut XFilteredStream, posts: usize) -> SourceBatch {
    let mut all = SourceBatch::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while all.posts.len() < posts {
        let batch = tokio::time::timeout_at(deadline, source.next_batch())
            .await
            .expect("posts within 10 s")
            .unwrap();
        all.posts.extend(batch.posts);
        all.gaps.extend(batch.gaps);
        all.checkpoint = batch.checkpoint;
    }
    all
}

#[tokio::test]
async fn stream_posts_keep_alives_and_bad_lines() {
    let (a, author_a, text_a) = envelope(0);
    let (b, author_b, text_b) = envelope(1);
    let long = format!(
        "{{\"data\":{{\"id\":\"1\",\"text\":\"{}\"}}}}",
        "x".repeat(3000)
    );
    let lines = vec![
        a,
        "{\"data\": {\"id\": ".into(),
        long,
        "\u{1}not json".into(),
        b,
    ];
    let server = XServer::start(vec![Plan::Lines(lines)], vec![]).await;
    let mut c = config(&server.api, TOKEN);
    c.max_line_bytes = 2000;
    let mut source = XFilteredStream::new(c, Checkpoint::Beginning).unwrap();
    let got = read(&mut source, 2).await;
    let posts: Vec<(&str, &str)> = got
        .posts
        .iter()
        .map(|p| (p.author.handle.as_str(), p.text.as_str()))
        .collect();
    assert_eq!(
        posts,
        [
            (author_a.as_str(), text_a.as_str()),
            (author_b.as_str(), text_b.as_str())
        ]
    );
    assert!(
        got.posts[0].raw.contains("matching_rules"),
        "the matching rules stay in raw"
    );
    assert_eq!(
        got.checkpoint,
        Checkpoint::X {
            newest_id: "1869690000000000001".into()
        }
    );
    let stats = source.stats();
    assert_eq!(
        SourceStats::get(&stats.reads),
        2,
        "each post is a billable read"
    );
    assert_eq!(
        SourceStats::get(&stats.bad_frames),
        3,
        "truncated, oversized, not json"
    );
    let streams = server.recorded.lock().unwrap().streams.clone();
    assert_eq!(streams[0]["expansions"], "author_id,in_reply_to_user_id");
    assert!(streams[0]["tweet.fields"].contains("referenced_tweets"));
}

#[tokio::test]
async fn a_429_waits_for_the_reset_then_reconnects() {
    let (a, _, text) = envelope(2);
    let server = XServer::start(vec![Plan::RateLimited(2), Plan::Lines(vec![a])], vec![]).await;
    let mut source =
        XFilteredStream::new(config(&server.api, TOKEN), Checkpoint::Beginning).unwrap();
    let started = std::time::Instant::now();
    let got = read(&mut source, 1).await;
    assert_eq!(got.posts[0].text, text);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for x-rate-limit-reset, not the 50 ms backoff"
    );
    let stats = source.stats();
    assert_eq!(SourceStats::get(&stats.reconnects), 1);
    assert_eq!(
        stats.last_error().unwrap(),
        "x answered 429: Too Many Requests"
    );
}

#[tokio::test]
async fn a_dropped_connection_reconnects_and_reports_the_gap() {
    let (a, _, text_a) = envelope(3);
    let (b, _, text_b) = envelope(4);
    let plans = vec![Plan::LinesThenDrop(vec![a]), Plan::Lines(vec![b])];
    let server = XServer::start(plans, vec![]).await;
    let mut source =
        XFilteredStream::new(config(&server.api, TOKEN), Checkpoint::Beginning).unwrap();
    let got = read(&mut source, 2).await;
    let texts: Vec<&str> = got.posts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, [text_a.as_str(), text_b.as_str()]);
    assert_eq!(SourceStats::get(&source.stats().reconnects), 1);
    assert_eq!(
        got.gaps.len(),
        1,
        "x keeps no cursor: the time disconnected is a gap"
    );
    assert!(got.gaps[0].from <= got.gaps[0].to);
}

#[tokio::test]
async fn a_silent_stream_is_reopened() {
    let (a, _, text) = envelope(5);
    let server = XServer::start(vec![Plan::Hang, Plan::Lines(vec![a])], vec![]).await;
    let mut source =
        XFilteredStream::new(config(&server.api, TOKEN), Checkpoint::Beginning).unwrap();
    let got = read(&mut source, 1).await;
    assert_eq!(got.posts[0].text, text);
    let stats = source.stats();
    assert_eq!(SourceStats::get(&stats.reconnects), 1);
    assert!(stats.last_error().unwrap().contains("no keep-alive"));
}

#[tokio::test]
async fn a_wrong_token_is_fatal() {
    let server = XServer::start(vec![Plan::Lines(vec![])], vec![]).await;
    let mut source =
        XFilteredStream::new(config(&server.api, "wrong"), Checkpoint::Beginning).unwrap();
    let err = tokio::time::timeout(Duration::from_secs(5), source.next_batch())
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.is_fatal());
    assert_eq!(
        err.to_string(),
        "x refused the credentials (401): Unauthorized"
    );
}

fn rule(value: &str, tag: &str) -> XRule {
    XRule {
        value: value.into(),
        tag: tag.into(),
    }
}

#[tokio::test]
async fn rules_sync_dry_runs_then_applies_the_difference() {
    let current = vec![("1", "old outage", "t1"), ("2", "refund lang:en", "t2")];
    let server = XServer::start(vec![Plan::Hang], current).await;
    let rules = XRules::new(&server.api, TOKEN).unwrap();
    let desired = [
        rule("refund lang:en", "t2"),
        rule("\"wifi dropping\"~3", "t3"),
    ];
    let change = rules.sync(&desired).await.unwrap();
    assert_eq!(change.delete, ["1"]);
    assert_eq!(change.add, [desired[1].clone()]);
    {
        let rec = server.recorded.lock().unwrap();
        let dry: Vec<bool> = rec.rule_posts.iter().map(|(d, _)| *d).collect();
        assert_eq!(
            dry,
            [true, true, false, false],
            "delete and add dry-run first, then applied"
        );
        let now: Vec<(&str, &str)> = rec
            .rules
            .iter()
            .map(|(_, v, t)| (v.as_str(), t.as_str()))
            .collect();
        assert_eq!(
            now,
            [("refund lang:en", "t2"), ("\"wifi dropping\"~3", "t3")]
        );
    }
    assert!(
        rules.sync(&desired).await.unwrap().is_empty(),
        "nothing to do the second time"
    );
    assert_eq!(SourceStats::get(&rules.stats().reads), 2);
}

#[tokio::test]
async fn a_rule_x_rejects_changes_nothing() {
    let server = XServer::start(vec![Plan::Hang], vec![("1", "old", "t1")]).await;
    let rules = XRules::new(&server.api, TOKEN).unwrap();
    let err = rules.sync(&[rule("\"unbalanced", "t9")]).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("bad source configuration: x rejected the rules:"),
        "{err}"
    );
    assert!(err.to_string().contains("mismatched quotes"));
    let rec = server.recorded.lock().unwrap();
    assert!(
        rec.rule_posts.iter().all(|(dry, _)| *dry),
        "only dry runs were sent"
    );
    assert_eq!(rec.rules.len(), 1, "the old rule is still there");
}

#[tokio::test]
async fn resuming_asks_for_backfill_and_reports_what_it_cannot_cover() {
    let (a, _, text) = envelope(6);
    let server = XServer::start(vec![Plan::Lines(vec![a])], vec![]).await;
    let mut c = config(&server.api, TOKEN);
    c.backfill_minutes = Some(2);
    let newest: u64 = 1_869_600_000_000_000_000;
    let checkpoint = Checkpoint::X {
        newest_id: newest.to_string(),
    };
    let mut source = XFilteredStream::new(c, checkpoint).unwrap();
    let got = read(&mut source, 1).await;
    assert_eq!(got.posts[0].text, text);
    let streams = server.recorded.lock().unwrap().streams.clone();
    assert_eq!(streams[0]["backfill_minutes"], "2");
    // The checkpoint's post id holds its time (a snowflake): from then, plus the 2 minutes
    // X replays, to now is a gap.
    let posted =
        chrono::DateTime::from_timestamp_millis((newest >> 22) as i64 + 1_288_834_974_657).unwrap();
    assert_eq!(got.gaps.len(), 1);
    assert_eq!(got.gaps[0].from, posted + chrono::TimeDelta::minutes(2));
    assert!((chrono::Utc::now() - got.gaps[0].to).num_seconds() < 10);
    assert_eq!(
        got.checkpoint,
        Checkpoint::X {
            newest_id: "1869690000000000006".into()
        }
    );
}

#[tokio::test]
async fn an_operational_disconnect_line_ends_the_connection() {
    let (a, _, text_a) = envelope(7);
    let (b, _, text_b) = envelope(8);
    // X's documented error line when it closes a stream for operational reasons.
    let disconnect = serde_json::json!({"errors": [{"title": "operational-disconnect",
        "disconnect_type": "UpstreamOperationalDisconnect",
        "detail": "This stream has been disconnected upstream for operational reasons.",
        "type": "https://api.twitter.com/2/problems/operational-disconnect"}]});
    let plans = vec![
        Plan::Lines(vec![a, disconnect.to_string()]),
        Plan::Lines(vec![b]),
    ];
    let server = XServer::start(plans, vec![]).await;
    let mut source =
        XFilteredStream::new(config(&server.api, TOKEN), Checkpoint::Beginning).unwrap();
    let got = read(&mut source, 2).await;
    let texts: Vec<&str> = got.posts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, [text_a.as_str(), text_b.as_str()]);
    let stats = source.stats();
    assert_eq!(
        SourceStats::get(&stats.reconnects),
        1,
        "the server kept the first connection open; the client left"
    );
    assert!(
        stats
            .last_error()
            .unwrap()
            .contains("operational-disconnect")
    );
    assert_eq!(server.recorded.lock().unwrap().streams.len(), 2);
}
