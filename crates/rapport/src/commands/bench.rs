//! `rapport bench ...`: measurements printed as JSON (or a short table).

use super::{Ctx, print_json, shared_data};
use crate::cli::{
    BenchCommand, BenchInboxArgs, BenchIngestArgs, BenchPublishArgs, BenchReportsArgs,
};
use anyhow::{Context, Result, anyhow, bail};
use rapport_connectors::Format;
use rapport_engine::bench::{self, BenchSpec};
use std::path::PathBuf;

pub async fn run(_ctx: &Ctx, cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Ingest(args) => ingest(args).await,
        BenchCommand::Inbox(args) => inbox(args).await,
        BenchCommand::Publish(args) => publish(args).await,
        BenchCommand::Reports(args) => reports(args).await,
    }
}

async fn reports(args: BenchReportsArgs) -> Result<()> {
    let files = if args.source.is_empty() {
        let Some(data) = shared_data() else {
            bail!("no ../shared/data here: give text files with --source FORMAT:PATH");
        };
        vec![
            (Format::Twcs, data.join("twcs/twcs_head_5000.csv")),
            (
                Format::Airline,
                data.join("airline/airline_sentiment_train.csv"),
            ),
        ]
    } else {
        parse_sources(&args.source)?
    };
    let seeds = bench::seed_posts(&files)?;
    let dir = tempfile_dir()?;
    let url = args
        .store
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()));
    let store = rapport_store::open(&url)
        .await
        .with_context(|| format!("cannot open the bench store {}", super::redact_url(&url)))?;
    let spec = rapport_engine::reports::bench::ReportsBenchSpec {
        posts: args.posts,
        days: args.days.max(7),
        samples: args.samples,
    };
    let report = rapport_engine::reports::bench::reports(&spec, &seeds, store).await;
    let _ = std::fs::remove_dir_all(&dir);
    let report = report?;
    if args.json {
        return print_json(&report);
    }
    println!(
        "{} posts over {} days ({}), built in {:.1} s",
        report.posts, report.days, report.store, report.build_seconds
    );
    for p in &report.periods {
        println!("{} ({} posts)", p.period, p.posts_in_period);
        for (name, t) in &p.reports {
            println!(
                "  {name:<30} p50 {:>9.1} ms  max {:>9.1} ms",
                t.p50_ms, t.max_ms
            );
        }
    }
    Ok(())
}

/// Complaints to @sprintcare and Sprint's answers, from twcs in ../shared/data.
fn conversations() -> Result<Vec<(String, String)>> {
    let Some(data) = shared_data() else {
        bail!("no ../shared/data here: the publishing benchmark replays twcs conversations");
    };
    let path = data.join("twcs/twcs_head_5000.csv");
    let mut reader =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    // The file keeps a few broken rows: they are not conversations.
    let rows: Vec<csv::StringRecord> = reader.records().filter_map(|r| r.ok()).collect();
    let by_id: std::collections::HashMap<&str, &csv::StringRecord> =
        rows.iter().map(|r| (&r[1], r)).collect();
    let mut out = Vec::new();
    for row in &rows {
        // index, tweet_id, author_id, inbound, created_at, text, response_tweet_id, ...
        if row.len() < 7 || &row[3] != "True" || !row[5].starts_with("@sprintcare") {
            continue;
        }
        if let Some(answer) = row[6]
            .split(',')
            .filter_map(|id| by_id.get(id.trim()))
            .find(|r| &r[2] == "sprintcare")
        {
            out.push((row[5].to_string(), answer[5].to_string()));
        }
    }
    Ok(out)
}

async fn publish(args: BenchPublishArgs) -> Result<()> {
    let conversations = conversations()?;
    let dir = tempfile_dir()?;
    let url = args
        .store
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()));
    let store = rapport_store::open(&url)
        .await
        .with_context(|| format!("cannot open the bench store {}", super::redact_url(&url)))?;
    let spec = rapport_engine::publish::bench::PublishBenchSpec {
        instance: args.mastodon.clone(),
        replies: args.replies,
        workers: args.workers,
    };
    let report = rapport_engine::publish::bench::publish(&spec, &conversations, store).await;
    let _ = std::fs::remove_dir_all(&dir);
    let report = report?;
    if args.json {
        return print_json(&report);
    }
    println!("replies          {}", report.replies);
    println!("publishers       {}", report.workers);
    println!("sent             {:.1} replies/s", report.sends_per_sec);
    println!(
        "claim to ack     p50 {:.1} ms, p99 {:.1} ms",
        report.p50_ms, report.p99_ms
    );
    println!(
        "on the server    {} ({} duplicates)",
        report.on_server, report.duplicates
    );
    Ok(())
}

fn sources(args: &BenchIngestArgs) -> Result<Vec<(Format, PathBuf)>> {
    if !args.source.is_empty() {
        return parse_sources(&args.source);
    }
    let Some(data) = shared_data() else {
        bail!("no ../shared/data here: give text files with --source FORMAT:PATH");
    };
    Ok(vec![
        (Format::Twcs, data.join("twcs/twcs_head_5000.csv")),
        (
            Format::Twcs,
            data.join("twcs/spotifycares_inbound_15096.csv"),
        ),
        (Format::Twcs, data.join("twcs/twcs_kaggle_sample_93.csv")),
        (
            Format::Airline,
            data.join("airline/airline_sentiment_train.csv"),
        ),
    ])
}

fn parse_sources(sources: &[String]) -> Result<Vec<(Format, PathBuf)>> {
    sources
        .iter()
        .map(|s| {
            let (format, path) = s
                .split_once(':')
                .ok_or_else(|| anyhow!("--source expects FORMAT:PATH, got '{s}'"))?;
            let format: Format = format.parse().map_err(|e| anyhow!("{e}"))?;
            Ok((format, PathBuf::from(path)))
        })
        .collect()
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
    println!(
        "classify, 1 core {:.0} posts/s",
        report.classify_posts_per_sec
    );
    println!("p99 latency      {:.1} ms", report.p99_latency_ms);
    println!("peak RSS         {:.0} MB", report.peak_rss_mb);
    Ok(())
}

async fn inbox(args: BenchInboxArgs) -> Result<()> {
    let files = if args.source.is_empty() {
        let Some(data) = shared_data() else {
            bail!("no ../shared/data here: give posts with --source FORMAT:PATH");
        };
        vec![(Format::Twcs, data.join("twcs/twcs_head_5000.csv"))]
    } else {
        parse_sources(&args.source)?
    };
    let seeds = bench::seed_posts(&files)?;
    let dir = tempfile_dir()?;
    let url = args
        .store
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("inbox.db").display()));
    let store = rapport_store::open(&url)
        .await
        .with_context(|| format!("cannot open the bench store {}", super::redact_url(&url)))?;
    let spec = rapport_engine::care::bench::InboxBenchSpec {
        cases: args.cases,
        active_per_mille: args.active_per_mille.min(1_000),
        samples: args.samples.max(1),
        seed: args.seed,
        ..Default::default()
    };
    let report = rapport_engine::care::bench::run(&spec, seeds, store.clone()).await;
    let pages = match report {
        Ok(ref r) => Some(
            time_pages(store, r.cases, spec.samples, args.seed)
                .await
                .map_err(anyhow::Error::msg),
        ),
        Err(_) => None,
    };
    let _ = std::fs::remove_dir_all(&dir);
    let report = report?;
    let pages = pages.expect("measured when the build succeeded")?;
    if args.json {
        #[derive(serde::Serialize)]
        struct Both<'a> {
            #[serde(flatten)]
            store: &'a rapport_engine::care::bench::InboxBenchReport,
            pages: &'a rapport_web::bench::PageReport,
        }
        return print_json(&Both {
            store: &report,
            pages: &pages,
        });
    }
    println!(
        "cases            {} ({} active)",
        report.cases, report.active_cases
    );
    println!("build            {:.1} s", report.build_seconds);
    let row = |name: &str, l: &rapport_engine::care::bench::Latency| {
        println!(
            "{name:<16} p50 {:.2} ms  p95 {:.2} ms  max {:.2} ms",
            l.p50_ms, l.p95_ms, l.max_ms
        );
    };
    row("inbox list", &report.inbox_list);
    for v in &report.inbox_by_view {
        row(&format!("  {}", v.view), &v.latency);
    }
    row("inbox counts", &report.inbox_counts);
    row("case page", &report.case_page);
    println!("served pages (router, session, template, body):");
    let page = |name: &str, l: &rapport_web::bench::PageLatency| {
        println!(
            "{name:<16} p50 {:.2} ms  p95 {:.2} ms  max {:.2} ms  {} bytes",
            l.latency.p50_ms, l.latency.p95_ms, l.latency.max_ms, l.mean_bytes
        );
    };
    page("inbox page", &pages.inbox_page);
    for v in &pages.inbox_page_by_view {
        page(&format!("  {}", v.view), &v.latency);
    }
    page("case page", &pages.case_page);
    Ok(())
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("rapport-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The web half of `bench inbox`: the pages over an engine on the store the first half built.
async fn time_pages(
    store: std::sync::Arc<dyn rapport_store::Store>,
    cases: u64,
    samples: usize,
    seed: u64,
) -> Result<rapport_web::bench::PageReport, String> {
    let engine = rapport_engine::Engine::new(store, rapport_engine::EngineConfig::default())
        .await
        .map_err(|e| e.to_string())?;
    rapport_web::bench::time_pages(std::sync::Arc::new(engine), cases, samples, seed).await
}
