//! `rapport bench ...`: measurements printed as JSON (or a short table).

use super::{Ctx, print_json, shared_data};
use crate::cli::{BenchCommand, BenchIngestArgs};
use anyhow::{Context, Result, anyhow, bail};
use rapport_connectors::Format;
use rapport_engine::bench::{self, BenchSpec};
use std::path::PathBuf;

pub async fn run(_ctx: &Ctx, cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Ingest(args) => ingest(args).await,
    }
}

fn sources(args: &BenchIngestArgs) -> Result<Vec<(Format, PathBuf)>> {
    if !args.source.is_empty() {
        return args
            .source
            .iter()
            .map(|s| {
                let (format, path) = s
                    .split_once(':')
                    .ok_or_else(|| anyhow!("--source expects FORMAT:PATH, got '{s}'"))?;
                let format: Format = format.parse().map_err(|e| anyhow!("{e}"))?;
                Ok((format, PathBuf::from(path)))
            })
            .collect();
    }
    let Some(data) = shared_data() else {
        bail!("no ../shared/data here: give text files with --source FORMAT:PATH");
    };
    Ok(vec![
        (Format::Twcs, data.join("twcs/twcs_head_5000.csv")),
        (Format::Twcs, data.join("twcs/spotifycares_inbound_15096.csv")),
        (Format::Twcs, data.join("twcs/twcs_kaggle_sample_93.csv")),
        (Format::Airline, data.join("airline/airline_sentiment_train.csv")),
    ])
}

async fn ingest(args: BenchIngestArgs) -> Result<()> {
    let seeds = bench::seed_posts(&sources(&args)?)?;
    let dir = tempfile_dir()?;
    let url = args
        .store
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()));
    let store = rapport_store::open(&url)
        .await
        .with_context(|| format!("cannot open the bench store {}", super::redact_url(&url)))?;
    let spec = BenchSpec {
        posts: args.posts,
        topics: args.topics,
        seed: args.seed,
        classify: !args.no_classify,
        dup_every: 20,
    };
    let report = bench::ingest(&spec, &seeds, store).await;
    let _ = std::fs::remove_dir_all(&dir);
    let report = report?;
    if args.json {
        return print_json(&report);
    }
    println!("posts            {}", report.posts);
    println!("topics           {}", report.topics);
    println!("end to end       {:.0} posts/s", report.posts_per_sec);
    println!("matching, 1 core {:.0} posts/s", report.match_posts_per_sec);
    println!("classify, 1 core {:.0} posts/s", report.classify_posts_per_sec);
    println!("p99 latency      {:.1} ms", report.p99_latency_ms);
    println!("peak RSS         {:.0} MB", report.peak_rss_mb);
    Ok(())
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("rapport-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
