//! The Mastodon source against the real `mastodon_mock` (PyPI), started by the tests through
//! `scripts/mastodon-mock` on 127.0.0.1: streaming over SSE, REST back-fill, faults.

#[path = "live/mastodon_mock.rs"]
mod mastodon_mock;

use mastodon_mock::MastodonMock;
use rapport_connectors::live::{
    Backoff, Checkpoint, MastodonConfig, MastodonSource, MastodonStream, Source, SourceBatch,
    SourceStats,
};
use rapport_domain::{Network, Post, PostKey};
use serde_json::json;
use std::time::Duration;

// Customers' tweets to @sprintcare from twcs (`twcs_head_5000.csv`), verbatim.
const LATE: &str =
    "@sprintcare I have sent several private messages and no one is responding as usual";
const MISSED: &str = "@sprintcare and how do you propose we do that";
const AGAIN: &str = "@sprintcare is the worst customer service";
const MORE: [&str; 2] = [
    "@sprintcare I did.",
    "@sprintcare Since I signed up with you....Since day 1",
];

fn config(mock: &MastodonMock, token: &str) -> MastodonConfig {
    let mut c = MastodonConfig::new(&mock.url, token);
    c.read_timeout = Duration::from_secs(2);
    c.request_timeout = Duration::from_secs(5);
    c.linger = Duration::from_millis(50);
    c.backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(300));
    c
}

/// Waits until the source's stream is open and its back-fill done.
async fn connected(source: &MastodonSource, times: u64) {
    let stats = source.stats();
    for _ in 0..200 {
        if SourceStats::get(&stats.connects) >= times {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the source did not connect (last error: {:?})",
        stats.last_error()
    );
}

/// Batches until `n` posts were read (15 s at most), then whatever comes in the next 700 ms.
async fn read(source: &mut MastodonSource, n: usize) -> SourceBatch {
    let mut all = SourceBatch::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let mut extra = None;
    loop {
        let until = extra.unwrap_or(deadline);
        match tokio::time::timeout_at(until, source.next_batch()).await {
            Ok(batch) => {
                let batch = batch.unwrap();
                all.posts.extend(batch.posts);
                all.deletes.extend(batch.deletes);
                all.gaps.extend(batch.gaps);
                all.checkpoint = batch.checkpoint;
            }
            Err(_) if extra.is_some() => return all,
            Err(_) => panic!(
                "only {} of {n} posts in 15 s: {:?}",
                all.posts.len(),
                texts(&all.posts)
            ),
        }
        if all.posts.len() >= n && extra.is_none() {
            extra = Some(tokio::time::Instant::now() + Duration::from_millis(700));
        }
    }
}

fn texts(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.text.as_str()).collect()
}

#[tokio::test]
async fn a_mention_arrives_live_with_its_author_mention_and_reply_link() {
    let mock = MastodonMock::start().await;
    let (brand_id, brand) = mock.user("sprintcare").await;
    let (customer_id, customer) = mock.user("customer").await;
    let announcement = mock.post(&brand, "@115712 I understand. I would like to assist you. We would need to get you into a private secured link to further assist.", None).await;
    let mut source = MastodonSource::start(config(&mock, &brand), Checkpoint::Beginning).unwrap();
    connected(&source, 1).await;
    let status = mock
        .post(&customer, LATE, announcement["id"].as_str())
        .await;
    let got = read(&mut source, 1).await;
    assert_eq!(texts(&got.posts), [LATE]);
    let post = &got.posts[0];
    // mastodon_mock names itself by its domain (`localhost:PORT`), as in its account URLs.
    let url = status["account"]["url"].as_str().unwrap();
    let host = url
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    assert_eq!(post.native_id, status["id"].as_str().unwrap());
    assert_eq!(post.author.handle, format!("customer@{host}"));
    assert_eq!(post.author.native_id.as_deref(), Some(customer_id.as_str()));
    assert_eq!(post.mentions, [format!("sprintcare@{host}")]);
    assert_eq!(post.reply_to.as_deref(), announcement["id"].as_str());
    assert_eq!(post.reply_to_handle, Some(format!("sprintcare@{host}")));
    assert_ne!(brand_id, customer_id);
    let Checkpoint::Mastodon { since } = &got.checkpoint else {
        panic!("{:?}", got.checkpoint)
    };
    assert!(
        since.contains_key("notifications"),
        "the checkpoint holds the notifications mark"
    );
}

#[tokio::test]
async fn the_backfill_on_reconnect_yields_what_was_missed_exactly_once() {
    let mock = MastodonMock::start().await;
    let (_, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    let mut source = MastodonSource::start(config(&mock, &brand), Checkpoint::Beginning).unwrap();
    connected(&source, 1).await;
    mock.post(&customer, LATE, None).await;
    let first = read(&mut source, 1).await;
    assert_eq!(texts(&first.posts), [LATE]);
    // Rapport goes down; the customer keeps posting; the stream endpoint then fails twice.
    drop(source);
    mock.post(&customer, MISSED, None).await;
    let stream = json!({"match": {"path": "/api/v1/streaming/user"}, "effect": {"type": "status", "status": 503}, "count": 2});
    mock.fault(stream).await;
    let mut source = MastodonSource::start(config(&mock, &brand), first.checkpoint).unwrap();
    let missed = read(&mut source, 1).await;
    assert_eq!(
        texts(&missed.posts),
        [MISSED],
        "the back-fill hands over the missed post once"
    );
    assert!(missed.gaps.is_empty());
    let stats = source.stats();
    assert_eq!(
        SourceStats::get(&stats.reconnects),
        2,
        "two 503s, then the stream opened"
    );
    assert!(mock.faults().await.is_empty(), "both faults fired");
    // Live again: a new post comes once, by the stream.
    mock.post(&customer, AGAIN, None).await;
    let live = read(&mut source, 1).await;
    assert_eq!(texts(&live.posts), [AGAIN]);
}

#[tokio::test]
async fn malformed_bodies_are_survived() {
    let mock = MastodonMock::start().await;
    let (_, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    let mut source = MastodonSource::start(config(&mock, &brand), Checkpoint::Beginning).unwrap();
    connected(&source, 1).await;
    mock.post(&customer, LATE, None).await;
    let first = read(&mut source, 1).await;
    drop(source);
    mock.post(&customer, MISSED, None).await;
    // The stream answers a truncated JSON body twice, the back-fill page once.
    let stream = json!({"match": {"path": "/api/v1/streaming/user"}, "effect": {"type": "malformed"}, "count": 2});
    mock.fault(stream).await;
    let page = json!({"match": {"path": "/api/v1/notifications"}, "effect": {"type": "malformed"}, "count": 1});
    mock.fault(page).await;
    let mut source = MastodonSource::start(config(&mock, &brand), first.checkpoint).unwrap();
    // Try 1: the page is not json. Try 2: the page is read, then the stream body ends mid-line.
    let got = read(&mut source, 1).await;
    assert_eq!(texts(&got.posts), [MISSED]);
    mock.post(&customer, AGAIN, None).await;
    let live = read(&mut source, 1).await;
    assert_eq!(
        texts(&live.posts),
        [AGAIN],
        "try 3 streams again, and nothing came twice"
    );
    let stats = source.stats();
    assert_eq!(SourceStats::get(&stats.reconnects), 2);
    assert_eq!(
        SourceStats::get(&stats.bad_frames),
        2,
        "the page that was not json, the cut stream"
    );
    assert!(mock.faults().await.is_empty(), "every fault fired");
}

#[tokio::test]
async fn a_backfill_that_hits_its_page_limit_reports_a_gap() {
    let mock = MastodonMock::start().await;
    let (_, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    let mut source = MastodonSource::start(config(&mock, &brand), Checkpoint::Beginning).unwrap();
    connected(&source, 1).await;
    mock.post(&customer, LATE, None).await;
    let first = read(&mut source, 1).await;
    drop(source);
    for text in [MISSED, AGAIN, MORE[0], MORE[1]] {
        mock.post(&customer, text, None).await;
    }
    let mut c = config(&mock, &brand);
    c.page_size = 2;
    c.backfill_pages = 1;
    let mut source = MastodonSource::start(c, first.checkpoint).unwrap();
    let got = read(&mut source, 2).await;
    assert_eq!(texts(&got.posts), MORE, "the newest page, oldest first");
    assert_eq!(got.gaps.len(), 1);
    assert_eq!(
        got.gaps[0].reason,
        "mastodon back-fill of notifications stopped at its limit of 1 pages"
    );
    assert!(got.gaps[0].from <= got.gaps[0].to);
}

#[tokio::test]
async fn a_refused_token_is_fatal() {
    let mock = MastodonMock::start().await;
    let mut source =
        MastodonSource::start(config(&mock, "not-a-token"), Checkpoint::Beginning).unwrap();
    let err = tokio::time::timeout(Duration::from_secs(10), source.next_batch())
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.is_fatal(), "{err}");
    assert!(
        err.to_string()
            .starts_with("mastodon refused the credentials (401)"),
        "{err}"
    );
}

#[tokio::test]
async fn a_hashtag_stream_yields_posts_edits_and_deletes() {
    // A customer's tweet from twcs, then the same with one more tag.
    const TEXT: &str = "MY HOME BUTTON DOESN’T WORK #IOS11 @AppleSupport";
    const EDITED: &str = "MY HOME BUTTON DOESN’T WORK #IOS11 @AppleSupport #help";
    let mock = MastodonMock::start().await;
    let (_, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    let mut c = config(&mock, &brand);
    c.streams = vec![MastodonStream::Hashtag("ios11".into())];
    let mut source = MastodonSource::start(c, Checkpoint::Beginning).unwrap();
    connected(&source, 1).await;
    let status = mock.post(&customer, TEXT, None).await;
    let id = status["id"].as_str().unwrap();
    let got = read(&mut source, 1).await;
    assert_eq!(texts(&got.posts), [TEXT]);
    assert_eq!(got.posts[0].hashtags, ["ios11"]);
    mock.edit(&customer, id, EDITED).await;
    mock.delete(&customer, id).await;
    let changed = read(&mut source, 1).await;
    assert_eq!(
        texts(&changed.posts),
        [EDITED],
        "the edit comes as the post again"
    );
    assert_eq!(changed.posts[0].native_id, id);
    let key = PostKey {
        network: Network::Mastodon,
        native_id: id.to_string(),
    };
    assert_eq!(changed.deletes, [key]);
    let Checkpoint::Mastodon { since } = &changed.checkpoint else {
        panic!()
    };
    assert_eq!(
        since["tag:ios11"].id, id,
        "the tag timeline's mark is the post"
    );
}

#[tokio::test]
async fn a_hung_or_silent_stream_is_reopened() {
    // Heartbeats only every 30 s: an open stream with nothing to say stays silent.
    let mock = MastodonMock::start_with_heartbeat(30.0).await;
    let (_, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    // The first stream request hangs (mastodon_mock holds it 30 s).
    let hang = json!({"match": {"path": "/api/v1/streaming/user"}, "effect": {"type": "timeout"}, "count": 1});
    mock.fault(hang).await;
    let mut c = config(&mock, &brand);
    c.request_timeout = Duration::from_secs(1);
    c.read_timeout = Duration::from_secs(1);
    let mut source = MastodonSource::start(c, Checkpoint::Beginning).unwrap();
    connected(&source, 1).await;
    let stats = source.stats();
    assert_eq!(SourceStats::get(&stats.reconnects), 1);
    assert_eq!(
        stats.last_error().unwrap(),
        "connection to mastodon failed: stream did not answer in time"
    );
    // No heartbeat within the read timeout: the stream is reopened (and back-filled).
    connected(&source, 2).await;
    assert!(SourceStats::get(&stats.reconnects) >= 2);
    assert!(
        stats.last_error().unwrap().contains("no heartbeat for 1s"),
        "{:?}",
        stats.last_error()
    );
    mock.post(&customer, LATE, None).await;
    let got = read(&mut source, 1).await;
    assert_eq!(texts(&got.posts), [LATE], "still read, once");
}
