//! Matching throughput with 10,000 topics on one core, printed as JSON.
//!
//! Topics are generated (seeded, so every run matches the same set) from the words of the real
//! posts in `../shared/data/twcs/twcs_head_5000.csv`: single terms, two-term ANDs, phrases cut
//! from real posts, OR groups with a required term, a term with a NOT, hashtags, prefixes and
//! NEAR pairs, leaving out the 150 most frequent words (stop words, which nobody listens for).
//! Those posts are then matched again and again on this thread.
//!
//! `cargo run --release -p rapport-query --example match_throughput [-- TOPICS [POSTS]]`

use chrono::Utc;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rapport_domain::{Author, Engagement, Network, Post, TopicId, TopicOptions};
use rapport_query::{Matcher, Scratch, parse};
use std::collections::HashMap;
use std::time::Instant;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/twcs/twcs_head_5000.csv"
);

/// How many of the most frequent words of the posts topics never use.
const COMMON_WORDS_LEFT_OUT: usize = 150;

fn main() {
    let mut args = std::env::args().skip(1);
    let topic_count: usize = args
        .next()
        .map_or(10_000, |a| a.parse().expect("TOPICS is a number"));
    let post_count: usize = args
        .next()
        .map_or(2_000_000, |a| a.parse().expect("POSTS is a number"));

    let posts = load_posts();
    let texts: Vec<Vec<String>> = posts.iter().map(|p| words(&p.text)).collect();
    let mut freq: HashMap<&str, usize> = HashMap::new();
    for ws in &texts {
        for w in ws {
            *freq.entry(w.as_str()).or_default() += 1;
        }
    }
    // Nobody listens for "the" or "please": the most frequent words are left out of topics.
    let mut by_freq: Vec<(&str, usize)> = freq.iter().map(|(w, n)| (*w, *n)).collect();
    by_freq.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut vocab: Vec<&str> = by_freq[COMMON_WORDS_LEFT_OUT.min(by_freq.len())..]
        .iter()
        .map(|(w, _)| *w)
        .filter(|w| w.len() >= 3)
        .collect();
    vocab.sort_unstable();
    let hashtags: Vec<String> = posts
        .iter()
        .flat_map(|p| p.text.split_whitespace())
        .filter_map(|w| w.strip_prefix('#'))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| {
            w.len() >= 2
                && w.chars().all(|c| c.is_ascii_alphanumeric())
                && w.chars().any(|c| c.is_ascii_alphabetic())
        })
        .collect();

    let mut rng = StdRng::seed_from_u64(20171031);
    let mut queries = Vec::with_capacity(topic_count);
    while queries.len() < topic_count {
        let mut w = || vocab[rng.random_range(0..vocab.len())];
        let (a, b, c, d) = (w(), w(), w(), w());
        let q = match queries.len() % 9 {
            0 => a.to_string(),
            1 => format!("{a} {b}"),
            2 => {
                let ws = &texts[rng.random_range(0..texts.len())];
                if ws.len() < 3 {
                    continue;
                }
                let i = rng.random_range(0..ws.len() - 1);
                format!("\"{} {}\"", ws[i], ws[i + 1])
            }
            3 => format!("({a} OR {b} OR {c}) {d}"),
            4 => format!("{a} -{b}"),
            5 if !hashtags.is_empty() => {
                format!("#{} OR {a}", hashtags[rng.random_range(0..hashtags.len())])
            }
            6 => format!("{}* {b}", &a[..a.len().min(4)]),
            7 => format!("{a} NEAR/3 {b}"),
            _ => format!("({a} {b}) OR \"{c} {d}\"~2"),
        };
        queries.push(q);
    }
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
    // Warm up caches and the scratch buffers before timing.
    for p in &posts {
        out.clear();
        matcher.match_post_with(&mut scratch, p, None, &mut out);
    }
    let mut matched = 0usize;
    let cpu_start = thread_cpu_seconds();
    let start = Instant::now();
    for i in 0..post_count {
        out.clear();
        matcher.match_post_with(&mut scratch, &posts[i % posts.len()], None, &mut out);
        matched += out.len();
    }
    let secs = start.elapsed().as_secs_f64();
    // On a shared machine the wall clock also counts time other processes held the core.
    let cpu_secs = thread_cpu_seconds()
        .zip(cpu_start)
        .map(|(end, start)| end - start);
    let avg_chars =
        posts.iter().map(|p| p.text.chars().count()).sum::<usize>() as f64 / posts.len() as f64;
    println!(
        "{}",
        serde_json::json!({
            "topics": matcher.len(),
            "posts": post_count,
            "distinct_posts": posts.len(),
            "avg_post_chars": (avg_chars * 10.0).round() / 10.0,
            "build_seconds": (build_s * 1000.0).round() / 1000.0,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "posts_per_sec": (post_count as f64 / secs).round(),
            "cpu_seconds": cpu_secs.map(|c| (c * 1000.0).round() / 1000.0),
            "posts_per_cpu_sec": cpu_secs.map(|c| (post_count as f64 / c).round()),
            "matches_per_post": (matched as f64 / post_count as f64 * 1000.0).round() / 1000.0,
        })
    );
}

/// Time this thread has run on a CPU, from Linux's scheduler statistics.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_lowercase)
        .collect()
}

fn load_posts() -> Vec<Post> {
    // Only `\n` ends a record: one text holds bare `\r` characters outside quotes.
    let mut reader = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(DATA)
        .expect("twcs_head_5000.csv is readable");
    reader
        .records()
        .map(|r| {
            let r = r.expect("a CSV record");
            Post {
                network: Network::X,
                native_id: r[1].to_string(),
                author: Author {
                    handle: r[2].to_string(),
                    ..Author::default()
                },
                text: r[5].to_string(),
                created_at: Utc::now(),
                lang: Some("en".into()),
                reply_to: (!r[7].is_empty()).then(|| r[7].trim_end_matches(".0").to_string()),
                reply_to_handle: None,
                root_id: None,
                mentions: Vec::new(),
                hashtags: Vec::new(),
                cashtags: Vec::new(),
                links: Vec::new(),
                engagement: Engagement::default(),
                raw: String::new(),
            }
        })
        .collect()
}
