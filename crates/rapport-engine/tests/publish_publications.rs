//! Publications against the real `mastodon_mock`: a post composed once for two brand accounts,
//! too long for one status, approved by a second user and scheduled; the publisher (the same
//! supervisor `rapport serve` runs) releases it at its time and each account posts its thread
//! once, in order, each part answering the one before, even when the answer to the first
//! request that posts cannot be read.

#[allow(dead_code)]
#[path = "../../rapport-connectors/tests/live/mastodon_mock.rs"]
mod mastodon_mock;

#[path = "../../rapport-connectors/tests/data/sprint_answers.rs"]
mod sprint_answers;
use chrono::Utc;
use mastodon_mock::MastodonMock;
use rapport_domain::UserId;
use rapport_domain::publication::{PublicationStatus, PublishingPolicy};
use rapport_engine::channels::{ChannelSpec, Channels, SecretKey};
use rapport_engine::publish::{ChannelText, Draft, PublishConfig, PublisherSupervisor};
use rapport_engine::{Engine, EngineConfig};
use rapport_store::testing::fresh_store_from_env;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sprint's real answers from `twcs_head_5000.csv`, joined into one announcement of more
/// than 500 characters (Mastodon's limit), so it goes out as a thread.
fn long_text() -> String {
    sprint_answers::sprint_answers(700)
}

async fn statuses(mock: &MastodonMock, account: &str) -> Vec<Value> {
    reqwest::Client::new()
        .get(format!(
            "{}/api/v1/accounts/{account}/statuses?limit=40",
            mock.url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_approved_thread_goes_out_at_its_time_once_per_account_in_order() {
    let mock = MastodonMock::start().await;
    let (main_id, main_token) = mock.user("brand").await;
    let (second_id, second_token) = mock.user("brandjobs").await;
    let store = fresh_store_from_env().await;
    let engine = Arc::new(
        Engine::new(store.store(), EngineConfig::default())
            .await
            .unwrap(),
    );
    let channels = Arc::new(Channels::new(store.store(), Some(SecretKey::generate())));
    for (name, token) in [("brand", &main_token), ("brand-jobs", &second_token)] {
        let account = rapport_connectors::live::mastodon_account(&mock.url, token)
            .await
            .unwrap();
        channels
            .add(
                name,
                ChannelSpec::Mastodon {
                    instance: mock.url.clone(),
                    account,
                    transport: Default::default(),
                },
                token,
            )
            .await
            .unwrap();
    }

    let publications = engine.publications();
    publications
        .set_policy(PublishingPolicy {
            approval_required: true,
        })
        .await
        .unwrap();
    let text = long_text();
    let short =
        "We are hiring: care agents who love helping people. Apply at https://example.com/jobs";
    let at = Utc::now() + chrono::Duration::seconds(3);
    let draft = Draft {
        body: text.clone(),
        channels: vec![
            ChannelText {
                channel: "brand".into(),
                text: None,
            },
            ChannelText {
                channel: "brand-jobs".into(),
                text: Some(short.into()),
            },
        ],
        scheduled_for: Some(at),
        time_zone: "America/New_York".into(),
    };
    let composed = publications
        .compose(UserId(1), &draft, Utc::now())
        .await
        .unwrap();
    let parts = composed.variants[0].parts.clone();
    assert!(
        parts.len() >= 2,
        "{} characters make a thread",
        text.chars().count()
    );
    assert_eq!(composed.variants[1].parts, vec![short.to_string()]);
    let submitted = publications
        .submit(composed.id, composed.version, Utc::now())
        .await
        .unwrap();
    assert_eq!(submitted.status, PublicationStatus::InReview);
    let own = publications
        .approve(submitted.id, submitted.version, UserId(1), Utc::now())
        .await;
    assert!(own.is_err(), "nobody approves their own post");
    let approved = publications
        .approve(submitted.id, submitted.version, UserId(2), Utc::now())
        .await
        .unwrap();
    assert_eq!(approved.status, PublicationStatus::Scheduled);

    // The first request that posts is processed but answered with a body that cannot be
    // read: the outcome is unknown, and the publisher must find the status rather than post
    // it again.
    mock.fault(json!({
        "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
        "effect": {"type": "malformed"},
        "count": 1
    }))
    .await;

    let pace = PublishConfig {
        lease: Duration::from_secs(40),
        poll: Duration::from_millis(100),
        backoff: Duration::from_millis(200),
        max_backoff: Duration::from_secs(2),
        settle: Duration::from_millis(500),
        rescan: Duration::from_secs(5),
    };
    let supervisor = PublisherSupervisor::new(engine.clone(), channels.clone(), pace);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(supervisor.run(async move {
        let _ = stop_rx.await;
    }));

    let deadline = Instant::now() + Duration::from_secs(90);
    let published = loop {
        let view = publications
            .get(approved.id, Utc::now())
            .await
            .unwrap()
            .unwrap();
        if view.publication.status == PublicationStatus::Published {
            break view;
        }
        assert!(
            Instant::now() < deadline,
            "not published after 90 s: {:?} {:?}",
            view.publication.status,
            view.entries
                .iter()
                .map(|e| (e.entry.status, e.entry.last_error.clone()))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = stop_tx.send(());
    running.await.unwrap().unwrap();

    assert!(
        published.publication.released_at.unwrap() >= at,
        "not released before its time"
    );
    assert_eq!(published.entries.len(), parts.len() + 1);

    // On the server: each account posted its variant once; the thread is in order, each part
    // answering the one before; nothing went out before its time.
    let main = statuses(&mock, &main_id).await;
    assert_eq!(
        main.len(),
        parts.len(),
        "one status per part, none doubled: {main:#?}"
    );
    let mut in_order: Vec<&Value> = main.iter().collect();
    in_order.sort_by_key(|s| s["created_at"].as_str().unwrap().to_string());
    let first_id = in_order[0]["id"].as_str().unwrap();
    assert!(
        in_order[0]["in_reply_to_id"].is_null(),
        "the thread starts a conversation"
    );
    for (k, pair) in in_order.windows(2).enumerate() {
        assert_eq!(
            pair[1]["in_reply_to_id"].as_str(),
            pair[0]["id"].as_str(),
            "part {} answers part {}",
            k + 2,
            k + 1
        );
    }
    for (status, part) in in_order.iter().zip(&parts) {
        let number = part.rsplit_once(' ').unwrap().1;
        assert!(
            status["content"].as_str().unwrap().contains(number),
            "{} carries {number}",
            status["content"]
        );
        let created: chrono::DateTime<Utc> =
            status["created_at"].as_str().unwrap().parse().unwrap();
        assert!(
            created >= at - chrono::Duration::seconds(1),
            "posted at its time"
        );
    }
    let second = statuses(&mock, &second_id).await;
    assert_eq!(second.len(), 1);
    assert!(
        second[0]["content"]
            .as_str()
            .unwrap()
            .contains("We are hiring")
    );
    // The ledger points at the posts, and the reconciled part is the one the server holds.
    for e in &published.entries {
        let native = e.entry.sent_native_id.as_deref().unwrap();
        assert!(e.sent_url.as_deref().unwrap().ends_with(native));
    }
    assert_eq!(
        published.entries[0].entry.sent_native_id.as_deref(),
        Some(first_id)
    );
    assert_eq!(
        published.entries.iter().filter(|e| e.reconcile).count(),
        1,
        "the part whose answer was unreadable was reconciled, not posted again"
    );
    assert!(published.late.is_none());
}
