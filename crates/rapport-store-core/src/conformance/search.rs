//! Full-text candidates: a superset of the posts a query can match, found by the index.

use super::support::{P, ingest};
use crate::Store;
use rapport_domain::{PostId, TermFilter};
use std::sync::Arc;

fn filter(groups: &[&[&str]]) -> TermFilter {
    TermFilter {
        any_of: groups
            .iter()
            .map(|g| g.iter().map(|w| w.to_string()).collect())
            .collect(),
    }
}

async fn found(store: &dyn Store, groups: &[&[&str]]) -> Vec<String> {
    store
        .posts()
        .search_candidates(&filter(groups), None, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.post.native_id)
        .collect()
}

async fn corpus(store: &dyn Store) {
    let texts = [
        "My router keeps dropping the wifi",
        "The new ROUTER firmware is great",
        "Pineapple pizza is controversial",
        "Connection lost again, connecting...",
        "Un café crème, s'il vous plaît",
        "Cafe latte art #coffee",
        "Wi-Fi connected but no internet",
        "Ärger mit dem Modem: über-langsam",
        "nothing to see here",
        "apple and banana",
    ];
    let posts = texts
        .iter()
        .enumerate()
        .map(|(i, t)| P::new(&(i + 1).to_string(), "alice").text(t))
        .collect();
    ingest(store, posts).await;
}

pub async fn candidates_need_every_word_of_a_group(store: Arc<dyn Store>) {
    corpus(store.as_ref()).await;
    assert_eq!(found(store.as_ref(), &[&["router"]]).await, ["1", "2"]);
    assert_eq!(found(store.as_ref(), &[&["router", "wifi"]]).await, ["1"]);
    assert_eq!(
        found(store.as_ref(), &[&["apple"]]).await,
        ["10"],
        "words, not substrings"
    );
    assert!(
        found(store.as_ref(), &[&["router", "pizza"]])
            .await
            .is_empty()
    );
    assert!(found(store.as_ref(), &[&["zebra"]]).await.is_empty());
    // Query syntax and quotes inside words are only words.
    assert!(
        found(store.as_ref(), &[&["\"router\" OR NOT"]])
            .await
            .is_empty()
    );
    assert_eq!(found(store.as_ref(), &[&["s'il"]]).await, ["5"]);
    assert_eq!(found(store.as_ref(), &[&["wi-fi"]]).await, ["7"]);
}

pub async fn prefixes_and_or_groups_widen_candidates(store: Arc<dyn Store>) {
    corpus(store.as_ref()).await;
    assert_eq!(found(store.as_ref(), &[&["connect*"]]).await, ["4", "7"]);
    assert_eq!(found(store.as_ref(), &[&["conn*", "lost"]]).await, ["4"]);
    assert_eq!(
        found(
            store.as_ref(),
            &[&["pizza"], &["router", "firmware"], &["modem"]]
        )
        .await,
        ["2", "3", "8"]
    );
    assert_eq!(
        found(store.as_ref(), &[&["pine*"], &["banana"]]).await,
        ["3", "10"]
    );
}

pub async fn accents_and_case_do_not_hide_candidates(store: Arc<dyn Store>) {
    corpus(store.as_ref()).await;
    assert_eq!(found(store.as_ref(), &[&["cafe"]]).await, ["5", "6"]);
    assert_eq!(found(store.as_ref(), &[&["café"]]).await, ["5", "6"]);
    assert_eq!(found(store.as_ref(), &[&["CREME"]]).await, ["5"]);
    assert_eq!(found(store.as_ref(), &[&["arger", "uber*"]]).await, ["8"]);
    assert_eq!(found(store.as_ref(), &[&["ärger"]]).await, ["8"]);
    assert_eq!(
        found(store.as_ref(), &[&["coffee"]]).await,
        ["6"],
        "hashtag words"
    );
}

pub async fn scan_all_filters_and_paging_behave_like_scan(store: Arc<dyn Store>) {
    corpus(store.as_ref()).await;
    let all = store.posts().scan_posts(None, 100).await.unwrap();
    assert_eq!(all.len(), 10);
    let scan_all = store
        .posts()
        .search_candidates(&TermFilter::scan_all(), None, 100)
        .await
        .unwrap();
    assert_eq!(scan_all, all);
    // A group without any word cannot narrow anything down.
    let wordless = store
        .posts()
        .search_candidates(&filter(&[&["router"], &["!!"]]), None, 100)
        .await
        .unwrap();
    assert_eq!(wordless.len(), 10);
    // Paging through candidates.
    let f = filter(&[&["router"], &["cafe"], &["connect*"]]);
    let mut after: Option<PostId> = None;
    let mut seen = Vec::new();
    loop {
        let page = store.posts().search_candidates(&f, after, 2).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        after = page.last().map(|p| p.id);
        seen.extend(page.into_iter().map(|p| p.post.native_id));
    }
    assert_eq!(seen, ["1", "2", "4", "5", "6", "7"]);
}
