//! `rapport listen` reading a real Bluesky PDS's firehose (`com.atproto.sync.subscribeRepos`;
//! npm's `@atproto/dev-env`, started through `scripts/atproto-pds`): a brand channel added
//! from the command line, a customer's complaint mentioning the brand that becomes a case with
//! the right author, mention and thread, a delete that marks the post, and a SIGKILL while the
//! customer keeps posting, after which every post is stored exactly once.

mod common;
// The connectors' PDS harness; this test uses part of it.
#[allow(dead_code)]
#[path = "../../rapport-connectors/tests/live/atproto_pds.rs"]
mod atproto_pds;

use atproto_pds::AtprotoPds;
use common::{BlueskyChannel, Workspace};
use rapport_domain::{Network, PostKey};
use std::time::{Duration, Instant};

const COMPLAINT: &str = "@brand.test my order arrived broken and nobody answers, I want a refund";
const FOLLOW_UP: &str = "and the replacement is broken too";
const WHILE_DOWN: [&str; 3] = [
    "@brand.test still waiting on that refund, this is ridiculous",
    "@brand.test hello?? anyone there? third day without an answer",
    "@brand.test I am going to my bank",
];

fn key(uri: &str) -> PostKey {
    PostKey {
        network: Network::Bluesky,
        native_id: uri.to_string(),
    }
}

#[tokio::test]
async fn a_complaint_on_a_real_pds_becomes_a_case_and_a_sigkill_loses_nothing() {
    let (mut pds, accounts) = AtprotoPds::start(&["brand", "customer"]).await;
    let (brand, customer) = (&accounts[0], &accounts[1]);
    let started = Instant::now();
    let ws = Workspace::new().await;

    let firehose = pds.subscribe_repos();
    let channel = BlueskyChannel {
        pds: &pds.url,
        firehose: &firehose,
        plc: &pds.plc,
        handle: "brand.test",
        app_password: &brand.app_password,
    };
    let out = ws.add_bluesky_channel("brand", &channel);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "channels add failed: {said}");
    assert!(!said.contains(&brand.app_password), "never printed: {said}");
    let own = ws.json(&["own", "list", "--json"]);
    assert_eq!(own["accounts"][0]["handle"], "brand.test", "{own}");

    // A wrong app password is refused when the channel is added, with the PDS's reason.
    let wrong = BlueskyChannel {
        app_password: "wrong-password",
        ..channel
    };
    let out = ws.add_bluesky_channel("other", &wrong);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot check the app password"), "{err}");

    // `channels test` connects with the stored credential and says what it reads.
    let tested = ws.ok(&["channels", "test", "brand", "--listen", "1"]);
    assert!(
        tested.contains(&format!(
            "the app password opens brand.test ({})",
            brand.did
        )),
        "{tested}"
    );
    assert!(tested.contains("connected to its stream"), "{tested}");
    let missing = ws.run(&["channels", "test", "nosuch"]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no channel named 'nosuch'"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );

    let listen = ws.start(&["listen"]);
    ws.wait_connected().await;
    let store = ws.store().await;

    let posted = Instant::now();
    let complaint = pds.post("customer", COMPLAINT).await;
    let latency = common::bluesky_case(&store, &complaint, posted).await;
    println!(
        "live latency on the PDS, customer's post to case: {} ms",
        latency.as_millis()
    );
    assert!(latency < Duration::from_secs(5), "took {latency:?}");
    let stored = store
        .posts()
        .post_by_key(&key(&complaint))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.post.author.handle, "customer.test");
    assert_eq!(
        stored.post.author.native_id.as_deref(),
        Some(customer.did.as_str())
    );
    assert_eq!(stored.post.mentions, vec!["brand.test".to_string()]);
    assert!(stored.is_mention, "a mention of the brand's own account");

    // The customer answers their own post: the same thread, the same case.
    let follow_up = pds.reply("customer", &complaint, FOLLOW_UP).await;
    common::bluesky_case(&store, &follow_up, Instant::now()).await;
    let reply = store
        .posts()
        .post_by_key(&key(&follow_up))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply.post.reply_to.as_deref(), Some(complaint.as_str()));
    assert_eq!(reply.conversation_id, stored.conversation_id);
    let first_case = store.cases().case_of_post(stored.id).await.unwrap();
    assert_eq!(
        store.cases().case_of_post(reply.id).await.unwrap(),
        first_case
    );

    // A deleted post is marked deleted.
    let regret = pds
        .post("customer", "@brand.test you are all useless")
        .await;
    common::bluesky_case(&store, &regret, Instant::now()).await;
    pds.delete("customer", &regret).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while store
        .deletions()
        .deleted_at(&key(&regret))
        .await
        .unwrap()
        .is_none()
    {
        assert!(Instant::now() < deadline, "the delete was not marked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // SIGKILL mid-stream: the customer keeps posting while Rapport is down and as it starts.
    listen.kill();
    let mut missed = Vec::new();
    missed.push(pds.post("customer", WHILE_DOWN[0]).await);
    missed.push(pds.post("customer", WHILE_DOWN[1]).await);
    let listen = ws.start(&["listen"]);
    missed.push(pds.post("customer", WHILE_DOWN[2]).await);
    let restarted = Instant::now();
    for uri in &missed {
        common::bluesky_case(&store, uri, restarted).await;
    }
    // A moment for any duplicate the safety margin's re-read could have produced.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    listen.kill();

    let stats = store.posts().stats().await.unwrap();
    assert_eq!(
        stats.posts, 6,
        "complaint, follow-up, deleted post and three missed posts, each stored once"
    );
    for uri in missed.iter().chain([&complaint, &follow_up, &regret]) {
        assert!(
            store
                .posts()
                .post_by_key(&key(uri))
                .await
                .unwrap()
                .is_some(),
            "{uri}"
        );
    }
    let list = ws.json(&["channels", "list", "--json"]);
    assert!(
        list["channels"][0]["cursor"]["seq"].as_i64().unwrap() > 0,
        "{list}"
    );

    // The customer deletes their account: every post of theirs is marked deleted.
    let listen = ws.start(&["listen"]);
    pds.call(serde_json::json!({"op": "delete_account", "as": "customer"}))
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    for uri in missed.iter().chain([&complaint, &follow_up]) {
        while store
            .deletions()
            .deleted_at(&key(uri))
            .await
            .unwrap()
            .is_none()
        {
            assert!(
                Instant::now() < deadline,
                "{uri} was not marked deleted with its account"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    listen.kill();
    println!("end-to-end test took {:?}", started.elapsed());
}
