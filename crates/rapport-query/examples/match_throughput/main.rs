//! Matching throughput with 10,000 topics on one core, printed as JSON.
//!
//! The workload is the one `rapport bench ingest` matches: the texts of every twcs and airline
//! file in `../shared/data` (HTML entities decoded, as the importers do), replayed as X posts
//! in English with their reply links and no entity lists, and topics made by the benchmark's
//! generator (`rapport_query::topicgen`, seed 42 unless told). The posts are matched again and again
//! on this thread; the figures are wall-clock and CPU-time rates (on a shared machine the
//! wall clock also counts time other processes held the core), and how many topics an average
//! post woke (evaluated) and matched.
//!
//! `cargo run --release -p rapport-query --example match_throughput [-- TOPICS [POSTS [SEED]]]`

use chrono::Utc;
use rapport_domain::{Author, Engagement, Network, Post, TopicId, TopicOptions};
use rapport_query::{Matcher, Scratch, parse};
use std::time::Instant;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

/// The benchmark's default sources, in its order (the vocabulary's ranking breaks ties by
/// word, so the order matters only for which post comes when).
const SOURCES: &[&str] = &[
    "twcs/twcs_head_5000.csv",
    "twcs/spotifycares_inbound_15096.csv",
    "twcs/twcs_kaggle_sample_93.csv",
    "airline/airline_sentiment_train.csv",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let mut arg = |name: &str, default: u64| {
        args.next().map_or(default, |a| {
            a.parse().unwrap_or_else(|_| panic!("{name} is a number"))
        })
    };
    let topic_count = arg("TOPICS", 10_000) as usize;
    let post_count = arg("POSTS", 1_000_000) as usize;
    let seed = arg("SEED", 42);

    let posts: Vec<Post> = SOURCES.iter().flat_map(|s| load_posts(s)).collect();
    let vocab =
        rapport_query::topicgen::Vocabulary::from_texts(posts.iter().map(|p| p.text.as_str()));
    let queries = rapport_query::topicgen::generate(&vocab, topic_count, seed);
    let parsed: Vec<_> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            (
                TopicId(i as i64 + 1),
                parse(q).unwrap_or_else(|e| panic!("{q}: {e}")),
                TopicOptions::default(),
            )
        })
        .collect();

    let start = Instant::now();
    let matcher = Matcher::new(parsed);
    let build_s = start.elapsed().as_secs_f64();

    let mut scratch = Scratch::new();
    let mut out = Vec::new();
    // Warm up caches and buffers (and let the matcher learn its literals' frequencies).
    for p in &posts {
        out.clear();
        matcher.match_post_with(&mut scratch, p, None, &mut out);
    }
    let (mut woken, mut matched) = (0usize, 0usize);
    let cpu_start = thread_cpu_seconds();
    let start = Instant::now();
    for i in 0..post_count {
        out.clear();
        matcher.match_post_with(&mut scratch, &posts[i % posts.len()], None, &mut out);
        woken += scratch.woken();
        matched += out.len();
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu_secs = thread_cpu_seconds()
        .zip(cpu_start)
        .map(|(end, start)| end - start);
    let avg_chars =
        posts.iter().map(|p| p.text.chars().count()).sum::<usize>() as f64 / posts.len() as f64;
    let per_post = |n: usize| (n as f64 / post_count as f64 * 1000.0).round() / 1000.0;
    println!(
        "{}",
        serde_json::json!({
            "topics": matcher.len(),
            "seed": seed,
            "posts": post_count,
            "distinct_posts": posts.len(),
            "avg_post_chars": (avg_chars * 10.0).round() / 10.0,
            "build_seconds": (build_s * 1000.0).round() / 1000.0,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "posts_per_sec": (post_count as f64 / secs).round(),
            "cpu_seconds": cpu_secs.map(|c| (c * 1000.0).round() / 1000.0),
            "posts_per_cpu_sec": cpu_secs.map(|c| (post_count as f64 / c).round()),
            "woken_per_post": per_post(woken),
            "matches_per_post": per_post(matched),
        })
    );
}

/// Time this thread has run on a CPU, from Linux's scheduler statistics.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// The posts of one twcs or airline file, as the benchmark replays them.
fn load_posts(file: &str) -> Vec<Post> {
    let path = format!("{DATA}/{file}");
    // Only `\n` ends a record: some texts hold bare `\r` characters outside quotes.
    let mut reader = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let headers = reader.headers().expect("a header row").clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let text = column("text").expect("a text column");
    let reply = column("in_response_to_tweet_id");
    reader
        .records()
        .filter_map(Result::ok)
        .enumerate()
        .map(|(i, r)| Post {
            network: Network::X,
            native_id: i.to_string(),
            author: Author {
                handle: format!("user{}", 10_000 + i % 50_000),
                ..Author::default()
            },
            text: html_escape::decode_html_entities(&r[text]).into_owned(),
            created_at: Utc::now(),
            lang: Some("en".into()),
            reply_to: reply
                .filter(|&c| !r[c].is_empty())
                .map(|c| r[c].trim_end_matches(".0").to_string()),
            reply_to_handle: None,
            root_id: None,
            mentions: Vec::new(),
            hashtags: Vec::new(),
            cashtags: Vec::new(),
            links: Vec::new(),
            engagement: Engagement::default(),
            raw: String::new(),
        })
        .collect()
}
