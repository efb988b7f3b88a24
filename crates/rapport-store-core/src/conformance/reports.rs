use super::support::{P, at, ingest};
use crate::{NewPost, Store};
use chrono::TimeDelta;
use rapport_domain::care::AccountResponse;
use rapport_domain::listening::{
    AuthorOrder, Bucket, IntentMix, IntentPick, ListeningFilter, SentimentCounts, SentimentPick,
};
use rapport_domain::{
    Intent, IntentSet, Labels, Network, Sentiment, SentimentLabel, TopicOptions, Urgency,
};
use std::sync::Arc;

/// Inbound posts are counted once per account they address (by mention, by replying to its
/// post, or both), by customers only; answered ones are those the account replied to
/// directly, timed to its first reply; the median of an even count is the mean of the two
/// middle delays; an account nobody addressed is listed with zeros.
pub async fn account_responses_count_addressed_and_answered_posts(store: Arc<dyn Store>) {
    for own in ["brand", "other", "quiet"] {
        store
            .contacts()
            .set_own_account(Network::X, own, true)
            .await
            .unwrap();
    }
    ingest(
        store.as_ref(),
        vec![
            // addressed to brand by mention; answered after 2 minutes, then again later
            P::new("1", "alice").mention("@Brand").at(1),
            P::new("2", "brand").own().reply("1").at(3),
            P::new("3", "brand").own().reply("1").at(10),
            // addressed by replying to brand's post; answered after 5 minutes
            P::new("4", "bob").reply("2").at(4),
            P::new("5", "brand").own().reply("4").at(9),
            // mention and reply at once: one inbound post, unanswered
            P::new("6", "carol").mention("brand").reply("2").at(6),
            // addressed to both; only other answers, after a minute
            P::new("7", "dave").mention("other").mention("brand").at(7),
            P::new("8", "other").own().reply("7").at(8),
            // an own account mentioning another is no customer
            P::new("11", "brand").own().mention("other").at(11),
            // not addressed to anyone, so brand's reply to it counts nowhere
            P::new("12", "erin").at(12),
            P::new("13", "frank").reply("12").at(13),
            P::new("14", "brand").own().reply("12").at(14),
        ],
    )
    .await;
    let got = store.reports().account_responses().await.unwrap();
    let row = |handle: &str, inbound, answered, median: Option<i64>| AccountResponse {
        network: Network::X,
        handle: handle.into(),
        inbound,
        answered,
        median_reply: median.map(TimeDelta::seconds),
    };
    assert_eq!(
        got,
        [
            row("brand", 4, 2, Some(210)),
            row("other", 1, 1, Some(60)),
            row("quiet", 0, 0, None),
        ]
    );
    assert_eq!(got[0].response_rate(), Some(0.5));
    assert_eq!(got[0].median_reply_seconds(), Some(210.0));
}

/// Labels for a listening post: a sentiment and intents.
fn labelled(p: P, sentiment: SentimentLabel, intents: IntentSet, lang: &str) -> NewPost {
    let mut n = p.new_post();
    n.labels = Some(Labels {
        sentiment: Sentiment {
            label: sentiment,
            score: 0.9,
        },
        intents,
        lang: Some(lang.into()),
        urgency: Urgency::Normal,
    });
    n
}

/// Every listening figure counts the posts of one filter (period, topics, networks, languages
/// and a chart point's sentiment, intent, author or hashtag), and the posts listed behind a
/// figure are exactly those it counted.
pub async fn listening_reports_count_the_posts_of_one_filter(store: Arc<dyn Store>) {
    let topics = store.topics();
    let opts = TopicOptions::default();
    let us = topics.add_topic("us", "us", &opts).await.unwrap().id;
    let rival = topics.add_topic("rival", "rival", &opts).await.unwrap().id;
    let none = IntentSet::empty();
    let complaint = none.with(Intent::Complaint);
    let q_and_lead = none.with(Intent::Question).with(Intent::Lead);
    let mut alice = P::new("1", "Alice").at(0).topic(us);
    alice.post.author.followers = Some(500);
    alice.post.hashtags = vec!["fail".into()];
    alice.post.engagement.likes = 3;
    let mut bob = P::new("3", "bob").at(70).topic(us).topic(rival);
    bob.post.hashtags = vec!["fail".into(), "wow".into()];
    bob.post.engagement.reposts = 10;
    let posts = vec![
        labelled(alice, SentimentLabel::Negative, complaint, "en"),
        labelled(
            P::new("2", "alice").at(5).topic(us),
            SentimentLabel::Positive,
            none,
            "en-gb",
        ),
        labelled(bob, SentimentLabel::Positive, q_and_lead, "fr"),
        labelled(
            P::new("4", "carol").at(130).topic(rival),
            SentimentLabel::Neutral,
            complaint,
            "en",
        ),
        // unlabelled, on Mastodon
        P::new("5", "dave")
            .net(Network::Mastodon)
            .at(150)
            .new_post(),
        // outside the period: an hour before and at its end
        labelled(
            P::new("6", "erin").at(-60).topic(us),
            SentimentLabel::Negative,
            none,
            "en",
        ),
        labelled(
            P::new("7", "erin").at(180).topic(us),
            SentimentLabel::Negative,
            none,
            "en",
        ),
    ];
    store.posts().ingest(posts).await.unwrap();
    let reports = store.reports();
    let all = ListeningFilter::period(at(0), at(180));
    let hour = |m: i64| Bucket::Hour.floor(at(m)).timestamp_micros();

    let volume = reports.listening_volume(&all, Bucket::Hour).await.unwrap();
    use SentimentLabel::*;
    assert_eq!(
        volume,
        [
            (hour(0), Some(Negative), 1),
            (hour(0), Some(Positive), 1),
            (hour(60), Some(Positive), 1),
            (hour(120), None, 1),
            (hour(120), Some(Neutral), 1),
        ]
    );
    let c = |positive, neutral, negative| SentimentCounts {
        positive,
        neutral,
        negative,
        unlabelled: 0,
    };
    assert_eq!(
        reports.listening_topics(&all).await.unwrap(),
        [
            (us, "us".to_string(), c(2, 0, 1)),
            (rival, "rival".to_string(), c(1, 1, 0)),
        ]
    );
    let mut only_rival = all.clone();
    only_rival.topics = vec![rival];
    assert_eq!(
        reports.listening_topics(&only_rival).await.unwrap(),
        [(rival, "rival".to_string(), c(1, 1, 0))]
    );
    assert_eq!(
        reports.listening_intents(&all).await.unwrap(),
        IntentMix {
            total: 5,
            question: 1,
            complaint: 2,
            praise: 0,
            lead: 1,
            feedback: 0,
            other: 1,
            unlabelled: 1,
        }
    );
    let by = |order| {
        let all = all.clone();
        let reports = store.reports();
        async move {
            reports
                .listening_authors(&all, order, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|a| {
                    (
                        a.author.handle.to_lowercase(),
                        a.posts,
                        a.followers,
                        a.engagement,
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        by(AuthorOrder::Volume).await,
        [
            ("alice".to_string(), 2, Some(500), 3),
            ("bob".to_string(), 1, None, 10),
            // ties by network, then handle
            ("dave".to_string(), 1, None, 0),
            ("carol".to_string(), 1, None, 0),
        ]
    );
    assert_eq!(
        by(AuthorOrder::Reach).await[..2],
        [
            ("alice".to_string(), 2, Some(500), 3),
            ("bob".to_string(), 1, None, 10),
        ]
    );
    assert_eq!(
        reports.listening_hashtags(&all, 10).await.unwrap(),
        [("fail".to_string(), 2), ("wow".to_string(), 1)]
    );
    assert_eq!(reports.listening_texts(&all, 2).await.unwrap().len(), 2);

    // each narrowing, counted and listed: (filter, the posts' native ids, newest first)
    let with = |f: &dyn Fn(&mut ListeningFilter)| {
        let mut g = all.clone();
        f(&mut g);
        g
    };
    let table: Vec<(ListeningFilter, Vec<&str>)> = vec![
        (all.clone(), vec!["5", "4", "3", "2", "1"]),
        (all.within(at(60), at(120)), vec!["3"]),
        (with(&|g| g.topics = vec![us]), vec!["3", "2", "1"]),
        (with(&|g| g.networks = vec![Network::Mastodon]), vec!["5"]),
        (with(&|g| g.langs = vec!["en".into()]), vec!["4", "2", "1"]),
        (
            with(&|g| g.langs = vec!["fr".into(), "EN-GB".into()]),
            vec!["3", "2"],
        ),
        (
            with(&|g| g.sentiment = Some(SentimentPick::Label(Positive))),
            vec!["3", "2"],
        ),
        (
            with(&|g| g.sentiment = Some(SentimentPick::Unlabelled)),
            vec!["5"],
        ),
        (
            with(&|g| g.intent = Some(IntentPick::Intent(Intent::Complaint))),
            vec!["4", "1"],
        ),
        (with(&|g| g.intent = Some(IntentPick::Other)), vec!["2"]),
        (
            with(&|g| g.intent = Some(IntentPick::Unlabelled)),
            vec!["5"],
        ),
        (
            with(&|g| g.author = Some("x:ALICE".parse().unwrap())),
            vec!["2", "1"],
        ),
        (with(&|g| g.hashtag = Some("#FAIL".into())), vec!["3", "1"]),
    ];
    for (filter, want) in table {
        let (n, posts) = reports.listening_posts(&filter, 10, 0).await.unwrap();
        let got: Vec<&str> = posts.iter().map(|p| p.post.native_id.as_str()).collect();
        assert_eq!((n, got), (want.len() as u64, want.clone()), "{filter:?}");
        let volume: u64 = reports
            .listening_volume(&filter, Bucket::Day)
            .await
            .unwrap()
            .iter()
            .map(|r| r.2)
            .sum();
        assert_eq!(volume, n, "{filter:?}");
    }
    let (n, page) = reports.listening_posts(&all, 2, 2).await.unwrap();
    let ids: Vec<&str> = page.iter().map(|p| p.post.native_id.as_str()).collect();
    assert_eq!((n, ids), (5, vec!["3", "2"]));
}
