//! `rapport topics ...`

use super::{Ctx, print_json};
use crate::cli::TopicsCommand;
use crate::output::{one_line, print_hits};
use anyhow::Result;
use rapport_domain::TopicOptions;

pub async fn run(ctx: &Ctx, cmd: TopicsCommand) -> Result<()> {
    let engine = ctx.engine().await?;
    match cmd {
        TopicsCommand::Add {
            name,
            query,
            ignore_accents,
        } => {
            let (topic, matched) = engine
                .add_topic(&name, &query, TopicOptions { ignore_accents })
                .await?;
            println!(
                "added topic '{}' (id {}); {matched} stored posts match it",
                topic.name, topic.id
            );
        }
        TopicsCommand::Edit {
            name,
            query,
            ignore_accents,
        } => {
            let (topic, matched) = engine
                .update_topic(&name, &query, TopicOptions { ignore_accents })
                .await?;
            println!(
                "changed topic '{}'; {matched} stored posts match it now",
                topic.name
            );
        }
        TopicsCommand::Rm { name } => {
            engine.remove_topic(&name).await?;
            println!("removed topic '{name}'");
        }
        TopicsCommand::List(flag) => {
            let topics = engine.topics().await?;
            if flag.json {
                return print_json(&serde_json::json!({"count": topics.len(), "topics": topics}));
            }
            if topics.is_empty() {
                println!("no topics yet: add one with `rapport topics add NAME QUERY`");
            }
            for t in topics {
                println!(
                    "{:<28} {:>7} matches   {}",
                    one_line(&t.topic.name, 28),
                    t.matches,
                    t.topic.query
                );
            }
        }
        TopicsCommand::Test {
            query,
            ignore_accents,
            limit,
            json,
        } => {
            let bt = engine
                .backtest(&query, TopicOptions { ignore_accents }, limit)
                .await?;
            if json {
                return print_json(&bt);
            }
            println!(
                "{} stored posts match ({} candidates read)",
                bt.count, bt.scanned
            );
            if !bt.per_day.is_empty() {
                println!("per day:");
                for (day, n) in &bt.per_day {
                    println!("  {day}  {n}");
                }
            }
            if !bt.posts.is_empty() {
                println!("newest matches:");
                print_hits(&bt.posts);
            }
        }
    }
    Ok(())
}
