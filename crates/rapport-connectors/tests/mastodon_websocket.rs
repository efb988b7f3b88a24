//! The Mastodon source streaming over a WebSocket (`/api/v1/streaming?stream=...`) against the
//! real `mastodon_mock` (PyPI), which serves Mastodon's multiplexed WebSocket API: mentions
//! live, a hashtag stream with deletes, the back-fill through injected faults on reconnect,
//! the gap a back-fill at its page limit reports, and a refused token.

// A harness shared by several tests; this one uses part of it.
#[allow(dead_code)]
#[path = "live/mastodon_mock.rs"]
mod mastodon_mock;

use mastodon_mock::MastodonMock;
use rapport_connectors::live::{
    Backoff, Checkpoint, MastodonConfig, MastodonSource, MastodonStream, MastodonTransport, Source,
    SourceBatch, SourceStats,
};
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
    c.transport = MastodonTransport::WebSocket;
    c.read_timeout = Duration::from_secs(3);
    c.request_timeout = Duration::from_secs(5);
    c.linger = Duration::from_millis(50);
    c.backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(300));
    c
}

async fn connected(source: &MastodonSource, times: u64) {
    let stats = source.stats();
    for _ in 0..200 {
        if SourceStats::get(&stats.connects) >= times {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("did not connect (last error: {:?})", stats.last_error());
}

/// Batches until `n` posts (or deletes) were read, then whatever comes in the next 700 ms.
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
            Err(_) => panic!("only {:?} in 15 s", texts(&all)),
        }
        if all.posts.len() + all.deletes.len() >= n && extra.is_none() {
            extra = Some(tokio::time::Instant::now() + Duration::from_millis(700));
        }
    }
}

fn texts(b: &SourceBatch) -> Vec<&str> {
    b.posts.iter().map(|p| p.text.as_str()).collect()
}

#[tokio::test]
async fn mentions_stream_live_and_a_reconnect_backfills_through_faults() {
    let mock = MastodonMock::start().await;
    let (_, brand) = mock.user("sprintcare").await;
    let (customer_id, customer) = mock.user("customer").await;
    let mut source = MastodonSource::start(config(&mock, &brand), Checkpoint::Beginning).unwrap();
    connected(&source, 1).await;
    let status = mock.post(&customer, LATE, None).await;
    let first = read(&mut source, 1).await;
    assert_eq!(texts(&first), [LATE]);
    let post = &first.posts[0];
    assert_eq!(post.native_id, status["id"].as_str().unwrap());
    assert_eq!(post.author.native_id.as_deref(), Some(customer_id.as_str()));
    assert!(
        post.mentions[0].starts_with("sprintcare@"),
        "{:?}",
        post.mentions
    );

    // Down; the customer goes on; the back-fill page then fails twice (503) on reconnect.
    drop(source);
    mock.post(&customer, MISSED, None).await;
    let page = json!({"match": {"path": "/api/v1/notifications"}, "effect": {"type": "status", "status": 503}, "count": 2});
    mock.fault(page).await;
    let mut source = MastodonSource::start(config(&mock, &brand), first.checkpoint).unwrap();
    let missed = read(&mut source, 1).await;
    assert_eq!(texts(&missed), [MISSED], "the back-fill hands it over once");
    assert_eq!(SourceStats::get(&source.stats().reconnects), 2);
    assert!(mock.faults().await.is_empty(), "both faults fired");
    mock.post(&customer, AGAIN, None).await;
    let live = read(&mut source, 1).await;
    assert_eq!(texts(&live), [AGAIN], "live again over the websocket, once");
}

#[tokio::test]
async fn a_backfill_at_its_page_limit_records_a_gap() {
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
    assert_eq!(texts(&got), MORE, "the newest page, oldest first");
    assert_eq!(got.gaps.len(), 1);
    assert_eq!(
        got.gaps[0].reason,
        "mastodon back-fill of notifications stopped at its limit of 1 pages"
    );
}

#[tokio::test]
async fn a_hashtag_stream_over_websocket_yields_posts_and_deletes() {
    const TEXT: &str = "MY HOME BUTTON DOESN’T WORK #IOS11 @AppleSupport";
    let mock = MastodonMock::start().await;
    let (_, brand) = mock.user("applesupport").await;
    let (_, customer) = mock.user("customer").await;
    let mut c = config(&mock, &brand);
    c.streams = vec![MastodonStream::Hashtag("ios11".into())];
    let mut source = MastodonSource::start(c, Checkpoint::Beginning).unwrap();
    connected(&source, 1).await;
    let status = mock.post(&customer, TEXT, None).await;
    let got = read(&mut source, 1).await;
    assert_eq!(texts(&got), [TEXT]);
    assert_eq!(got.posts[0].hashtags, ["ios11"]);
    let id = status["id"].as_str().unwrap();
    mock.delete(&customer, id).await;
    let gone = read(&mut source, 1).await;
    assert_eq!(gone.deletes.len(), 1, "{gone:?}");
    assert_eq!(gone.deletes[0].native_id, id);
}

#[tokio::test]
async fn a_refused_token_is_fatal_over_websocket() {
    let mock = MastodonMock::start().await;
    let mut source =
        MastodonSource::start(config(&mock, "not-a-token"), Checkpoint::Beginning).unwrap();
    let err = tokio::time::timeout(Duration::from_secs(10), source.next_batch())
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.is_fatal(), "{err}");
    assert!(
        !err.to_string().contains("not-a-token"),
        "never echoes the token: {err}"
    );
}
