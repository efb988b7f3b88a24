//! `rapport search` and `rapport stats`.

use super::{Ctx, print_json};
use crate::cli::SearchArgs;
use crate::output::print_hits;
use anyhow::Result;

pub async fn search(ctx: &Ctx, args: SearchArgs) -> Result<()> {
    let engine = ctx.engine().await?;
    let result = engine.search(&args.query, args.limit).await?;
    if args.json {
        return print_json(&result);
    }
    println!("{} posts match", result.count);
    print_hits(&result.posts);
    Ok(())
}

pub async fn stats(ctx: &Ctx, json: bool) -> Result<()> {
    let engine = ctx.engine().await?;
    let s = engine.stats().await?;
    if json {
        return print_json(&s);
    }
    println!("posts          {}", s.posts);
    println!("conversations  {}", s.conversations);
    println!("contacts       {}", s.contacts);
    println!("identities     {}", s.identities);
    println!("own accounts   {}", s.own_accounts);
    println!("mentions       {}", s.mentions);
    println!("topics         {}", s.topics);
    println!("matches        {}", s.matches);
    println!("cases          {}", s.cases);
    for (status, n) in &s.cases_by_status {
        println!("  {status:<12} {n}");
    }
    println!("case posts     {}", s.case_posts);
    println!("case events    {}", s.case_events);
    println!("leads          {}", s.leads);
    Ok(())
}
