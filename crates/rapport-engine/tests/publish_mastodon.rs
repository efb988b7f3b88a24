//! The publisher against the real `mastodon_mock` (PyPI), started through
//! `scripts/mastodon-mock`: customers' complaints (real ones from twcs) become cases, agents
//! answer them (Sprint's real answers), and the worker sends every reply while the mock
//! injects faults on the very request that posts (a 502, a 429 with its retry header, a
//! malformed body, a request held 30 s and processed after the client gave up, a 403).
//! Every entry ends sent exactly once on the server, or failed with its reason until the
//! agent edits and resends it. The reply is stored in the customer's thread and reading it
//! back from the network stores nothing twice.

#[allow(dead_code)]
#[path = "../../rapport-connectors/tests/live/mastodon_mock.rs"]
mod mastodon_mock;

use chrono::Utc;
use mastodon_mock::MastodonMock;
use rapport_connectors::publish::{MastodonPublishConfig, MastodonPublisher};
use rapport_connectors::{Format, Record, read_records};
use rapport_domain::care::ReplyStatus;
use rapport_domain::{Network, Post, UserId};
use rapport_engine::channels::{ChannelSpec, Channels, SecretKey};
use rapport_engine::publish::{PublishConfig, Worker};
use rapport_engine::{Engine, EngineConfig};
use rapport_store::testing::fresh_store_from_env;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Real complaints to @sprintcare and Sprint's real answers, from `twcs_head_5000.csv`.
fn conversations(n: usize) -> Vec<(String, String)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/twcs/twcs_head_5000.csv"
    );
    let mut reader = csv::Reader::from_path(path).unwrap();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .filter_map(|r| r.ok())
        .filter(|r| r.len() >= 7)
        .collect();
    let by_id: HashMap<&str, &csv::StringRecord> = rows.iter().map(|r| (&r[1], r)).collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for row in &rows {
        // index, tweet_id, author_id, inbound, created_at, text, response_tweet_id, ...
        if &row[3] != "True" || !row[5].starts_with("@sprintcare") {
            continue;
        }
        let answer = row[6]
            .split(',')
            .filter_map(|id| by_id.get(id.trim()))
            .find(|r| &r[2] == "sprintcare");
        if let Some(answer) = answer
            && !out.iter().any(|(c, a)| *c == row[5] || *a == answer[5])
        {
            out.push((row[5].to_string(), answer[5].to_string()));
        }
        if out.len() == n {
            break;
        }
    }
    assert_eq!(out.len(), n);
    out
}

fn mapped(statuses: &[Value]) -> Vec<Post> {
    let text = serde_json::to_string(statuses).unwrap();
    read_records(Format::Mastodon, std::io::Cursor::new(text.into_bytes()))
        .filter_map(|r| match r {
            Record::Post(p) => Some(p),
            _ => None,
        })
        .collect()
}

async fn brand_statuses(mock: &MastodonMock, brand_id: &str) -> Vec<Value> {
    reqwest::Client::new()
        .get(format!(
            "{}/api/v1/accounts/{brand_id}/statuses?limit=40",
            mock.url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// How many of the brand's statuses answer each customer status.
async fn answers(mock: &MastodonMock, brand_id: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for s in brand_statuses(mock, brand_id).await {
        if let Some(parent) = s["in_reply_to_id"].as_str() {
            *out.entry(parent.to_string()).or_default() += 1;
        }
    }
    out
}

#[tokio::test]
async fn every_reply_is_sent_exactly_once_or_fails_with_its_reason_under_faults() {
    let started = Instant::now();
    let mock = MastodonMock::start().await;
    let (brand_id, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    let store = fresh_store_from_env().await;
    let engine = Arc::new(
        Engine::new(store.store(), EngineConfig::default())
            .await
            .unwrap(),
    );
    let account = rapport_connectors::live::mastodon_account(&mock.url, &brand)
        .await
        .unwrap();
    let channels = Channels::new(store.store(), Some(SecretKey::generate()));
    let channel = channels
        .add(
            "support",
            ChannelSpec::Mastodon {
                instance: mock.url.clone(),
                account,
                transport: Default::default(),
            },
            &brand,
        )
        .await
        .unwrap();

    // Six customers' complaints reach Rapport and become cases.
    let convs = conversations(6);
    let mut posted = Vec::new();
    for (complaint, _) in &convs {
        posted.push(mock.post(&customer, complaint, None).await);
    }
    engine.ingest_posts(mapped(&posted)).await.unwrap();
    let care = engine.care();
    let mut entries = Vec::new();
    for (status, (_, answer)) in posted.iter().zip(&convs) {
        let key = rapport_domain::PostKey {
            network: Network::Mastodon,
            native_id: status["id"].as_str().unwrap().to_string(),
        };
        let post = store.posts().post_by_key(&key).await.unwrap().unwrap();
        let case = store
            .cases()
            .case_of_post(post.id)
            .await
            .unwrap()
            .expect("a case");
        let entry = care
            .queue_reply(
                case,
                UserId(1),
                answer,
                &format!("reply-{}", post.id.0),
                Utc::now(),
            )
            .await
            .unwrap();
        entries.push(entry.id);
    }

    // The request that posts meets one fault after another.
    let statuses = json!({"methods": ["POST"], "path": "/api/v1/statuses"});
    let reset = (Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    for effect in [
        json!({"type": "status", "status": 502}),
        json!({"type": "ratelimit", "headers": {"Retry-After": "1", "X-RateLimit-Reset": reset}}),
        json!({"type": "malformed"}),
        json!({"type": "timeout"}),
        json!({"type": "status", "status": 403,
            "body": {"error": "This action is not allowed"}}),
    ] {
        mock.fault(json!({"match": statuses, "effect": effect, "count": 1}))
            .await;
    }

    let mut config = MastodonPublishConfig::new(&mock.url, &brand);
    config.request_timeout = Duration::from_millis(1500);
    let publisher = Arc::new(MastodonPublisher::new(config));
    let pace = PublishConfig {
        lease: Duration::from_secs(10),
        poll: Duration::from_millis(50),
        backoff: Duration::from_millis(200),
        max_backoff: Duration::from_secs(2),
        settle: Duration::from_millis(500),
        rescan: Duration::from_secs(10),
    };
    let worker = Worker::new(engine.clone(), channel, publisher, pace);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(stop_rx));

    let settled = |wanted_failed: usize| {
        let store = store.store();
        let entries = entries.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(40);
            loop {
                let mut failed = 0;
                let mut done = 0;
                for id in &entries {
                    let e = store.publish().publish_entry(*id).await.unwrap().unwrap();
                    match e.entry.status {
                        ReplyStatus::Sent => done += 1,
                        ReplyStatus::Failed => failed += 1,
                        _ => {}
                    }
                }
                if done + failed == entries.len() && failed == wanted_failed {
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "{done} sent, {failed} failed after 40 s"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    settled(1).await;

    // The refused one says why, on the case; the agent edits it and sends it again.
    let mut failed = None;
    for id in &entries {
        let e = store.publish().publish_entry(*id).await.unwrap().unwrap();
        if e.entry.status == ReplyStatus::Failed {
            let reason = e.entry.last_error.clone().unwrap();
            assert!(
                reason.contains("403") && reason.contains("not allowed"),
                "{reason}"
            );
            failed = Some(e);
        }
    }
    let failed = failed.unwrap();
    let edited = format!("{} (edited)", failed.entry.body);
    care.resend_reply(failed.entry.id, &edited, UserId(1), Utc::now())
        .await
        .unwrap();
    settled(0).await;

    // The request the mock held 30 s lands now, with the key a retry already used.
    let held_until = started + Duration::from_secs(34);
    tokio::time::sleep(held_until.saturating_duration_since(Instant::now())).await;
    let counts = answers(&mock, &brand_id).await;
    for status in &posted {
        let id = status["id"].as_str().unwrap();
        assert_eq!(
            counts.get(id),
            Some(&1),
            "customer status {id} answered exactly once"
        );
    }
    assert_eq!(brand_statuses(&mock, &brand_id).await.len(), posted.len());
    let mut reconciled = 0;
    for id in &entries {
        let e = store.publish().publish_entry(*id).await.unwrap().unwrap();
        assert_eq!(e.entry.status, ReplyStatus::Sent);
        let native = e.entry.sent_native_id.clone().unwrap();
        assert!(
            e.sent_url.as_deref().is_some_and(|u| u.ends_with(&native)),
            "{e:?}"
        );
        reconciled += usize::from(e.reconcile);
    }
    assert!(
        reconciled >= 3,
        "the 502, the malformed body and the timeout were reconciled"
    );
    let resent = store
        .publish()
        .publish_entry(failed.entry.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resent.entry.body, edited);

    // Each reply is in its customer's thread, once, even after the network's copy is read back.
    let page = care
        .case_page(resent.entry.case_id.expect("a reply answers a case"))
        .await
        .unwrap();
    let reply_post = page
        .posts
        .iter()
        .find(|p| Some(&p.post.native_id) == resent.entry.sent_native_id.as_ref())
        .expect("the published reply is in the thread");
    assert!(reply_post.from_own_account);
    let before = store.posts().stats().await.unwrap().posts;
    let read_back = mapped(&brand_statuses(&mock, &brand_id).await);
    let summary = engine.ingest_posts(read_back).await.unwrap();
    assert_eq!(summary.imported, 0, "every reply read back is a duplicate");
    assert_eq!(store.posts().stats().await.unwrap().posts, before);
    for id in &entries {
        let e = store.publish().publish_entry(*id).await.unwrap().unwrap();
        let by_native = store
            .publish()
            .entry_by_native(
                Network::Mastodon,
                e.entry.sent_native_id.as_deref().unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(
            by_native.map(|b| b.entry.id),
            Some(*id),
            "the post leads to its entry"
        );
    }

    let _ = stop_tx.send(true);
    running.await.unwrap();
    println!("publisher fault test took {:?}", started.elapsed());
}
