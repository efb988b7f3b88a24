//! `rapport demo`: a workspace to explore at once, served in the browser.
//!
//! Order matters: the users come first (the team needs its agents), then the topics and the
//! care desk (so routing knows which topic goes to which queue while the posts arrive), then
//! the posts (the seeded stream, or a real export with `--from`), then the agents work the
//! cases routing opened. Unless `--no-serve`, the UI is then served exactly as `rapport serve`
//! serves it, until Ctrl-C.

use super::Ctx;
use super::import::import_file;
use crate::cli::{DemoArgs, ServeArgs};
use anyhow::{Context, Result, anyhow};
use chrono::Utc;
use rapport_connectors::Format;
use rapport_domain::TopicOptions;
use rapport_engine::accounts::{Accounts, AccountsConfig};
use rapport_engine::channels::{Channels, ConnectRequest};
use rapport_engine::demo::care::{Census, WorkSummary};
use rapport_engine::demo::people::DemoUsers;
use rapport_engine::{Engine, EngineError, demo};

pub async fn run(ctx: &Ctx, args: DemoArgs) -> Result<()> {
    let now = Utc::now();
    let source = match (&args.from, &args.format) {
        (Some(file), Some(format)) => {
            let format: Format = format.parse().map_err(|e| anyhow!("{e}"))?;
            Some((file.clone(), format))
        }
        _ => None,
    };
    let engine = ctx.engine().await?;
    let accounts = Accounts::new(engine.store().clone(), AccountsConfig::default());
    let users = demo::people::ensure_users(&accounts).await?;
    let topics = match &source {
        Some((_, Format::Twcs)) => demo::twcs_topics(),
        _ => demo::topics(),
    };
    add_topics(&engine, topics).await?;
    demo::care::setup(&engine, &users).await?;
    match &source {
        Some((file, format)) => {
            let rejects = ctx
                .settings
                .data_dir
                .join("rejects")
                .join("demo-import.ndjson");
            let (summary, _) = import_file(&engine, *format, file, &rejects, true).await?;
            println!(
                "imported {} posts from {} ({} already present, {} rejected)",
                summary.imported,
                file.display(),
                summary.already_present,
                summary.rejected
            );
        }
        None => {
            for (network, handle) in demo::own_accounts() {
                engine
                    .store()
                    .contacts()
                    .set_own_account(network, &handle, true)
                    .await?;
            }
            let spec = demo::DemoSpec {
                seed: args.seed,
                threads: args.threads,
                end: now,
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
        }
    }
    if let Some(file) = &args.live_pds {
        live_pds(ctx, &engine, file).await?;
    }
    let work = demo::care::work_cases(&engine, &users, now, args.seed).await?;
    let census = demo::care::census(&engine.care()).await?;
    print_topics(&engine).await?;
    print_care(&work, &census);
    let addr = args
        .addr
        .clone()
        .unwrap_or_else(|| ctx.settings.server.addr.clone());
    print_users(&users);
    let own_reply_query = match &source {
        Some(_) => "is:reply from:AppleSupport",
        None => "is:reply from:NorthwindHelp",
    };
    print_next_steps(ctx, &addr, !args.no_serve, own_reply_query);
    if args.no_serve {
        return Ok(());
    }
    drop(engine);
    super::serve::run(
        ctx,
        ServeArgs {
            addr: Some(addr),
            no_sources: false,
            // The demo's replies are invented: they must never reach a network, even when a
            // real channel is added to the demo workspace.
            no_publish: true,
        },
    )
    .await
}

/// Connects the first account of a local PDS (the line `scripts/atproto-pds start` printed)
/// as the channel `demo-bluesky`, read through the PDS's own firehose; once there, it stays.
async fn live_pds(ctx: &Ctx, engine: &Engine, file: &std::path::Path) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct Account {
        handle: String,
        app_password: String,
    }
    #[derive(serde::Deserialize)]
    struct Pds {
        pds: String,
        plc: String,
        accounts: std::collections::BTreeMap<String, Account>,
    }
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let line = text.lines().next().unwrap_or_default();
    let pds: Pds = serde_json::from_str(line).with_context(|| {
        format!(
            "{} does not hold the line `scripts/atproto-pds start` prints",
            file.display()
        )
    })?;
    let key = super::channels::secret_key(ctx, true)?;
    let channels = Channels::new(engine.store().clone(), key);
    if channels
        .list()
        .await?
        .iter()
        .any(|c| c.name == LIVE_CHANNEL)
    {
        println!(
            "live: the channel '{LIVE_CHANNEL}' exists; `rapport channels rm {LIVE_CHANNEL}` to connect another PDS"
        );
        return Ok(());
    }
    // The brand is the account named first on the script's command line: `brand` by convention.
    let brand = pds
        .accounts
        .get("brand")
        .or_else(|| pds.accounts.values().next())
        .ok_or_else(|| anyhow!("the PDS has no accounts: start it with --account brand"))?;
    let firehose = format!(
        "{}/xrpc/com.atproto.sync.subscribeRepos",
        pds.pds.replacen("http", "ws", 1)
    );
    let request = ConnectRequest::Bluesky {
        pds: pds.pds.clone(),
        handle: brand.handle.clone(),
        firehose: Some(firehose.clone()),
        plc: Some(pds.plc),
        compress: false,
    };
    channels
        .connect(LIVE_CHANNEL, request, &brand.app_password)
        .await?;
    println!(
        "live: @{} on the local PDS is the channel '{LIVE_CHANNEL}', read from {firehose}; posts mentioning it open cases as they are written",
        brand.handle
    );
    Ok(())
}

const LIVE_CHANNEL: &str = "demo-bluesky";

/// Adds the demo topics that are not there yet, so running the demo twice is harmless.
async fn add_topics(engine: &Engine, topics: Vec<(String, String, TopicOptions)>) -> Result<()> {
    for (name, query, options) in topics {
        match engine.add_topic(&name, &query, options).await {
            Ok(_) | Err(EngineError::TopicExists(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

async fn print_topics(engine: &Engine) -> Result<()> {
    for info in engine.topics().await? {
        println!(
            "topic {:<26} {:>5} posts   {}",
            info.topic.name, info.matches, info.topic.query
        );
    }
    Ok(())
}

fn print_care(work: &WorkSummary, census: &Census) {
    let n = |s: &str| census.by_status.get(s).copied().unwrap_or(0);
    let total: u64 = census.by_status.values().sum();
    println!();
    println!(
        "care: team '{}' (the two agents, round-robin), SLA policy '{}' (business hours), {} saved replies",
        demo::care::TEAM,
        demo::care::POLICY,
        demo::care::SAVED_REPLIES.len()
    );
    println!(
        "cases: {total} in all: {} new, {} open, {} pending, {} resolved, {} closed; {} at risk, {} breached",
        n("new"),
        n("open"),
        n("pending"),
        n("resolved"),
        n("closed"),
        census.at_risk,
        census.breached
    );
    if work.worked > 0 {
        println!(
            "worked {} cases: {} reopened, {} internal notes, {} replies queued in the outbox",
            work.worked, work.reopened, work.notes, work.queued_replies
        );
    } else {
        println!("no new cases to work: an earlier run worked them");
    }
}

fn print_users(users: &DemoUsers) {
    println!();
    println!(
        "Log in as (passwords are shown only now; running `rapport demo` again sets new ones):"
    );
    for u in &users.all {
        let how = if u.created {
            ""
        } else {
            "   (existed: new password)"
        };
        println!(
            "  {:<8} {:<13} {}{how}",
            u.user.role.as_str(),
            u.user.name,
            u.password
        );
    }
}

fn print_next_steps(ctx: &Ctx, addr: &str, serving: bool, own_reply_query: &str) {
    let dir = ctx.settings.data_dir.display();
    println!();
    println!("The workspace is in {dir}. Try next:");
    if serving {
        println!("  open http://{addr}/login (the address is below if the port was 0)");
    } else {
        println!("  rapport serve, then open http://{addr}/login");
    }
    println!(
        "  log in as demo-agent1; the inbox (/inbox): j/k move, Enter opens a case, ? lists every key"
    );
    println!("  on a case: add a note, pick a saved reply, reply (queued in the outbox), resolve");
    println!("  as demo-admin: /settings; as demo-analyst: /topics");
    println!("  rapport topics test 'refund* OR \"charged twice\"'");
    println!("  rapport search '(broken OR outage) -thank*' --limit 5");
    println!("  rapport search '{own_reply_query}'");
    println!("  rapport stats");
    if serving {
        println!();
        println!("Serving the UI; Ctrl-C stops it.");
    }
}
