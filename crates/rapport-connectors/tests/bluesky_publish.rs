//! The Bluesky publisher against a real PDS (npm's `@atproto/dev-env`, started through
//! `scripts/atproto-pds`): the reply lands in the customer's thread (root and parent strong
//! refs), mentions and links become facets at UTF-8 byte offsets, the record key chosen
//! before the first attempt makes a second attempt find the first post instead of making
//! another, and a revoked app password is refused for good. Texts are from twcs.

#[allow(dead_code)]
#[path = "live/atproto_pds.rs"]
mod atproto_pds;

use atproto_pds::AtprotoPds;
use rapport_connectors::live::{Checkpoint, FirehoseConfig, FirehoseSource, Source};
use rapport_connectors::publish::{
    BlueskyConfig, BlueskyPublisher, Outgoing, Parent, PublishError, Publisher, new_tid,
};
use rapport_domain::Post;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

// From `twcs_head_5000.csv` (rows 1 and 2, the brand's handle made this PDS's): a customer's
// complaint and the follow-up, then the brand's answer with a link added.
const COMPLAINT: &str = "@brand.test is the worst customer service";
const FOLLOW_UP: &str = "@brand.test I understand. I would like to assist you. We would need to \
     get you into a private secured link to further assist.";
const ANSWER: &str = "@customer.test Can you please send us a private message, so that I can \
     gain further details about your account? https://example.com/help?from=bsky";

/// Posts as read from the PDS's firehose, as Rapport stores them (their raw Jetstream-shaped
/// JSON carries the CID a reply's strong ref needs).
async fn read_posts(pds: &AtprotoPds, n: usize) -> Vec<Post> {
    let mut config = FirehoseConfig::new(pds.subscribe_repos(), &pds.plc);
    config.safety_margin = 0;
    let start = Checkpoint::Firehose {
        seq: 0,
        time: chrono::Utc::now(),
    };
    let mut source = FirehoseSource::new(config, start).unwrap();
    let mut posts = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while posts.len() < n {
        assert!(Instant::now() < deadline, "read only {posts:#?}");
        let batch = tokio::time::timeout(Duration::from_secs(60), source.next_batch())
            .await
            .expect("a batch within 60 s")
            .unwrap();
        posts.extend(batch.posts);
    }
    posts
}

fn parent(post: &Post) -> Parent {
    Parent {
        native_id: post.native_id.clone(),
        author_handle: post.author.handle.clone(),
        raw: post.raw.clone(),
    }
}

/// The brand's post records as the PDS holds them: `(rkey, record)`.
async fn brand_records(pds: &mut AtprotoPds) -> Vec<(String, Value)> {
    let listed = pds.call(json!({"op": "list", "as": "brand"})).await;
    listed["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let uri = r["uri"].as_str().unwrap();
            (
                uri.rsplit('/').next().unwrap().to_string(),
                r["value"].clone(),
            )
        })
        .collect()
}

/// A facet's `(byteStart, byteEnd, feature)`.
fn facets(record: &Value) -> Vec<(u64, u64, Value)> {
    record["facets"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|f| {
            (
                f["index"]["byteStart"].as_u64().unwrap(),
                f["index"]["byteEnd"].as_u64().unwrap(),
                f["features"][0].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_reply_threads_with_facets_and_a_second_attempt_finds_the_first() {
    let (mut pds, accounts) = AtprotoPds::start(&["brand", "customer"]).await;
    let (brand, customer) = (&accounts[0], &accounts[1]);
    let root = pds
        .call(json!({"op": "post", "as": "customer", "text": COMPLAINT}))
        .await;
    let root_uri = root["uri"].as_str().unwrap().to_string();
    let follow_up = pds
        .call(json!({"op": "post", "as": "customer", "text": FOLLOW_UP, "reply_to": root_uri}))
        .await;
    let follow_up_uri = follow_up["uri"].as_str().unwrap().to_string();
    let posts = read_posts(&pds, 2).await;
    let stored = posts
        .iter()
        .find(|p| p.native_id == follow_up_uri)
        .expect("the follow-up was read");

    let publisher = BlueskyPublisher::new(BlueskyConfig::new(
        &pds.url,
        &brand.handle,
        &brand.app_password,
    ));
    let key = new_tid();
    let reply = Outgoing {
        key: key.clone(),
        text: ANSWER.into(),
        parent: Some(parent(stored)),
    };
    // Nothing was sent yet: the network has no such reply.
    assert_eq!(
        publisher
            .find(&reply, chrono::Utc::now(), &[])
            .await
            .unwrap(),
        None
    );
    let sent = publisher.send(&reply).await.unwrap();
    let want_uri = format!("at://{}/app.bsky.feed.post/{key}", brand.did);
    assert_eq!(sent.native_id, want_uri);
    assert_eq!(
        sent.url,
        format!("https://bsky.app/profile/brand.test/post/{key}")
    );
    let post = sent.post.as_ref().expect("the reply as a post");
    assert_eq!(post.native_id, want_uri);
    assert_eq!(post.text, ANSWER);
    assert!(post.author.own_account);
    // Accounts by handle, as the live source stores them, not by DID.
    assert_eq!(post.author.handle, "brand.test");
    assert_eq!(post.mentions, vec!["customer.test".to_string()]);
    assert_eq!(post.reply_to_handle.as_deref(), Some("customer.test"));
    assert_eq!(post.reply_to.as_deref(), Some(follow_up_uri.as_str()));
    assert_eq!(post.root_id.as_deref(), Some(root_uri.as_str()));

    // What the PDS holds: one record under the chosen key, in the customer's thread.
    let records = brand_records(&mut pds).await;
    assert_eq!(records.len(), 1, "{records:#?}");
    let (rkey, record) = &records[0];
    assert_eq!(rkey, &key);
    assert_eq!(record["text"], ANSWER);
    assert_eq!(record["reply"]["root"]["uri"], root_uri.as_str());
    assert_eq!(record["reply"]["root"]["cid"], root["cid"]);
    assert_eq!(record["reply"]["parent"]["uri"], follow_up_uri.as_str());
    assert_eq!(record["reply"]["parent"]["cid"], follow_up["cid"]);
    // Facets at UTF-8 byte offsets, worked out here from the text.
    let mention = "@customer.test";
    let link = "https://example.com/help?from=bsky";
    let link_start = ANSWER.find(link).unwrap() as u64;
    assert_eq!(
        facets(record),
        vec![
            (
                0,
                mention.len() as u64,
                json!({"$type": "app.bsky.richtext.facet#mention", "did": customer.did})
            ),
            (
                link_start,
                link_start + link.len() as u64,
                json!({"$type": "app.bsky.richtext.facet#link", "uri": link})
            ),
        ]
    );

    // A second attempt of the same entry (its first outcome unknown) makes no second post.
    let again = publisher.send(&reply).await.unwrap();
    assert_eq!(again.native_id, want_uri);
    let found = publisher
        .find(&reply, chrono::Utc::now(), &[])
        .await
        .unwrap()
        .expect("the reply is found by its key");
    assert_eq!(found.native_id, want_uri);
    assert_eq!(brand_records(&mut pds).await.len(), 1);

    // Answering a post whose stored copy has no CID (read elsewhere): the CID and the thread
    // root come from the PDS.
    let bare = Outgoing {
        key: new_tid(),
        text: "@customer.test We have sent you a DM.".into(),
        parent: Some(Parent {
            native_id: follow_up_uri.clone(),
            author_handle: customer.did.clone(),
            raw: "{}".into(),
        }),
    };
    publisher.send(&bare).await.unwrap();
    let records = brand_records(&mut pds).await;
    let (_, second) = records
        .iter()
        .find(|(rkey, _)| rkey == &bare.key)
        .expect("the second reply is on the PDS");
    assert_eq!(second["reply"]["root"]["uri"], root_uri.as_str());
    assert_eq!(second["reply"]["parent"]["cid"], follow_up["cid"]);
}

#[tokio::test]
async fn a_wrong_app_password_is_refused_for_good_and_a_deleted_parent_too() {
    let (mut pds, accounts) = AtprotoPds::start(&["brand", "customer"]).await;
    let brand = &accounts[0];
    let wrong = BlueskyPublisher::new(BlueskyConfig::new(
        &pds.url,
        &brand.handle,
        "aaaa-bbbb-cccc-dddd",
    ));
    let reply = Outgoing {
        key: new_tid(),
        text: "We are looking into it.".into(),
        parent: None,
    };
    match wrong.send(&reply).await {
        Err(PublishError::Refused(why)) => assert!(why.contains("app password"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }

    let uri = pds.post("customer", COMPLAINT).await;
    pds.delete("customer", &uri).await;
    let publisher = BlueskyPublisher::new(BlueskyConfig::new(
        &pds.url,
        &brand.handle,
        &brand.app_password,
    ));
    let to_deleted = Outgoing {
        key: new_tid(),
        text: "@customer.test Sorry to hear that.".into(),
        parent: Some(Parent {
            native_id: uri,
            author_handle: accounts[1].did.clone(),
            raw: "{}".into(),
        }),
    };
    match publisher.send(&to_deleted).await {
        Err(PublishError::Refused(why)) => assert!(why.contains("no longer"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(brand_records(&mut pds).await.is_empty());
}
