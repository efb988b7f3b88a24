//! `rapport report listening`: the listening report over a period, as tables or as JSON.

use super::{Ctx, print_json};
use crate::cli::ListeningArgs;
use anyhow::{Result, anyhow};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rapport_domain::listening::{AuthorRow, Bucket, ListeningFilter, Trend};
use serde_json::{Value, json};

/// RFC 3339, or a date meaning its midnight UTC.
pub fn parse_time(s: &str, flag: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        .map_err(|_| anyhow!("--{flag}: expected RFC 3339 or YYYY-MM-DD, got '{s}'"))
}

pub async fn run(ctx: &Ctx, args: ListeningArgs) -> Result<()> {
    let engine = ctx.engine().await?;
    let to = match &args.to {
        Some(s) => parse_time(s, "to")?,
        None => Utc::now(),
    };
    let from = match &args.from {
        Some(s) => parse_time(s, "from")?,
        None => to - TimeDelta::days(30),
    };
    let mut filter = ListeningFilter::period(from, to);
    filter.topics = engine.topic_ids(&args.topics).await?;
    filter.networks = args
        .networks
        .iter()
        .map(|n| n.parse().map_err(|e| anyhow!("--network: {e}")))
        .collect::<Result<_>>()?;
    filter.langs = args.langs.iter().map(|l| l.to_lowercase()).collect();
    let bucket = match &args.bucket {
        Some(b) => b.parse::<Bucket>().map_err(|e| anyhow!("--bucket: {e}"))?,
        None => Bucket::auto(from, to),
    };
    let r = engine
        .listening_report(&filter, bucket, args.top.clamp(1, 500))
        .await?;
    let authors = |rows: &[AuthorRow]| -> Vec<Value> {
        rows.iter()
            .map(|a| {
                json!({ "network": a.author.network.to_string(), "handle": a.author.handle,
                        "posts": a.posts, "followers": a.followers, "engagement": a.engagement })
            })
            .collect()
    };
    let trends = |rows: &[Trend]| -> Vec<Value> {
        rows.iter()
            .map(|t| json!({ "term": t.term, "current": t.current, "previous": t.previous, "score": t.score }))
            .collect()
    };
    if args.json {
        return print_json(&json!({
            "from": from.to_rfc3339(),
            "to": to.to_rfc3339(),
            "bucket": bucket.as_str(),
            "posts": r.totals.total(),
            "sentiment": r.totals,
            "net_sentiment": r.net_sentiment,
            "volume": r.volume.iter().map(|p| json!({
                "start": p.start.to_rfc3339(), "end": p.end.to_rfc3339(), "posts": p.counts.total(),
                "positive": p.counts.positive, "neutral": p.counts.neutral,
                "negative": p.counts.negative, "unlabelled": p.counts.unlabelled,
                "net_sentiment": p.counts.net(),
            })).collect::<Vec<_>>(),
            "share_of_voice": r.share_of_voice.iter().map(|s| json!({
                "topic": s.name, "posts": s.counts.total(), "share": s.share,
                "net_sentiment": s.counts.net(),
            })).collect::<Vec<_>>(),
            "intents": r.intents.rows().iter().map(|(p, n)| json!({
                "intent": p.to_string(), "posts": n, "share": r.intents.share(*p),
            })).collect::<Vec<_>>(),
            "authors_by_volume": authors(&r.authors_by_volume),
            "authors_by_reach": authors(&r.authors_by_reach),
            "trending_terms": trends(&r.trending.terms),
            "trending_hashtags": trends(&r.trending.hashtags),
            "terms_sampled": r.trending.terms_sampled,
            "terms_complete": r.trending.terms_complete,
        }));
    }
    println!(
        "{} to {} by {}: {} posts, net sentiment {}",
        from.to_rfc3339(),
        to.to_rfc3339(),
        bucket,
        r.totals.total(),
        r.net_sentiment.map_or("-".into(), |n| format!("{n:+.2}"))
    );
    println!(
        "\n{:<26} {:>7} {:>6} {:>6} {:>6}",
        "bucket", "posts", "pos", "neu", "neg"
    );
    for p in r.volume.iter().filter(|p| p.counts.total() > 0) {
        println!(
            "{:<26} {:>7} {:>6} {:>6} {:>6}",
            p.start.to_rfc3339(),
            p.counts.total(),
            p.counts.positive,
            p.counts.neutral,
            p.counts.negative
        );
    }
    println!("\n{:<30} {:>7} {:>7}", "share of voice", "posts", "share");
    for s in &r.share_of_voice {
        println!(
            "{:<30} {:>7} {:>6.1}%",
            s.name,
            s.counts.total(),
            s.share * 100.0
        );
    }
    println!("\n{:<30} {:>7}", "intent", "posts");
    for (p, n) in r.intents.rows() {
        println!("{:<30} {:>7}", p.to_string(), n);
    }
    println!(
        "\n{:<34} {:>7} {:>10} {:>10}",
        "top authors", "posts", "followers", "engagement"
    );
    for a in &r.authors_by_volume {
        println!(
            "{:<34} {:>7} {:>10} {:>10}",
            a.author.to_string(),
            a.posts,
            a.followers.map_or("-".into(), |f| f.to_string()),
            a.engagement
        );
    }
    println!("\n{:<30} {:>7} {:>9}", "trending", "posts", "before");
    for t in r.trending.hashtags.iter().chain(&r.trending.terms) {
        println!("{:<30} {:>7} {:>9}", t.term, t.current, t.previous);
    }
    Ok(())
}
