//! Topics record their matches at ingest and by backfill; search and backtests give exactly
//! what the matcher accepts, on real twcs posts.

mod common;

use common::{data, engine, import};
use rapport_connectors::{Format, Record};
use rapport_domain::{Post, TopicOptions};
use rapport_engine::EngineError;

/// The posts of a file, read with the importer, for computing expectations with the matcher.
fn posts(rel: &str) -> Vec<Post> {
    let file = std::io::BufReader::new(std::fs::File::open(data(rel)).unwrap());
    rapport_connectors::read_records(Format::Twcs, file)
        .filter_map(|r| match r {
            Record::Post(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn expected(query: &str, posts: &[Post]) -> u64 {
    let q = rapport_query::parse(query).unwrap();
    posts
        .iter()
        .filter(|p| rapport_query::matches(&q, &TopicOptions::default(), p, None))
        .count() as u64
}

#[tokio::test]
async fn topics_added_before_and_after_ingest_record_the_same_matches() {
    let e = engine().await;
    let all = posts("twcs/twcs_head_5000.csv");
    let battery = "battery OR charging OR charger";
    let refund = "refund* -thank*";
    let want_battery = expected(battery, &all);
    let want_refund = expected(refund, &all);
    assert!(
        want_battery > 10 && want_refund > 5,
        "{want_battery} {want_refund}"
    );

    e.add_topic("Battery", battery, TopicOptions::default())
        .await
        .unwrap();
    import(&e, Format::Twcs, &data("twcs/twcs_head_5000.csv")).await;
    let (_, backfilled) = e
        .add_topic("Refunds", refund, TopicOptions::default())
        .await
        .unwrap();
    assert_eq!(backfilled, want_refund, "backfill over stored posts");

    let topics = e.topics().await.unwrap();
    let count = |name: &str| {
        topics
            .iter()
            .find(|t| t.topic.name == name)
            .unwrap()
            .matches
    };
    assert_eq!(count("Battery"), want_battery, "matched at ingest");
    assert_eq!(count("Refunds"), want_refund);

    let (total, newest) = e.topic_posts("Battery", 5).await.unwrap();
    assert_eq!(total, want_battery);
    assert_eq!(newest.len(), 5);
    assert!(
        newest
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at)
    );

    e.remove_topic("Battery").await.unwrap();
    assert!(matches!(
        e.remove_topic("Battery").await,
        Err(EngineError::NoSuchTopic(_))
    ));
    assert_eq!(e.stats().await.unwrap().matches, want_refund);
}

#[tokio::test]
async fn search_and_backtest_agree_with_the_matcher() {
    let e = engine().await;
    let all = posts("twcs/twcs_head_5000.csv");
    import(&e, Format::Twcs, &data("twcs/twcs_head_5000.csv")).await;
    for query in [
        "iphone",
        "\"customer service\"",
        "(delay* OR cancel*) -weather",
        "update NEAR/3 ios",
        "from:AppleSupport dm",
        "is:reply has:link",
        "#amazon OR @amazonhelp",
    ] {
        let want = expected(query, &all);
        let got = e.search(query, 10).await.unwrap();
        assert_eq!(got.count, want, "search {query}");
        assert_eq!(got.posts.len() as u64, want.min(10), "listed {query}");
        let bt = e.backtest(query, TopicOptions::default(), 3).await.unwrap();
        assert_eq!(bt.count, want, "backtest {query}");
        assert_eq!(bt.per_day.values().sum::<u64>(), want, "per day {query}");
    }
}

#[tokio::test]
async fn languages_detected_at_ingest_are_searchable() {
    let e = engine().await;
    import(&e, Format::Twcs, &data("twcs/twcs_head_5000.csv")).await;
    // twcs carries no language tags: `lang:` works on the detected language.
    let all = e.search("refund*", 1).await.unwrap().count;
    let english = e.search("refund* lang:en", 1).await.unwrap().count;
    assert!(english > all / 2 && english <= all, "{english} of {all}");
    let spanish = e.search("lang:es", 50).await.unwrap();
    assert!(spanish.count > 0, "twcs has Spanish customer posts");
    assert_eq!(e.search("lang:es lang:en", 1).await.unwrap().count, 0);
}

#[tokio::test]
async fn bad_queries_and_names_are_refused_with_where() {
    let e = engine().await;
    let err = e
        .add_topic("Broken", "(router OR wifi", TopicOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("column"), "{err}");
    let err = e
        .add_topic("Only not", "-spam", TopicOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Query(_)), "{err}");
    e.add_topic("Dup", "router", TopicOptions::default())
        .await
        .unwrap();
    assert!(matches!(
        e.add_topic("Dup", "wifi", TopicOptions::default()).await,
        Err(EngineError::TopicExists(_))
    ));
    assert!(e.search("\"unclosed", 5).await.is_err());
    assert_eq!(e.stats().await.unwrap().topics, 1);
}

#[tokio::test]
async fn the_demo_stream_is_marked_matched_and_threaded() {
    let e = engine().await;
    for (network, handle) in rapport_engine::demo::own_accounts() {
        e.store()
            .contacts()
            .set_own_account(network, &handle, true)
            .await
            .unwrap();
    }
    let spec = rapport_engine::demo::DemoSpec {
        threads: 300,
        ..Default::default()
    };
    let posts = rapport_engine::demo::generate(&spec);
    let n = posts.len() as u64;
    let summary = e.ingest_posts(posts).await.unwrap();
    assert_eq!(summary.imported, n);
    let stats = e.stats().await.unwrap();
    assert_eq!(
        stats.conversations, 300,
        "one conversation per generated thread"
    );
    assert!(
        stats.mentions > 250,
        "customers address the brands: {}",
        stats.mentions
    );
    let again = e
        .ingest_posts(rapport_engine::demo::generate(&spec))
        .await
        .unwrap();
    assert_eq!(again.imported, 0, "the demo is idempotent");
}
