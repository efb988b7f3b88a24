//! A scheduled cross-post on a real Bluesky PDS (npm's `@atproto/dev-env`): one announcement
//! for two brand accounts, too long for one Bluesky post, scheduled a few seconds ahead;
//! `rapport publish` releases it at its time and each account's repository then holds its
//! thread once: two posts, the second a reply to the first (`reply.root` and `reply.parent`
//! name the first by URI and CID), nothing written before the scheduled time. Checked on the
//! PDS with `com.atproto.repo.listRecords` (the thread view needs an AppView, which the test
//! network does not run).

#[allow(dead_code)]
#[path = "../../rapport-connectors/tests/live/atproto_pds.rs"]
mod atproto_pds;
mod common;

#[path = "../../rapport-connectors/tests/data/sprint_answers.rs"]
mod sprint_answers;
use atproto_pds::AtprotoPds;
use chrono::{DateTime, Utc};
use common::{BlueskyChannel, Workspace};
use rapport_domain::UserId;
use rapport_domain::publication::PublicationStatus;
use rapport_engine::publish::{ChannelText, Draft};
use rapport_engine::{Engine, EngineConfig};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Real answers by @sprintcare from the twcs head, joined past Bluesky's 300 characters.
fn announcement() -> String {
    let text = sprint_answers::sprint_answers(360);
    assert!((360..590).contains(&text.chars().count()));
    text
}

/// The brand's posts on the PDS, oldest first.
async fn records(pds: &mut AtprotoPds, name: &str) -> Vec<Value> {
    let listed = pds.call(json!({"op": "list", "as": name})).await;
    let mut records = listed["records"].as_array().unwrap().clone();
    records.sort_by_key(|r| {
        r["value"]["createdAt"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    });
    records
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_cross_post_appears_on_the_pds_at_its_time_as_one_thread_per_account() {
    let (mut pds, accounts) = AtprotoPds::start(&["brand", "brandjobs"]).await;
    let ws = Workspace::new().await;
    let firehose = pds.subscribe_repos();
    for (name, account) in ["brand", "brandjobs"].iter().zip(&accounts) {
        let out = ws.add_bluesky_channel(
            name,
            &BlueskyChannel {
                pds: &pds.url,
                firehose: &firehose,
                plc: &pds.plc,
                handle: &account.handle,
                app_password: &account.app_password,
            },
        );
        assert!(
            out.status.success(),
            "channels add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = ws.store().await;
    let engine = Engine::new(store.clone(), EngineConfig::default())
        .await
        .unwrap();
    let publications = engine.publications();

    let text = announcement();
    let due = Utc::now() + chrono::Duration::seconds(8);
    let draft = Draft {
        body: text.clone(),
        channels: ["brand", "brandjobs"]
            .iter()
            .map(|c| ChannelText {
                channel: c.to_string(),
                text: None,
            })
            .collect(),
        scheduled_for: Some(due),
        time_zone: "UTC".into(),
    };
    let composed = publications
        .compose(UserId(1), &draft, Utc::now())
        .await
        .unwrap();
    let parts = composed.variants[0].parts.clone();
    assert_eq!(parts.len(), 2, "a thread of two on Bluesky: {parts:?}");
    let scheduled = publications
        .submit(composed.id, composed.version, Utc::now())
        .await
        .unwrap();
    assert_eq!(scheduled.status, PublicationStatus::Scheduled);

    let publish = ws.start(&["publish"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let published = loop {
        let view = publications
            .get(composed.id, Utc::now())
            .await
            .unwrap()
            .unwrap();
        if Utc::now() < due {
            assert!(
                records(&mut pds, "brand").await.is_empty(),
                "nothing is posted before its time"
            );
        }
        if view.publication.status == PublicationStatus::Published {
            break view;
        }
        assert!(
            Instant::now() < deadline,
            "not published 60 s after its time: {:?}",
            view.entries
                .iter()
                .map(|e| (e.entry.status, e.entry.last_error.clone()))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    publish.kill();

    for (name, account) in ["brand", "brandjobs"].iter().zip(&accounts) {
        let posts = records(&mut pds, name).await;
        assert_eq!(posts.len(), 2, "{name}: the thread once: {posts:#?}");
        let (first, second) = (&posts[0], &posts[1]);
        assert_eq!(first["value"]["text"], parts[0].as_str());
        assert_eq!(second["value"]["text"], parts[1].as_str());
        assert!(
            first["value"]["reply"].is_null(),
            "the thread starts a conversation"
        );
        for end in ["root", "parent"] {
            assert_eq!(
                second["value"]["reply"][end]["uri"], first["uri"],
                "{name} {end}"
            );
            assert_eq!(
                second["value"]["reply"][end]["cid"], first["cid"],
                "{name} {end}"
            );
        }
        let created: DateTime<Utc> = first["value"]["createdAt"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(created >= due, "{name} posted at {created}, before {due}");
        assert!(
            first["uri"]
                .as_str()
                .unwrap()
                .starts_with(&format!("at://{}/", account.did)),
            "posted from {name}'s own repository"
        );
    }
    let sent: Vec<&str> = published
        .entries
        .iter()
        .filter_map(|e| e.entry.sent_native_id.as_deref())
        .collect();
    assert_eq!(sent.len(), 4);
}
