//! `rapport demo`: a workspace to explore at once.

use super::Ctx;
use super::import::import_file;
use crate::cli::DemoArgs;
use anyhow::{Result, anyhow};
use rapport_connectors::Format;
use rapport_domain::TopicOptions;
use rapport_engine::{Engine, EngineError, demo};

pub async fn run(ctx: &Ctx, args: DemoArgs) -> Result<()> {
    let engine = ctx.engine().await?;
    let topics = match (&args.from, &args.format) {
        (Some(file), Some(format)) => {
            let format: Format = format.parse().map_err(|e| anyhow!("{e}"))?;
            let rejects = ctx
                .settings
                .data_dir
                .join("rejects")
                .join("demo-import.ndjson");
            let (summary, _) = import_file(&engine, format, file, &rejects, true).await?;
            println!(
                "imported {} posts from {} ({} already present, {} rejected)",
                summary.imported,
                file.display(),
                summary.already_present,
                summary.rejected
            );
            if format == Format::Twcs {
                demo::twcs_topics()
            } else {
                demo::topics()
            }
        }
        _ => {
            for (network, handle) in demo::own_accounts() {
                engine
                    .store()
                    .set_own_account(network, &handle, true)
                    .await?;
            }
            let spec = demo::DemoSpec {
                seed: args.seed,
                threads: args.threads,
                ..demo::DemoSpec::default()
            };
            let summary = engine.ingest_posts(demo::generate(&spec)).await?;
            println!(
                "wrote {} demo posts ({} already present) for three invented brands: Northwind Air, Lumen Mobile, Brightcart",
                summary.imported, summary.already_present
            );
            println!(
                "demo data is marked: ids start with `demo-`, authors live on rapport-demo hosts"
            );
            demo::topics()
        }
    };
    add_topics(&engine, topics).await?;
    print_next_steps(ctx);
    Ok(())
}

/// Adds the demo topics that are not there yet, so running the demo twice is harmless.
async fn add_topics(engine: &Engine, topics: Vec<(String, String, TopicOptions)>) -> Result<()> {
    for (name, query, options) in topics {
        match engine.add_topic(&name, &query, options).await {
            Ok((_, matched)) => println!("topic {name:<26} {matched:>5} posts   {query}"),
            Err(EngineError::TopicExists(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn print_next_steps(ctx: &Ctx) {
    let dir = ctx.settings.data_dir.display();
    println!();
    println!("The workspace is in {dir}. Try next:");
    println!("  rapport stats");
    println!("  rapport topics list");
    println!("  rapport topics test 'refund* OR \"charged twice\"'");
    println!("  rapport search '(broken OR outage) -thank*' --limit 5");
    println!("  rapport search 'is:reply from:NorthwindHelp'");
    println!("  rapport topics add Wifi 'wifi NEAR/3 (router OR drop*)'");
    println!("  rapport serve      # JSON API on http://127.0.0.1:7070/api/v1");
}
