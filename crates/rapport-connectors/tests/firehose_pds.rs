//! The AT Protocol firehose source against a real PDS (npm's `@atproto/dev-env`, started
//! through `scripts/atproto-pds`): posts with mentions, a thread, a delete, a like, account
//! events, and a resume from the checkpoint that reads exactly what came after it.

// Harnesses shared by several tests; this one uses part of each.
#[allow(dead_code)]
#[path = "live/atproto_pds.rs"]
mod atproto_pds;
#[allow(dead_code)]
#[path = "live/firehose_server.rs"]
mod firehose_server;

use atproto_pds::AtprotoPds;
use rapport_connectors::live::{
    Checkpoint, FirehoseConfig, FirehoseSource, Source, SourceBatch, SourceStats,
};
use rapport_domain::Post;
use std::time::{Duration, Instant};

fn config(pds: &AtprotoPds) -> FirehoseConfig {
    let mut config = FirehoseConfig::new(pds.subscribe_repos(), &pds.plc);
    config.safety_margin = 0;
    config
}

/// Reads batches until `done` holds of everything read, or 60 s pass.
async fn read_until(
    source: &mut FirehoseSource,
    done: impl Fn(&SourceBatch) -> bool,
) -> SourceBatch {
    let mut all = SourceBatch::default();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(&all) {
        assert!(Instant::now() < deadline, "read only {all:?}");
        let batch = tokio::time::timeout(Duration::from_secs(60), source.next_batch())
            .await
            .expect("a batch within 60 s")
            .expect("no fatal error");
        all.posts.extend(batch.posts);
        all.deletes.extend(batch.deletes);
        all.deleted_accounts.extend(batch.deleted_accounts);
        all.gaps.extend(batch.gaps);
        all.checkpoint = batch.checkpoint;
    }
    all
}

fn by_text<'a>(posts: &'a [Post], text: &str) -> &'a Post {
    posts
        .iter()
        .find(|p| p.text == text)
        .unwrap_or_else(|| panic!("no post '{text}' in {posts:#?}"))
}

#[tokio::test]
async fn reads_posts_mentions_threads_and_deletes_from_a_real_pds_and_resumes() {
    let (mut pds, accounts) = AtprotoPds::start(&["brand", "customer"]).await;
    let (brand, customer) = (&accounts[0], &accounts[1]);

    let complaint = "@brand.test my order #A123 arrived broken and nobody answers";
    let complaint_uri = pds.post("customer", complaint).await;
    let answer = "So sorry! Could you send us your order number in a DM?";
    let answer_uri = pds.reply("brand", &complaint_uri, answer).await;
    let follow_up = "@brand.test sent it, still waiting";
    let follow_up_uri = pds.reply("customer", &answer_uri, follow_up).await;
    let regret = "this one I will delete";
    let regret_uri = pds.post("customer", regret).await;
    pds.call(serde_json::json!({"op": "like", "as": "brand", "uri": complaint_uri}))
        .await;
    pds.delete("customer", &regret_uri).await;

    // From the start of the PDS's sequence: account creations, posts, the like, the delete.
    let start = Checkpoint::Firehose {
        seq: 0,
        time: chrono::Utc::now(),
    };
    let mut source = FirehoseSource::new(config(&pds), start).unwrap();
    let read = read_until(&mut source, |b| b.posts.len() >= 4 && !b.deletes.is_empty()).await;

    let first = by_text(&read.posts, complaint);
    assert_eq!(first.native_id, complaint_uri);
    assert_eq!(first.author.handle, "customer.test");
    assert_eq!(
        first.author.native_id.as_deref(),
        Some(customer.did.as_str())
    );
    assert_eq!(first.mentions, vec!["brand.test".to_string()]);
    assert_eq!(first.hashtags, vec!["a123".to_string()]);
    assert!(first.reply_to.is_none());
    assert!(first.raw.contains("\"seq\""), "{}", first.raw);

    let reply = by_text(&read.posts, answer);
    assert_eq!(reply.author.handle, "brand.test");
    assert_eq!(reply.author.native_id.as_deref(), Some(brand.did.as_str()));
    assert_eq!(reply.reply_to.as_deref(), Some(complaint_uri.as_str()));
    assert_eq!(reply.reply_to_handle.as_deref(), Some("customer.test"));
    assert_eq!(reply.root_id.as_deref(), Some(complaint_uri.as_str()));

    let third = by_text(&read.posts, follow_up);
    assert_eq!(third.native_id, follow_up_uri);
    assert_eq!(third.reply_to.as_deref(), Some(answer_uri.as_str()));
    assert_eq!(third.reply_to_handle.as_deref(), Some("brand.test"));
    assert_eq!(third.root_id.as_deref(), Some(complaint_uri.as_str()));

    assert_eq!(read.deletes.len(), 1);
    assert_eq!(read.deletes[0].native_id, regret_uri);
    let stats = source.stats();
    assert!(
        SourceStats::get(&stats.skipped) >= 1,
        "the like and the account events are skipped"
    );
    assert_eq!(SourceStats::get(&stats.bad_frames), 0);
    assert!(read.gaps.is_empty(), "{:?}", read.gaps);
    let Checkpoint::Firehose { seq, .. } = read.checkpoint.clone() else {
        panic!("not a firehose checkpoint: {:?}", read.checkpoint);
    };
    assert!(seq > 0);
    drop(source);

    // Posted while no one listens: a source resumed from the checkpoint reads just that.
    let later = "@brand.test hello? anyone there?";
    let later_uri = pds.post("customer", later).await;
    let mut resumed = FirehoseSource::new(config(&pds), read.checkpoint.clone()).unwrap();
    let again = read_until(&mut resumed, |b| !b.posts.is_empty()).await;
    assert_eq!(again.posts.len(), 1, "{:#?}", again.posts);
    assert_eq!(again.posts[0].native_id, later_uri);
    assert_eq!(again.posts[0].mentions, vec!["brand.test".to_string()]);
    let Checkpoint::Firehose {
        seq: resumed_seq, ..
    } = again.checkpoint
    else {
        panic!("not a firehose checkpoint");
    };
    assert!(resumed_seq > seq);
}

/// A relay may send a commit without its record (too big to carry whole): the source reads the
/// record from the author's PDS, found through the PLC directory, and the post is complete.
#[tokio::test]
async fn a_commit_without_its_record_is_read_from_the_authors_pds() {
    let (mut pds, accounts) = AtprotoPds::start(&["brand", "customer"]).await;
    let customer = &accounts[1];
    let text = "@brand.test the parcel never came, order #B77";
    let posted = pds
        .call(serde_json::json!({"op": "post", "as": "customer", "text": text}))
        .await;
    let uri = posted["uri"].as_str().unwrap();
    let rkey = uri.rsplit('/').next().unwrap();
    let cid = ipld_core::cid::Cid::try_from(posted["cid"].as_str().unwrap()).unwrap();

    let relay = firehose_server::FirehoseServer::start(
        vec![(
            1,
            firehose_server::create_post_without_record(1, &customer.did, rkey, cid).await,
        )],
        0,
        0,
    )
    .await;
    let mut config = FirehoseConfig::new(&relay.url, &pds.plc);
    config.safety_margin = 0;
    let mut source = FirehoseSource::new(config, Checkpoint::Beginning).unwrap();
    let read = read_until(&mut source, |b| !b.posts.is_empty()).await;

    assert_eq!(read.posts.len(), 1, "{:#?}", read.posts);
    let post = &read.posts[0];
    assert_eq!(post.native_id, uri);
    assert_eq!(post.text, text);
    assert_eq!(post.author.handle, "customer.test");
    assert_eq!(post.mentions, vec!["brand.test".to_string()]);
    assert_eq!(post.hashtags, vec!["b77".to_string()]);
    assert_eq!(SourceStats::get(&source.stats().bad_frames), 0);
}

/// An account deleted on its PDS: the `#account` event (status deleted) names it, so that
/// its posts can be marked deleted; a deactivated account is not.
#[tokio::test]
async fn a_deleted_account_on_a_real_pds_is_handed_over_as_deleted() {
    let (mut pds, accounts) = AtprotoPds::start(&["brand", "customer"]).await;
    let customer_did = accounts[1].did.clone();
    let text = "@brand.test cancel my subscription, I am leaving";
    pds.post("customer", text).await;

    // From the start of the sequence: the accounts' creation (active) events, then the post.
    let start = Checkpoint::Firehose {
        seq: 0,
        time: chrono::Utc::now(),
    };
    let mut source = FirehoseSource::new(config(&pds), start).unwrap();
    let read = read_until(&mut source, |b| b.posts.iter().any(|p| p.text == text)).await;
    assert!(
        read.deleted_accounts.is_empty(),
        "{:?}",
        read.deleted_accounts
    );

    pds.call(serde_json::json!({"op": "delete_account", "as": "customer"}))
        .await;
    let read = read_until(&mut source, |b| !b.deleted_accounts.is_empty()).await;
    assert_eq!(
        read.deleted_accounts.len(),
        1,
        "{:?}",
        read.deleted_accounts
    );
    assert_eq!(read.deleted_accounts[0].native_id, customer_did);
    assert_eq!(
        read.deleted_accounts[0].network,
        rapport_domain::Network::Bluesky
    );
}
