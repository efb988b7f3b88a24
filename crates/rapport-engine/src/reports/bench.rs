//! `rapport bench reports`: how long each listening report takes over many stored posts.
//!
//! The store is built first, outside the clock: `posts` posts with real texts and authors (the
//! seed posts, replayed with fresh ids), spread evenly over `days` days, written with the
//! store's own ingest in batches. Their labels and topic matches are assigned in a fixed cycle
//! (classifying and matching are `bench ingest`'s subject, not this one's), so every report has
//! every sentiment, intent and topic to count. The planner's statistics are refreshed, as after
//! an import. Then each report is timed on its own, `samples` times, over the whole period by
//! day and over its last week by hour for one topic.

use crate::{Engine, EngineConfig, Result};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rapport_domain::listening::{AuthorOrder, Bucket, ListeningFilter, SentimentPick};
use rapport_domain::{
    Intent, IntentSet, Labels, Post, Sentiment, SentimentLabel, TopicId, TopicOptions, Urgency,
};
use rapport_store::{NewPost, Store};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct ReportsBenchSpec {
    pub posts: usize,
    pub days: i64,
    pub samples: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportsBenchReport {
    pub posts: usize,
    pub store: String,
    pub seed_texts: usize,
    pub days: i64,
    pub build_seconds: f64,
    /// Per period, per report: the median and the slowest of the timed calls, milliseconds.
    pub periods: Vec<PeriodTimings>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodTimings {
    pub period: String,
    pub posts_in_period: u64,
    pub reports: BTreeMap<&'static str, Timing>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Timing {
    pub p50_ms: f64,
    pub max_ms: f64,
}

const TOPICS: [&str; 4] = ["brand", "rival a", "rival b", "rival c"];
const START: (i32, u32, u32) = (2024, 1, 1);

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(START.0, START.1, START.2, 0, 0, 0)
        .unwrap()
}

/// Post `i`'s labels and topics, in a fixed cycle.
fn assigned(i: usize, topics: &[TopicId]) -> (Labels, Vec<TopicId>) {
    let sentiment = SentimentLabel::ALL[i % 3];
    let intents = match i % 7 {
        0 => IntentSet::empty().with(Intent::Complaint),
        1 => IntentSet::empty().with(Intent::Question),
        2 => IntentSet::empty().with(Intent::Praise),
        3 => IntentSet::empty().with(Intent::Question).with(Intent::Lead),
        4 => IntentSet::empty().with(Intent::Feedback),
        _ => IntentSet::empty(),
    };
    let labels = Labels {
        sentiment: Sentiment {
            label: sentiment,
            score: 0.8,
        },
        intents,
        lang: Some("en".into()),
        urgency: Urgency::Normal,
    };
    // the brand in half the posts, each rival in a sixth, a few posts in none
    let matched = match i % 12 {
        0..=5 => vec![topics[0]],
        6 | 7 => vec![topics[1]],
        8 | 9 => vec![topics[2], topics[0]],
        10 => vec![topics[3]],
        _ => Vec::new(),
    };
    (labels, matched)
}

async fn build(
    spec: &ReportsBenchSpec,
    seeds: &[Post],
    store: &Arc<dyn Store>,
) -> Result<Vec<TopicId>> {
    let mut topics = Vec::new();
    for name in TOPICS {
        let t = store
            .topics()
            .add_topic(name, &format!("\"{name}\""), &TopicOptions::default())
            .await?;
        topics.push(t.id);
    }
    let step = TimeDelta::days(spec.days)
        .num_microseconds()
        .unwrap_or(i64::MAX)
        / spec.posts.max(1) as i64;
    let mut batch = Vec::with_capacity(5_000);
    for i in 0..spec.posts {
        let mut post = seeds[i % seeds.len()].clone();
        post.native_id = format!("bench-{i}");
        post.reply_to = None;
        post.root_id = None;
        post.created_at = start() + TimeDelta::microseconds(step * i as i64);
        let (labels, topics) = assigned(i, &topics);
        batch.push(NewPost {
            post,
            labels: Some(labels),
            topics,
        });
        if batch.len() == 5_000 {
            store.posts().ingest(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        store.posts().ingest(batch).await?;
    }
    store.cases().analyze().await?;
    Ok(topics)
}

fn timing(mut ms: Vec<f64>) -> Timing {
    ms.sort_by(f64::total_cmp);
    Timing {
        p50_ms: ms.get(ms.len() / 2).copied().unwrap_or(0.0),
        max_ms: ms.last().copied().unwrap_or(0.0),
    }
}

async fn time<F, Fut, T>(samples: usize, mut f: F) -> Result<Timing>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut ms = Vec::with_capacity(samples);
    for _ in 0..samples.max(1) {
        let t = Instant::now();
        f().await?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(timing(ms))
}

async fn period(
    engine: &Engine,
    name: &str,
    filter: &ListeningFilter,
    bucket: Bucket,
    samples: usize,
) -> Result<PeriodTimings> {
    let mut reports = BTreeMap::new();
    let s = samples;
    reports.insert(
        "volume_and_sentiment",
        time(s, || engine.listening_volume(filter, bucket)).await?,
    );
    reports.insert(
        "share_of_voice",
        time(s, || engine.listening_share(filter)).await?,
    );
    reports.insert(
        "intent_mix",
        time(s, || engine.listening_intents(filter)).await?,
    );
    reports.insert(
        "top_authors_by_volume",
        time(s, || {
            engine.listening_authors(filter, AuthorOrder::Volume, 20)
        })
        .await?,
    );
    reports.insert(
        "top_authors_by_reach",
        time(s, || {
            engine.listening_authors(filter, AuthorOrder::Reach, 20)
        })
        .await?,
    );
    reports.insert(
        "trending_terms_and_hashtags",
        time(s, || engine.listening_trending(filter, 20)).await?,
    );
    let mut negative = filter.clone();
    negative.sentiment = Some(SentimentPick::Label(SentimentLabel::Negative));
    reports.insert(
        "posts_behind_a_point",
        time(s, || engine.listening_posts(&negative, None, 50, 0)).await?,
    );
    reports.insert(
        "whole_report",
        time(s, || engine.listening_report(filter, bucket, 20)).await?,
    );
    let posts_in_period = engine.listening_posts(filter, None, 1, 0).await?.count;
    Ok(PeriodTimings {
        period: name.to_string(),
        posts_in_period,
        reports,
    })
}

/// Builds the store and times every listening report over it.
pub async fn reports(
    spec: &ReportsBenchSpec,
    seeds: &[Post],
    store: Arc<dyn Store>,
) -> Result<ReportsBenchReport> {
    if seeds.is_empty() {
        return Err(crate::EngineError::InvalidInput("no seed posts".into()));
    }
    let backend = format!("{:?}", store.backend()).to_lowercase();
    let t = Instant::now();
    let topics = build(spec, seeds, &store).await?;
    let build_seconds = t.elapsed().as_secs_f64();
    let engine = Engine::new(store, EngineConfig::default()).await?;
    let end = start() + TimeDelta::days(spec.days);
    let all = ListeningFilter::period(start(), end);
    let mut week = ListeningFilter::period(end - TimeDelta::days(7), end);
    week.topics = vec![topics[0]];
    let periods = vec![
        period(
            &engine,
            &format!("all {} days, by day", spec.days),
            &all,
            Bucket::Day,
            spec.samples,
        )
        .await?,
        period(
            &engine,
            "last 7 days, topic 'brand', by hour",
            &week,
            Bucket::Hour,
            spec.samples,
        )
        .await?,
    ];
    Ok(ReportsBenchReport {
        posts: spec.posts,
        store: backend,
        seed_texts: seeds.len(),
        days: spec.days,
        build_seconds,
        periods,
    })
}
