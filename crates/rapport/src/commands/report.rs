//! `rapport report ...`: the reports, as a table or as JSON.

use super::{Ctx, print_json};
use crate::cli::ReportCommand;
use anyhow::Result;
use rapport_domain::care::AccountResponse;
use serde::Serialize;

pub async fn run(ctx: &Ctx, cmd: ReportCommand) -> Result<()> {
    match cmd {
        ReportCommand::Care(flag) => care(ctx, flag.json).await,
        ReportCommand::Listening(args) => super::report_listening::run(ctx, args).await,
    }
}

/// One own account's line of the care report, as printed (the wire shape is the CLI's own).
#[derive(Serialize)]
struct AccountLine {
    network: String,
    account: String,
    inbound: u64,
    answered: u64,
    /// `answered / inbound`; null when nobody addressed the account.
    response_rate: Option<f64>,
    /// Null when nothing was answered.
    median_reply_seconds: Option<f64>,
}

impl From<&AccountResponse> for AccountLine {
    fn from(a: &AccountResponse) -> Self {
        AccountLine {
            network: a.network.to_string(),
            account: a.handle.clone(),
            inbound: a.inbound,
            answered: a.answered,
            response_rate: a.response_rate(),
            median_reply_seconds: a.median_reply_seconds(),
        }
    }
}

async fn care(ctx: &Ctx, json: bool) -> Result<()> {
    let engine = ctx.engine().await?;
    let accounts: Vec<AccountLine> = engine
        .account_responses()
        .await?
        .iter()
        .map(AccountLine::from)
        .collect();
    if json {
        return print_json(&serde_json::json!({ "accounts": accounts }));
    }
    println!(
        "{:<10} {:<24} {:>8} {:>8} {:>9} {:>14}",
        "network", "account", "inbound", "answered", "response", "median reply"
    );
    for a in &accounts {
        let rate = a
            .response_rate
            .map_or("-".into(), |r| format!("{:.1}%", r * 100.0));
        let median = a
            .median_reply_seconds
            .map_or("-".into(), |s| format!("{s:.0}s"));
        println!(
            "{:<10} {:<24} {:>8} {:>8} {:>9} {:>14}",
            a.network, a.account, a.inbound, a.answered, rate, median
        );
    }
    Ok(())
}
