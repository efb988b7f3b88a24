//! Ingest throughput of each backend on real text: the twcs sample replayed with fresh ids
//! (threads kept) until `--posts` posts, stored in batches of `--batch`, on a fresh store.
//! Prints one JSON object per backend.
//!
//! ```text
//! cargo run --release -p rapport-store --example ingest_bench -- --posts 10000 --batch 1000
//! ```
//! `--backend sqlite|postgres|both` (default both); PostgreSQL is the server
//! `RAPPORT_TEST_POSTGRES_URL` names, in a database of its own that is dropped afterwards.

use chrono::{DateTime, Utc};
use rapport_domain::{Author, Engagement, Network, Post};
use rapport_store::testing::fresh_store;
use rapport_store::{Backend, NewPost};
use std::time::Instant;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/twcs/twcs_head_5000.csv"
);

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn posts(n: usize) -> Vec<NewPost> {
    let mut rdr = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(FILE)
        .expect("twcs sample is readable");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("twcs record")).collect();
    let id = |round: usize, s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| format!("{round}-{}", s.strip_suffix(".0").unwrap_or(s)))
    };
    (0..n)
        .map(|i| {
            let (round, r) = (i / rows.len(), &rows[i % rows.len()]);
            let created: DateTime<Utc> = DateTime::parse_from_str(&r[4], "%a %b %d %H:%M:%S %z %Y")
                .expect("twcs date")
                .with_timezone(&Utc);
            let text = r[5].to_string();
            let mentions = text
                .split('@')
                .skip(1)
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>()
                        .to_lowercase()
                })
                .filter(|m| !m.is_empty())
                .collect();
            NewPost {
                post: Post {
                    network: Network::X,
                    native_id: id(round, &r[1]).expect("tweet id"),
                    author: Author {
                        handle: r[2].to_string(),
                        own_account: &r[3] == "False",
                        ..Author::default()
                    },
                    raw: r.iter().collect::<Vec<_>>().join(","),
                    text,
                    created_at: created,
                    lang: None,
                    reply_to: id(round, &r[7]),
                    reply_to_handle: None,
                    root_id: None,
                    mentions,
                    hashtags: Vec::new(),
                    cashtags: Vec::new(),
                    links: Vec::new(),
                    engagement: Engagement::default(),
                },
                labels: None,
                topics: Vec::new(),
            }
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let n: usize = arg("--posts").map_or(10_000, |v| v.parse().expect("--posts N"));
    let batch: usize = arg("--batch").map_or(1_000, |v| v.parse().expect("--batch N"));
    let backends = match arg("--backend").as_deref() {
        None | Some("both") => vec![Backend::Sqlite, Backend::Postgres],
        Some("sqlite") => vec![Backend::Sqlite],
        Some("postgres") => vec![Backend::Postgres],
        Some(other) => panic!("--backend {other} (expected sqlite, postgres or both)"),
    };
    let all = posts(n);
    for backend in backends {
        let store = fresh_store(backend).await;
        let started = Instant::now();
        let mut inserted = 0;
        for chunk in all.chunks(batch) {
            inserted += store
                .posts()
                .ingest(chunk.to_vec())
                .await
                .expect("ingest")
                .inserted();
        }
        let secs = started.elapsed().as_secs_f64();
        let stats = store.posts().stats().await.expect("stats");
        println!(
            "{}",
            serde_json::json!({
                "backend": format!("{backend:?}").to_lowercase(),
                "posts": inserted,
                "batch": batch,
                "seconds": (secs * 1000.0).round() / 1000.0,
                "posts_per_sec": (inserted as f64 / secs).round(),
                "conversations": stats.conversations,
                "contacts": stats.contacts,
                "mentions": stats.mentions,
            })
        );
    }
}
