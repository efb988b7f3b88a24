//! `rapport bench ingest`: the full ingest path measured on real text.
//!
//! The workload is built before the clock starts: real texts (by default every twcs and airline
//! file in the shared data directory) replayed with fresh ids as X API v2 NDJSON, and K
//! generated topics (see `rapport_query::topicgen`). Then three figures are taken:
//! - end to end: parse the JSON, normalize, dedupe, classify, match every topic, store posts and
//!   matches in a fresh store, on every core the pipeline uses;
//! - matching alone, on one core, over the already-parsed posts;
//! - classification alone, on one core.

pub mod workload;

use crate::{Engine, EngineConfig, IngestProgress, Result};
use rapport_connectors::{Format, Record};
use rapport_domain::{Post, TopicId, TopicOptions};
use rapport_query::Matcher;
use rapport_store::Store;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct BenchSpec {
    pub posts: usize,
    pub topics: usize,
    pub seed: u64,
    pub classify: bool,
    /// One post in this many repeats an earlier id (0: none).
    pub dup_every: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub posts: usize,
    pub topics: usize,
    pub classify: bool,
    pub store: String,
    pub seed_texts: usize,
    pub workload_bytes: usize,
    pub imported: u64,
    pub already_present: u64,
    pub matches: u64,
    pub seconds: f64,
    /// End to end, from JSON bytes to committed rows.
    pub posts_per_sec: f64,
    /// Matching alone, one core.
    pub match_posts_per_sec: f64,
    /// Topics an average post matched: how selective the workload is.
    pub matches_per_post: f64,
    /// Classification alone, one core.
    pub classify_posts_per_sec: f64,
    /// From a post being read to its batch being committed.
    pub p99_latency_ms: f64,
    pub peak_rss_mb: f64,
}

/// Posts to seed the workload with, read through the real importers.
pub fn seed_posts(files: &[(Format, std::path::PathBuf)]) -> Result<Vec<Post>> {
    let mut posts = Vec::new();
    for (format, path) in files {
        let file = std::io::BufReader::new(std::fs::File::open(path)?);
        for record in rapport_connectors::read_records(*format, file) {
            if let Record::Post(p) = record {
                posts.push(p);
            }
        }
    }
    Ok(posts)
}

/// Runs the benchmark against `store`, which should be empty.
pub async fn ingest(
    spec: &BenchSpec,
    seeds: &[Post],
    store: Arc<dyn Store>,
) -> Result<BenchReport> {
    let vocab =
        rapport_query::topicgen::Vocabulary::from_texts(seeds.iter().map(|p| p.text.as_str()));
    if !vocab.is_usable() || seeds.is_empty() {
        return Err(crate::EngineError::Pipeline(
            "the seed texts are too few to build a workload".into(),
        ));
    }
    let queries = rapport_query::topicgen::generate(&vocab, spec.topics, spec.seed);
    for (i, q) in queries.iter().enumerate() {
        store
            .topics()
            .add_topic(&format!("bench-{i:05}"), q, &TopicOptions::default())
            .await?;
    }
    let bytes = workload::ndjson(seeds, spec.posts, spec.dup_every);
    let workload_bytes = bytes.len();
    let backend = format!("{:?}", store.backend()).to_lowercase();
    let engine = Engine::new(
        store,
        EngineConfig {
            skip_classification: !spec.classify,
            ..EngineConfig::default()
        },
    )
    .await?;

    // One-core figures first, on posts parsed outside the clock.
    let parsed: Vec<Post> =
        rapport_connectors::read_records(Format::XV2, std::io::Cursor::new(bytes.clone()))
            .filter_map(|r| match r {
                Record::Post(p) => Some(p),
                _ => None,
            })
            .collect();
    let matcher = engine.topics.matcher();
    let (match_posts_per_sec, matches_per_post) = match_rate(&matcher, &parsed);
    let classify_posts_per_sec = classify_rate(&engine, &parsed);
    drop(parsed);

    let progress = Arc::new(IngestProgress::default());
    let records = rapport_connectors::read_records(Format::XV2, std::io::Cursor::new(bytes));
    let summary = engine
        .ingest_records(records, progress.clone(), |_| {})
        .await?;
    Ok(BenchReport {
        posts: spec.posts,
        topics: matcher.len(),
        classify: spec.classify,
        store: backend,
        seed_texts: seeds.len(),
        workload_bytes,
        imported: summary.imported,
        already_present: summary.already_present,
        matches: summary.matches,
        seconds: summary.seconds,
        posts_per_sec: summary.posts_per_sec(),
        match_posts_per_sec,
        matches_per_post,
        classify_posts_per_sec,
        p99_latency_ms: progress.latency_percentile(0.99).as_secs_f64() * 1_000.0,
        peak_rss_mb: peak_rss_mb(),
    })
}

/// Posts per second on one core, and topics matched per post.
fn match_rate(matcher: &Matcher, posts: &[Post]) -> (f64, f64) {
    let mut out: Vec<TopicId> = Vec::new();
    let started = Instant::now();
    let mut hits = 0usize;
    for p in posts {
        out.clear();
        matcher.match_post(p, None, &mut out);
        hits += out.len();
    }
    let rate = posts.len() as f64 / started.elapsed().as_secs_f64();
    (rate, hits as f64 / posts.len().max(1) as f64)
}

fn classify_rate(engine: &Engine, posts: &[Post]) -> f64 {
    let started = Instant::now();
    for p in posts {
        std::hint::black_box(engine.classifier.classify(&p.text, p.lang.as_deref(), None));
    }
    posts.len() as f64 / started.elapsed().as_secs_f64()
}

/// The process's peak resident set (Linux `VmHWM`); 0 where unknown.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}
