//! The listening reports over the airline file, checked against figures computed from the file
//! alone (the csv crate and a few string rules, no importer, no store): posts per UTC day, per
//! author, per mentioned airline and per hashtag, engagement per author, and hashtags that rose
//! from one period to the next. The figures the file cannot give (the classifier's sentiment and
//! intents) are checked against the posts listed behind them.

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::{csv_reader, data, engine, import};
use rapport_connectors::Format;
use rapport_domain::listening::{Bucket, IntentPick, ListeningFilter, SentimentPick};
use rapport_domain::{SentimentLabel, TopicOptions};
use std::collections::{BTreeMap, HashMap, HashSet};

struct Row {
    author: String,
    at: DateTime<Utc>,
    text: String,
    retweets: u64,
}

/// Each tweet id once, as first found (the store keeps the first of a repeated id).
fn rows() -> Vec<Row> {
    let mut rdr = csv_reader(&data("airline/airline_sentiment_train.csv"));
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, name, text, at, rt) = (
        col("tweet_id"),
        col("name"),
        col("text"),
        col("tweet_created"),
        col("retweet_count"),
    );
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in rdr.records() {
        let r = r.unwrap();
        if !seen.insert(r[id].to_string()) {
            continue;
        }
        out.push(Row {
            author: r[name].to_lowercase(),
            at: DateTime::parse_from_str(&r[at], "%Y-%m-%d %H:%M:%S %z")
                .unwrap()
                .with_timezone(&Utc),
            text: r[text].to_string(),
            retweets: r[rt].parse().unwrap_or(0),
        });
    }
    out
}

/// Whether `text` names `@handle` as a whole handle (any case).
fn mentions(text: &str, handle: &str) -> bool {
    let lower = text.to_lowercase();
    let needle = format!("@{handle}");
    lower.match_indices(&needle).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The hashtags of `text`: `#` not glued to a word, then ASCII letters, digits and `_`,
/// lowercased, each once.
fn hashtags(text: &str) -> HashSet<String> {
    let b = text.as_bytes();
    let mut out = HashSet::new();
    for (i, _) in text.match_indices('#') {
        if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'&') {
            continue;
        }
        let tag: String = text[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !tag.is_empty() {
            out.insert(tag.to_lowercase());
        }
    }
    out
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2015, 2, d, 0, 0, 0).unwrap()
}

#[tokio::test]
async fn listening_figures_on_the_airline_file_agree_with_the_file() {
    let rows = rows();
    let engine = engine().await;
    let airlines = ["united", "usairways", "americanair", "jetblue"];
    for a in airlines {
        engine
            .add_topic(a, &format!("@{a}"), TopicOptions::default())
            .await
            .unwrap();
    }
    let (summary, rejects) = import(
        &engine,
        Format::Airline,
        &data("airline/airline_sentiment_train.csv"),
    )
    .await;
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(summary.imported, rows.len() as u64);

    // the whole file: every day of it, by UTC day
    let all = ListeningFilter::period(day(16), day(25));
    let report = engine
        .listening_report(&all, Bucket::Day, 500)
        .await
        .unwrap();
    let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for r in &rows {
        *per_day.entry(r.at.date_naive()).or_default() += 1;
    }
    assert!(per_day.len() >= 7, "the file spans a week: {per_day:?}");
    let got: BTreeMap<NaiveDate, u64> = report
        .volume
        .iter()
        .filter(|p| p.counts.total() > 0)
        .map(|p| (p.start.date_naive(), p.counts.total()))
        .collect();
    assert_eq!(got, per_day);
    assert_eq!(report.volume.len(), 9, "empty days are listed too");
    assert_eq!(report.totals.total(), rows.len() as u64);

    // share of voice: posts mentioning each airline's handle
    let mut want: Vec<(String, u64)> = airlines
        .iter()
        .map(|a| {
            let n = rows.iter().filter(|r| mentions(&r.text, a)).count() as u64;
            (a.to_string(), n)
        })
        .collect();
    want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    assert!(want.iter().all(|w| w.1 > 1_000), "{want:?}");
    let sum: u64 = want.iter().map(|w| w.1).sum();
    let got: Vec<(String, u64)> = report
        .share_of_voice
        .iter()
        .map(|s| (s.name.clone(), s.counts.total()))
        .collect();
    assert_eq!(got, want);
    for s in &report.share_of_voice {
        assert!((s.share - s.counts.total() as f64 / sum as f64).abs() < 1e-12);
    }

    // top authors by volume: the same counts as the file's most frequent authors
    let mut by_author: HashMap<&str, (u64, u64)> = HashMap::new();
    for r in &rows {
        let e = by_author.entry(r.author.as_str()).or_default();
        e.0 += 1;
        e.1 += r.retweets;
    }
    let top = &report.authors_by_volume;
    assert_eq!(top.len(), 500);
    for a in top {
        let (posts, retweets) = by_author[a.author.handle.to_lowercase().as_str()];
        assert_eq!((a.posts, a.engagement), (posts, retweets), "{a:?}");
        assert_eq!(
            a.followers, None,
            "the airline file gives no follower counts"
        );
    }
    let mut counts: Vec<u64> = by_author.values().map(|v| v.0).collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let got: Vec<u64> = top.iter().map(|a| a.posts).collect();
    assert_eq!(got, counts[..500]);
    assert_eq!(top[0].author.handle.to_lowercase(), "jetbluenews");
    // by reach: no followers known, so by engagement (retweets here)
    let max_rt = by_author.values().map(|v| v.1).max().unwrap();
    assert!(max_rt > 10);
    assert_eq!(report.authors_by_reach[0].engagement, max_rt);
    let rts: Vec<u64> = report
        .authors_by_reach
        .iter()
        .map(|a| a.engagement)
        .collect();
    assert!(rts.windows(2).all(|w| w[0] >= w[1]), "{rts:?}");

    // trending hashtags: 23-24 Feb against 21-22 Feb
    let recent = ListeningFilter::period(day(23), day(25));
    let trending = engine.listening_trending(&recent, 500).await.unwrap();
    let count = |from: DateTime<Utc>, to: DateTime<Utc>| {
        let mut c: HashMap<String, u64> = HashMap::new();
        for r in rows.iter().filter(|r| r.at >= from && r.at < to) {
            for h in hashtags(&r.text) {
                *c.entry(h).or_default() += 1;
            }
        }
        c
    };
    let (now, before) = (count(day(23), day(25)), count(day(21), day(23)));
    let mut want: Vec<(String, u64, u64)> = now
        .iter()
        .map(|(h, n)| (h.clone(), *n, before.get(h).copied().unwrap_or(0)))
        .filter(|(_, n, p)| *n >= 3 && n > p)
        .collect();
    want.sort();
    assert!(want.len() >= 5, "{want:?}");
    let mut got: Vec<(String, u64, u64)> = trending
        .hashtags
        .iter()
        .map(|t| (t.term.clone(), t.current, t.previous))
        .collect();
    got.sort();
    assert_eq!(got, want);

    // trending terms: the posts behind a term are those holding it, as many as counted
    assert!(trending.terms_complete);
    let term = &trending.terms[0];
    let behind = engine
        .listening_posts(&recent, Some(&term.term), 500, 0)
        .await
        .unwrap();
    assert_eq!(behind.count, term.current);
    for p in &behind.posts {
        assert!(p.text.to_lowercase().contains(&term.term), "{}", p.text);
    }

    // every point's posts: a day, a topic, a sentiment, an intent, an author, a hashtag
    let point = |f: &dyn Fn(&mut ListeningFilter)| {
        let mut g = all.clone();
        f(&mut g);
        g
    };
    let feb23 = all.within(day(23), day(24));
    let united = engine.topic_ids(&["united".into()]).await.unwrap();
    let mut checks: Vec<(ListeningFilter, u64)> = vec![
        (feb23, per_day[&day(23).date_naive()]),
        (
            point(&|g| g.topics = united.clone()),
            report
                .share_of_voice
                .iter()
                .find(|s| s.name == "united")
                .unwrap()
                .counts
                .total(),
        ),
        (
            point(&|g| g.author = Some("x:JetBlueNews".parse().unwrap())),
            by_author["jetbluenews"].0,
        ),
        (
            point(&|g| g.hashtag = Some("DestinationDragons".into())),
            rows.iter()
                .filter(|r| hashtags(&r.text).contains("destinationdragons"))
                .count() as u64,
        ),
    ];
    for label in SentimentLabel::ALL {
        let pick = SentimentPick::Label(label);
        checks.push((
            point(&|g| g.sentiment = Some(pick)),
            report.totals.get(pick),
        ));
    }
    for (pick, n) in report.intents.rows() {
        if pick != IntentPick::Unlabelled {
            checks.push((point(&|g| g.intent = Some(pick)), n));
        }
    }
    assert!(report.totals.negative > 0 && report.intents.complaint > 0);
    for (filter, want) in checks {
        let got = engine.listening_posts(&filter, None, 5, 0).await.unwrap();
        assert_eq!(got.count, want, "{filter:?}");
    }
}
