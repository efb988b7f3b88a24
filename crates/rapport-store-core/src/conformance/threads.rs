//! Conversations: threads come out whole whatever order their posts arrive in.

use super::support::{P, Rng, ingest, permutations, stored};
use crate::Store;
use rapport_domain::{ConversationId, Network};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A thread shaped like a small support case: root 0; 1 and 2 answer it; 3 answers 1; 4
/// answers 3; 5 answers 2. Native ids are prefixed so many copies can share a store.
fn thread(prefix: &str) -> Vec<P> {
    let id = |n: usize| format!("{prefix}{n}");
    let parents = [None, Some(0), Some(0), Some(1), Some(3), Some(2)];
    parents
        .iter()
        .enumerate()
        .map(|(n, parent)| {
            let mut p = P::new(&id(n), if n % 2 == 0 { "customer" } else { "Brand" }).at(n as i64);
            if let Some(par) = parent {
                p = p.reply(&id(*par));
            }
            p
        })
        .collect()
}

async fn assert_whole(store: &dyn Store, prefix: &str, n: usize) -> ConversationId {
    let root = stored(store, &format!("{prefix}0")).await;
    let conv = root.conversation_id;
    for i in 1..n {
        let p = stored(store, &format!("{prefix}{i}")).await;
        assert_eq!(
            p.conversation_id, conv,
            "post {prefix}{i} is in its thread's conversation"
        );
    }
    let posts = store.contacts().conversation(conv).await.unwrap();
    let natives: Vec<String> = posts.iter().map(|p| p.post.native_id.clone()).collect();
    let expected: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
    assert_eq!(
        natives, expected,
        "a conversation lists its posts oldest first"
    );
    assert_eq!(
        store.contacts().conversation_root(conv).await.unwrap(),
        Some(root.id),
        "root of {prefix}"
    );
    conv
}

pub async fn threads_are_whole_in_every_arrival_order(store: Arc<dyn Store>) {
    // Every order of a five-post thread (120 of them), one post per ingest call.
    let perms = permutations(5);
    let mut convs = BTreeSet::new();
    for (k, perm) in perms.iter().enumerate() {
        let prefix = format!("o{k}-");
        let posts = thread(&prefix);
        for &i in perm {
            ingest(store.as_ref(), vec![posts[i].clone()]).await;
        }
        convs.insert(assert_whole(store.as_ref(), &prefix, 5).await);
    }
    assert_eq!(convs.len(), perms.len(), "threads stay apart");
    assert_eq!(
        store.posts().stats().await.unwrap().conversations,
        perms.len() as u64
    );
}

pub async fn shuffled_batches_build_the_same_threads(store: Arc<dyn Store>) {
    let mut rng = Rng(7);
    let mut all: Vec<P> = (0..40).flat_map(|t| thread(&format!("s{t}-"))).collect();
    for round in 0..3 {
        rng.shuffle(&mut all);
        // Batches of random sizes; later rounds are all duplicates.
        let mut rest = &all[..];
        while !rest.is_empty() {
            let n = (1 + rng.below(37)).min(rest.len());
            let report = ingest(store.as_ref(), rest[..n].to_vec()).await;
            if round > 0 {
                assert_eq!(report.inserted(), 0);
            }
            rest = &rest[n..];
        }
    }
    for t in 0..40 {
        assert_whole(store.as_ref(), &format!("s{t}-"), 6).await;
    }
    let s = store.posts().stats().await.unwrap();
    assert_eq!((s.posts, s.conversations), (240, 40));
}

pub async fn siblings_of_a_missing_parent_share_a_conversation(store: Arc<dyn Store>) {
    ingest(
        store.as_ref(),
        vec![P::new("11", "alice").reply("10").at(3)],
    )
    .await;
    ingest(store.as_ref(), vec![P::new("12", "bob").reply("10").at(2)]).await;
    let (a, b) = (
        stored(store.as_ref(), "11").await,
        stored(store.as_ref(), "12").await,
    );
    assert_eq!(a.conversation_id, b.conversation_id);
    // Parent missing: the root is the earliest post without a stored parent.
    assert_eq!(
        store
            .contacts()
            .conversation_root(a.conversation_id)
            .await
            .unwrap(),
        Some(b.id)
    );
    ingest(store.as_ref(), vec![P::new("10", "carol").at(9)]).await;
    let parent = stored(store.as_ref(), "10").await;
    assert_eq!(parent.conversation_id, a.conversation_id);
    assert_eq!(
        store
            .contacts()
            .conversation_root(a.conversation_id)
            .await
            .unwrap(),
        Some(parent.id)
    );
    assert_eq!(store.posts().stats().await.unwrap().conversations, 1);
}

pub async fn root_ids_join_posts_whose_parent_is_missing(store: Arc<dyn Store>) {
    let bsky = |p: P| p.net(Network::Bluesky);
    ingest(
        store.as_ref(),
        vec![
            bsky(P::new("r", "alice").at(0)),
            // replies to posts never seen, under the same root
            bsky(P::new("c1", "bob").reply("gone1").root("r").at(5)),
            bsky(P::new("c2", "carol").reply("gone2").root("r").at(6)),
        ],
    )
    .await;
    // and one whose root arrives after it
    ingest(
        store.as_ref(),
        vec![bsky(P::new("d1", "dan").reply("gone3").root("r2").at(8))],
    )
    .await;
    ingest(store.as_ref(), vec![bsky(P::new("r2", "erin").at(7))]).await;
    let get = |id: &'static str| {
        let store = store.clone();
        async move {
            store
                .posts()
                .post_by_key(&rapport_domain::PostKey {
                    network: Network::Bluesky,
                    native_id: id.into(),
                })
                .await
                .unwrap()
                .unwrap()
        }
    };
    let r = get("r").await;
    assert_eq!(get("c1").await.conversation_id, r.conversation_id);
    assert_eq!(get("c2").await.conversation_id, r.conversation_id);
    assert_eq!(
        store
            .contacts()
            .conversation_root(r.conversation_id)
            .await
            .unwrap(),
        Some(r.id)
    );
    let r2 = get("r2").await;
    assert_eq!(get("d1").await.conversation_id, r2.conversation_id);
    assert_ne!(r.conversation_id, r2.conversation_id);
    assert_eq!(store.posts().stats().await.unwrap().conversations, 2);
}

pub async fn merged_conversation_ids_lead_to_the_merged_thread(store: Arc<dyn Store>) {
    // Two replies whose parents are missing start two conversations...
    ingest(store.as_ref(), vec![P::new("3", "alice").reply("1")]).await;
    ingest(store.as_ref(), vec![P::new("4", "bob").reply("2")]).await;
    let first = stored(store.as_ref(), "3").await.conversation_id;
    let second = stored(store.as_ref(), "4").await.conversation_id;
    assert_ne!(first, second);
    assert_eq!(store.posts().stats().await.unwrap().conversations, 2);
    // ...and post 2, replying to 1, joins them.
    ingest(store.as_ref(), vec![P::new("2", "carol").reply("1")]).await;
    let merged = stored(store.as_ref(), "2").await.conversation_id;
    let mut by_conv: BTreeMap<ConversationId, Vec<String>> = BTreeMap::new();
    for id in ["2", "3", "4"] {
        let p = stored(store.as_ref(), id).await;
        by_conv
            .entry(p.conversation_id)
            .or_default()
            .push(id.into());
    }
    assert_eq!(by_conv.len(), 1, "{by_conv:?}");
    assert_eq!(store.posts().stats().await.unwrap().conversations, 1);
    for old in [first, second] {
        let posts = store.contacts().conversation(old).await.unwrap();
        assert_eq!(posts.len(), 3, "old id {old} leads to the merged thread");
        assert!(posts.iter().all(|p| p.conversation_id == merged));
    }
    ingest(store.as_ref(), vec![P::new("1", "dan")]).await;
    let root = stored(store.as_ref(), "1").await;
    assert_eq!(
        store.contacts().conversation_root(second).await.unwrap(),
        Some(root.id)
    );
    assert!(
        store
            .contacts()
            .conversation(ConversationId(merged.0 + 1000))
            .await
            .unwrap()
            .is_empty()
    );
}
