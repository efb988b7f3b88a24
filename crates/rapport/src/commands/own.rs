//! `rapport own ...`: the company's own accounts.

use super::{Ctx, print_json};
use crate::cli::OwnCommand;
use anyhow::{Result, anyhow};
use rapport_domain::Network;

pub async fn run(ctx: &Ctx, cmd: OwnCommand) -> Result<()> {
    let store = ctx.store().await?;
    let parse = |n: &str| n.parse::<Network>().map_err(|e| anyhow!("{e}"));
    match cmd {
        OwnCommand::Add { network, handle } => {
            let handle = handle.trim_start_matches('@');
            store
                .contacts()
                .set_own_account(parse(&network)?, handle, true)
                .await?;
            println!("{network}:{handle} is now an own account; posts mentioning it are marked");
        }
        OwnCommand::Rm { network, handle } => {
            let handle = handle.trim_start_matches('@');
            store
                .contacts()
                .set_own_account(parse(&network)?, handle, false)
                .await?;
            println!("{network}:{handle} is no longer an own account");
        }
        OwnCommand::List(flag) => {
            let accounts = store.contacts().own_accounts().await?;
            if flag.json {
                let list: Vec<_> = accounts
                    .iter()
                    .map(|i| serde_json::json!({"network": i.network, "handle": i.handle}))
                    .collect();
                return print_json(&serde_json::json!({"count": list.len(), "accounts": list}));
            }
            for i in accounts {
                println!("{}:{}", i.network, i.handle);
            }
        }
    }
    Ok(())
}
