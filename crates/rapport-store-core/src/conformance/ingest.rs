//! Ingest: idempotency, round trips, labels, scans and figures.

use super::support::{P, ingest, inserted_id, key, stored};
use crate::{IngestOutcome, NewPost, Store, StoreError};
use chrono::TimeZone;
use rapport_domain::{
    Author, Engagement, Intent, IntentSet, Labels, Network, Post, PostId, Sentiment,
    SentimentLabel, TopicOptions, Urgency,
};
use std::sync::Arc;

fn labels(label: SentimentLabel, score: f32, intents: IntentSet, urgency: Urgency) -> Labels {
    Labels {
        sentiment: Sentiment { label, score },
        intents,
        lang: Some("en".into()),
        urgency,
    }
}

pub async fn second_ingest_is_a_duplicate_and_changes_nothing(store: Arc<dyn Store>) {
    let batch = vec![
        P::new("1", "alice").text("first"),
        P::new("2", "bob").reply("1").text("second"),
        P::new("3", "carol").mention("alice").text("third"),
    ];
    let first = ingest(&*store, batch.clone()).await;
    assert_eq!(first.inserted(), 3);
    let ids: Vec<PostId> = first.outcomes.iter().map(inserted_id).collect();
    let stats = store.posts().stats().await.unwrap();

    // The same posts again, one with other text, labels and a topic: nothing moves.
    let topic = store
        .topics()
        .add_topic("t", "x", &TopicOptions::default())
        .await
        .unwrap();
    let mut again: Vec<NewPost> = batch.into_iter().map(P::new_post).collect();
    again[0].post.text = "changed".into();
    again[0].topics = vec![topic.id];
    again[0].labels = Some(labels(
        SentimentLabel::Positive,
        0.9,
        IntentSet::empty(),
        Urgency::Low,
    ));
    let second = store.posts().ingest(again).await.unwrap();
    assert_eq!(second.inserted(), 0);
    assert_eq!(second.duplicates(), 3);
    for (o, id) in second.outcomes.iter().zip(&ids) {
        assert_eq!(*o, IngestOutcome::Duplicate { id: *id });
    }
    let mut after = store.posts().stats().await.unwrap();
    assert_eq!(after.topics, 1);
    after.topics = 0;
    assert_eq!(after, stats);
    let p = stored(&*store, "1").await;
    assert_eq!(p.post.text, "first");
    assert_eq!(p.labels, None);
    assert!(store.posts().post_topics(p.id).await.unwrap().is_empty());
}

pub async fn repeats_inside_one_batch_are_duplicates_of_the_first(store: Arc<dyn Store>) {
    let report = ingest(
        &*store,
        vec![
            P::new("1", "alice").text("kept"),
            P::new("2", "bob"),
            P::new("1", "alice").text("dropped"),
        ],
    )
    .await;
    let first = inserted_id(&report.outcomes[0]);
    assert_eq!(report.outcomes[2], IngestOutcome::Duplicate { id: first });
    assert_eq!(report.inserted(), 2);
    assert_eq!(stored(&*store, "1").await.post.text, "kept");
    // The same native id on another network is another post.
    let other = ingest(&*store, vec![P::new("1", "alice").net(Network::Mastodon)]).await;
    assert_eq!(other.inserted(), 1);
    assert_eq!(store.posts().stats().await.unwrap().posts, 3);
}

pub async fn every_field_and_the_raw_record_come_back_verbatim(store: Arc<dyn Store>) {
    let raw =
        "{\"text\":\"caf\\u00e9 \\\"quoted\\\"\",\r\n\t\"emoji\":\"🙂\", \"nul\":\"\\u0000\"}";
    let post = Post {
        network: Network::Bluesky,
        native_id: "at://did:plc:abc/app.bsky.feed.post/3k".into(),
        author: Author {
            handle: "Alice.bsky.social".into(),
            native_id: Some("did:plc:abc".into()),
            display_name: Some("Alice Ä".into()),
            followers: Some(1234),
            own_account: false,
        },
        text: "Café au lait 🙂\nline two \"quoted\" 'single' \\ back".into(),
        created_at: chrono::Utc
            .with_ymd_and_hms(2023, 12, 31, 23, 59, 58)
            .unwrap()
            + chrono::Duration::microseconds(123_456),
        lang: Some("fr".into()),
        reply_to: Some("at://did:plc:xyz/app.bsky.feed.post/1a".into()),
        reply_to_handle: Some("bob.bsky.social".into()),
        root_id: Some("at://did:plc:xyz/app.bsky.feed.post/0z".into()),
        mentions: vec!["bob.bsky.social".into(), "carol.example".into()],
        hashtags: vec!["coffee".into()],
        cashtags: vec!["aapl".into()],
        links: vec!["https://example.com/a?b=c&d=é".into()],
        engagement: Engagement {
            likes: 5,
            reposts: 4,
            replies: 3,
            quotes: 2,
        },
        raw: raw.into(),
    };
    let l = labels(
        SentimentLabel::Negative,
        0.75,
        IntentSet::empty()
            .with(Intent::Question)
            .with(Intent::Complaint),
        Urgency::Urgent,
    );
    let report = store
        .posts()
        .ingest(vec![NewPost {
            post: post.clone(),
            labels: Some(l.clone()),
            topics: vec![],
        }])
        .await
        .unwrap();
    let id = inserted_id(&report.outcomes[0]);
    let got = store.posts().post(id).await.unwrap().unwrap();
    assert_eq!(got.post, post);
    assert_eq!(got.post.raw, raw);
    assert_eq!(got.labels, Some(l));
    assert!(!got.is_mention && !got.from_own_account);
    let identity = store
        .contacts()
        .identity(Network::Bluesky, "alice.BSKY.social")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.identity_id, identity.id);
    assert_eq!(got.contact_id, identity.contact_id);
    let by_key = store
        .posts()
        .post_by_key(&post.key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_key, got);
    assert!(
        store
            .posts()
            .post(PostId(id.0 + 1000))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .posts()
            .post_by_key(&key("nope"))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn labels_round_trip_and_are_replaced(store: Arc<dyn Store>) {
    let report = ingest(&*store, vec![P::new("1", "alice"), P::new("2", "bob")]).await;
    let (a, b) = (
        inserted_id(&report.outcomes[0]),
        inserted_id(&report.outcomes[1]),
    );
    assert_eq!(store.posts().post(a).await.unwrap().unwrap().labels, None);
    let la = labels(
        SentimentLabel::Positive,
        0.5,
        IntentSet::empty().with(Intent::Praise),
        Urgency::Low,
    );
    let mut lb = labels(
        SentimentLabel::Neutral,
        0.25,
        IntentSet::empty(),
        Urgency::Normal,
    );
    lb.lang = None;
    store
        .posts()
        .set_labels(&[(a, la.clone()), (b, lb.clone())])
        .await
        .unwrap();
    assert_eq!(
        store.posts().post(a).await.unwrap().unwrap().labels,
        Some(la)
    );
    assert_eq!(
        store.posts().post(b).await.unwrap().unwrap().labels,
        Some(lb)
    );
    let all = IntentSet::all();
    let lc = labels(SentimentLabel::Negative, 1.0, all, Urgency::High);
    store.posts().set_labels(&[(a, lc.clone())]).await.unwrap();
    let got = store
        .posts()
        .post(a)
        .await
        .unwrap()
        .unwrap()
        .labels
        .unwrap();
    assert_eq!(got, lc);
    assert_eq!(
        got.intents.names(),
        "question,complaint,praise,lead,feedback"
    );
    let err = store
        .posts()
        .set_labels(&[(PostId(a.0 + 999), lc)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

pub async fn scan_walks_every_post_in_pages(store: Arc<dyn Store>) {
    let posts: Vec<P> = (0..25)
        .map(|i| P::new(&(100 - i).to_string(), "alice"))
        .collect();
    ingest(&*store, posts).await;
    let mut after = None;
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    loop {
        let page = store.posts().scan_posts(after, 10).await.unwrap();
        if page.is_empty() {
            break;
        }
        pages.push(page.len());
        after = page.last().map(|p| p.id);
        seen.extend(page.into_iter().map(|p| (p.id, p.post.native_id)));
    }
    assert_eq!(pages, [10, 10, 5]);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "ids increase");
    // Ids follow arrival order within a batch.
    let natives: Vec<String> = seen.into_iter().map(|(_, n)| n).collect();
    let expected: Vec<String> = (0..25).map(|i| (100 - i).to_string()).collect();
    assert_eq!(natives, expected);
}

pub async fn stats_count_every_kind_of_row(store: Arc<dyn Store>) {
    assert_eq!(
        store.posts().stats().await.unwrap(),
        crate::Stats::default()
    );
    let t = store
        .topics()
        .add_topic("routers", "router", &TopicOptions::default())
        .await
        .unwrap();
    ingest(
        &*store,
        vec![
            P::new("1", "Brand").own().text("hello"),
            P::new("2", "alice").reply("1").topic(t.id),
            P::new("3", "bob").mention("brand").topic(t.id),
            P::new("4", "alice").net(Network::Mastodon),
            P::new("5", "carol"),
        ],
    )
    .await;
    let s = store.posts().stats().await.unwrap();
    assert_eq!(s.posts, 5);
    assert_eq!(s.conversations, 4, "1-2 thread, 3, 4, 5");
    assert_eq!(
        s.identities, 5,
        "brand, alice on x, bob, alice on mastodon, carol"
    );
    assert_eq!(s.contacts, 5);
    assert_eq!(s.own_accounts, 1);
    assert_eq!(s.topics, 1);
    assert_eq!(s.matches, 2);
    assert_eq!(s.mentions, 2);
}

pub async fn invalid_posts_are_refused(store: Arc<dyn Store>) {
    let err = store
        .posts()
        .ingest(vec![P::new("1", "").new_post()])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("x/1"), "{err}");
    let err = store
        .posts()
        .ingest(vec![P::new("", "alice").new_post()])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    // A handle-less author known by native id is kept under that id.
    let mut p = P::new("2", "");
    p.post.author.native_id = Some("U123".into());
    ingest(&*store, vec![p]).await;
    assert!(
        store
            .contacts()
            .identity(Network::X, "u123")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.posts().stats().await.unwrap().posts, 1);
}

/// What routing takes from the ingest report without reading the posts back: where each new
/// post was placed, equal to what the store then says of it, also when a late parent arrives
/// under stored replies.
pub async fn an_inserted_post_is_reported_where_it_was_placed(store: Arc<dyn Store>) {
    ingest(
        &*store,
        vec![
            P::new("10", "alice").reply("5").at(3),
            P::new("20", "bob").reply("5").at(4),
        ],
    )
    .await;
    let report = ingest(
        &*store,
        vec![
            P::new("30", "carol").reply("10").at(5),
            P::new("5", "Brand").own().at(1),
            P::new("40", "alice").at(6),
        ],
    )
    .await;
    assert_eq!(report.inserted(), 3);
    for (outcome, native) in report.outcomes.iter().zip(["30", "5", "40"]) {
        let IngestOutcome::Inserted {
            id,
            conversation_id,
            identity_id,
            contact_id,
            from_own_account,
            ..
        } = *outcome
        else {
            panic!("{native} was new: {outcome:?}");
        };
        let post = stored(&*store, native).await;
        assert_eq!(id, post.id, "{native}");
        assert_eq!(conversation_id, post.conversation_id, "{native}");
        assert_eq!(identity_id, post.identity_id, "{native}");
        assert_eq!(contact_id, post.contact_id, "{native}");
        assert_eq!(from_own_account, native == "5", "{native}");
    }
    // The late parent's thread holds the replies stored before it and the one after.
    let thread = stored(&*store, "5").await.conversation_id;
    for native in ["10", "20", "30"] {
        assert_eq!(stored(&*store, native).await.conversation_id, thread);
    }
    assert_ne!(stored(&*store, "40").await.conversation_id, thread);
}
