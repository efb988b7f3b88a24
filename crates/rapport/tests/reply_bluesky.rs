//! An agent answers a live Bluesky complaint from its case, end to end against a real PDS
//! (npm's `@atproto/dev-env`): `rapport listen` turns the customer's post into a case, the
//! agent's reply is queued on the case as the case page queues it, `rapport publish` sends it,
//! and the PDS then holds one post in the brand's repository whose `reply.parent` and
//! `reply.root` are the customer's post (checked with `com.atproto.repo.listRecords`; the
//! thread view needs an AppView, which the test network does not run). The reply then comes
//! back through the firehose and is recognised as the case's own reply, not stored twice.

mod common;
// The connectors' PDS harness; this test uses part of it.
#[allow(dead_code)]
#[path = "../../rapport-connectors/tests/live/atproto_pds.rs"]
mod atproto_pds;

use atproto_pds::AtprotoPds;
use chrono::Utc;
use common::{BlueskyChannel, Workspace};
use rapport_domain::care::ReplyStatus;
use rapport_domain::{Network, PostKey, UserId};
use rapport_engine::{Engine, EngineConfig};
use serde_json::json;
use std::time::{Duration, Instant};

// From `twcs_head_5000.csv`, the brand's handle made this PDS's: a customer's tweet to
// @sprintcare, and Sprint's answer.
const COMPLAINT: &str = "@brand.test is the worst customer service";
const ANSWER: &str = "@customer.test Can you please send us a private message, so that I can \
     gain further details about your account?";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_reply_reaches_the_customers_thread_on_the_pds_once() {
    let (mut pds, accounts) = AtprotoPds::start(&["brand", "customer"]).await;
    let brand = &accounts[0];
    let ws = Workspace::new().await;
    let firehose = pds.subscribe_repos();
    let out = ws.add_bluesky_channel(
        "brand",
        &BlueskyChannel {
            pds: &pds.url,
            firehose: &firehose,
            plc: &pds.plc,
            handle: "brand.test",
            app_password: &brand.app_password,
        },
    );
    assert!(
        out.status.success(),
        "channels add failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listen = ws.start(&["listen"]);
    ws.wait_connected().await;
    let store = ws.store().await;

    let complaint = pds.post("customer", COMPLAINT).await;
    common::bluesky_case(&store, &complaint, Instant::now()).await;
    let stored = store
        .posts()
        .post_by_key(&PostKey {
            network: Network::Bluesky,
            native_id: complaint.clone(),
        })
        .await
        .unwrap()
        .unwrap();
    let case = store
        .cases()
        .case_of_post(stored.id)
        .await
        .unwrap()
        .unwrap();

    // The agent answers from the case: the case page's composer queues the reply so.
    let engine = Engine::new(store.clone(), EngineConfig::default())
        .await
        .unwrap();
    let entry = engine
        .care()
        .queue_reply(case, UserId(1), ANSWER, "agent-reply-1", Utc::now())
        .await
        .unwrap();
    let publish = ws.start(&["publish"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let sent = loop {
        let got = store
            .publish()
            .publish_entry(entry.id)
            .await
            .unwrap()
            .unwrap();
        if got.entry.status == ReplyStatus::Sent {
            break got;
        }
        assert!(
            got.entry.status != ReplyStatus::Failed,
            "the reply failed: {got:?}"
        );
        assert!(Instant::now() < deadline, "not sent in 30 s: {got:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    publish.kill();

    // On the PDS: one post in the brand's repository, in the customer's thread.
    let listed = pds.call(json!({"op": "list", "as": "brand"})).await;
    let records = listed["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{listed}");
    let record = &records[0]["value"];
    assert_eq!(record["text"], ANSWER);
    assert_eq!(record["reply"]["parent"]["uri"], complaint.as_str());
    assert_eq!(record["reply"]["root"]["uri"], complaint.as_str());
    let reply_uri = records[0]["uri"].as_str().unwrap().to_string();
    assert_eq!(
        sent.entry.sent_native_id.as_deref(),
        Some(reply_uri.as_str())
    );

    // The reply comes back through the firehose before a later post of the customer's (the
    // firehose is in order): once that post is in, the reply has been read back, and is
    // still one stored copy, in the case's thread.
    let later = pds.post("customer", "@brand.test ok, sent you a DM").await;
    common::bluesky_case(&store, &later, Instant::now()).await;
    listen.kill();
    let reply = store
        .posts()
        .post_by_key(&PostKey {
            network: Network::Bluesky,
            native_id: reply_uri.clone(),
        })
        .await
        .unwrap()
        .expect("the reply is stored");
    assert_eq!(reply.conversation_id, stored.conversation_id);
    assert_eq!(reply.post.author.handle, "brand.test");
    assert_eq!(
        store.posts().stats().await.unwrap().posts,
        3,
        "the complaint, the reply and the customer's next post, each once"
    );
}
