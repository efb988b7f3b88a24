//! Listening topics and the posts they matched.

use super::support::{P, ingest, inserted_id};
use crate::{Store, StoreError};
use rapport_domain::{PostId, TopicId, TopicOptions};
use std::sync::Arc;

pub async fn topics_are_added_listed_updated_and_removed(store: Arc<dyn Store>) {
    let accents = TopicOptions {
        ignore_accents: true,
    };
    let a = store
        .topics()
        .add_topic("routers", "router OR modem", &TopicOptions::default())
        .await
        .unwrap();
    let b = store
        .topics()
        .add_topic("cafés", "café", &accents)
        .await
        .unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(
        store.topics().topics().await.unwrap(),
        vec![a.clone(), b.clone()]
    );
    assert_eq!(
        store.topics().topic_by_name("cafés").await.unwrap(),
        Some(b.clone())
    );
    assert_eq!(
        store.topics().topic_by_name("Cafés").await.unwrap(),
        None,
        "names are exact"
    );

    let report = ingest(store.as_ref(), vec![P::new("1", "alice").topic(a.id)]).await;
    let post = inserted_id(&report.outcomes[0]);
    let updated = store
        .topics()
        .update_topic(a.id, "router", &accents)
        .await
        .unwrap();
    assert_eq!(updated.name, "routers");
    assert_eq!(
        (updated.query.as_str(), updated.options.ignore_accents),
        ("router", true)
    );
    assert_eq!(
        store.topics().topic_by_name("routers").await.unwrap(),
        Some(updated)
    );
    assert!(
        store.posts().post_topics(post).await.unwrap().is_empty(),
        "an updated topic's matches are dropped"
    );
    let err = store
        .topics()
        .update_topic(TopicId(b.id.0 + 100), "x", &TopicOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");

    store.posts().add_matches(&[(post, b.id)]).await.unwrap();
    assert!(store.topics().remove_topic("cafés").await.unwrap());
    assert!(!store.topics().remove_topic("cafés").await.unwrap());
    assert!(store.posts().post_topics(post).await.unwrap().is_empty());
    assert_eq!(store.topics().topics().await.unwrap().len(), 1);
    let s = store.posts().stats().await.unwrap();
    assert_eq!((s.topics, s.matches), (1, 0));
}

pub async fn topic_names_are_unique(store: Arc<dyn Store>) {
    store
        .topics()
        .add_topic("brand", "acme", &TopicOptions::default())
        .await
        .unwrap();
    let err = store
        .topics()
        .add_topic("brand", "other", &TopicOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(err.to_string().contains("brand"), "{err}");
    let topics = store.topics().topics().await.unwrap();
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0].query, "acme");
}

pub async fn matches_are_recorded_listed_and_counted(store: Arc<dyn Store>) {
    let t1 = store
        .topics()
        .add_topic("one", "a", &TopicOptions::default())
        .await
        .unwrap();
    let t2 = store
        .topics()
        .add_topic("two", "b", &TopicOptions::default())
        .await
        .unwrap();
    let t3 = store
        .topics()
        .add_topic("three", "c", &TopicOptions::default())
        .await
        .unwrap();
    let report = ingest(
        store.as_ref(),
        vec![
            P::new("1", "alice")
                .at(1)
                .topic(t1.id)
                .topic(t2.id)
                .topic(t1.id),
            P::new("2", "bob").at(3).topic(t1.id),
            P::new("3", "carol").at(2),
        ],
    )
    .await;
    let ids: Vec<PostId> = report.outcomes.iter().map(inserted_id).collect();
    assert_eq!(
        store.posts().post_topics(ids[0]).await.unwrap(),
        vec![t1.id, t2.id]
    );
    let listed: Vec<PostId> = store
        .posts()
        .topic_posts(t1.id, 10)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(listed, [ids[1], ids[0]], "newest first");
    assert_eq!(store.posts().topic_posts(t1.id, 1).await.unwrap().len(), 1);
    // Backfill: pairs already there are ignored.
    let added = store
        .posts()
        .add_matches(&[
            (ids[2], t3.id),
            (ids[0], t1.id),
            (ids[1], t3.id),
            (ids[2], t3.id),
        ])
        .await
        .unwrap();
    assert_eq!(added, 2);
    assert_eq!(store.posts().add_matches(&[]).await.unwrap(), 0);
    let counts = store.topics().topic_match_counts().await.unwrap();
    assert_eq!(counts, vec![(t1.id, 2), (t2.id, 1), (t3.id, 2)]);
    assert_eq!(store.posts().stats().await.unwrap().matches, 5);
    // A match naming an unknown topic is refused and the batch is not half-stored.
    let err = store
        .posts()
        .ingest(vec![
            P::new("9", "dan").topic(TopicId(t3.id.0 + 100)).new_post(),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err}");
    assert_eq!(store.posts().stats().await.unwrap().posts, 3);
}
