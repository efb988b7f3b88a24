//! Measures `SentimentModel::predict` and `Classifier::classify` on one core over real tweets
//! (the held-out SemEval file) and prints JSON.
//!
//! `cargo run --release -p rapport-nlp --example sentiment_throughput [-- SECONDS [WHICH]]`
//!
//! WHICH is `predict`, `untagged` or `tagged` to measure only one (e.g. under `perf stat`, whose
//! CPU time per post is steadier than wall time on a busy machine); all three by default.

use rapport_nlp::sentiment::read_semeval;
use rapport_nlp::{Classifier, SentimentModel};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// Seconds this thread has run on a CPU (Linux `schedstat`; 0 elsewhere): on a machine shared
/// with other work, posts per CPU second is the per-core figure, where wall time is not.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

/// (posts, wall seconds, CPU seconds).
fn measure(texts: &[String], budget: Duration, mut f: impl FnMut(&str)) -> (u64, f64, f64) {
    if budget.is_zero() {
        return (0, 0.0, 0.0);
    }
    // One warm-up pass so that lazy initialisation and cold caches do not count.
    texts.iter().for_each(|t| f(t));
    let started = Instant::now();
    let cpu = cpu_seconds();
    let mut posts = 0u64;
    while started.elapsed() < budget {
        for t in texts {
            f(t);
        }
        posts += texts.len() as u64;
    }
    (posts, started.elapsed().as_secs_f64(), cpu_seconds() - cpu)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(3.0);
    let file = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/sentiment/semeval2017-task4a/twitter-2016test-A.tsv"
    ));
    let texts: Vec<String> = read_semeval(file)?.into_iter().map(|p| p.text).collect();
    let budget = Duration::from_secs_f64(seconds);
    let which = std::env::args().nth(2);
    let wanted = |name: &str| which.as_deref().is_none_or(|w| w == name);
    let skip = Duration::ZERO;

    let model = SentimentModel::default_model();
    let (posts, secs, cpu) = measure(&texts, if wanted("predict") { budget } else { skip }, |t| {
        black_box(model.predict(black_box(t)));
    });
    let classifier = Classifier::new();
    let (c_posts, c_secs, c_cpu) = measure(
        &texts,
        if wanted("untagged") { budget } else { skip },
        |t| {
            black_box(classifier.classify(black_box(t), None, Some(1000)));
        },
    );
    let (t_posts, t_secs, t_cpu) =
        measure(&texts, if wanted("tagged") { budget } else { skip }, |t| {
            black_box(classifier.classify(black_box(t), Some("en"), Some(1000)));
        });
    let report = serde_json::json!({
        "corpus": file.file_name().map(|n| n.to_string_lossy().into_owned()),
        "distinct_posts": texts.len(),
        "threads": 1,
        "predict": { "posts": posts, "seconds": secs, "posts_per_cpu_sec": posts as f64 / cpu, "posts_per_sec": posts as f64 / secs, "us_per_post": secs * 1e6 / posts as f64 },
        "classify_untagged": { "posts": c_posts, "seconds": c_secs, "posts_per_cpu_sec": c_posts as f64 / c_cpu, "posts_per_sec": c_posts as f64 / c_secs, "us_per_post": c_secs * 1e6 / c_posts as f64 },
        "classify_lang_tagged": { "posts": t_posts, "seconds": t_secs, "posts_per_cpu_sec": t_posts as f64 / t_cpu, "posts_per_sec": t_posts as f64 / t_secs, "us_per_post": t_secs * 1e6 / t_posts as f64 },
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
