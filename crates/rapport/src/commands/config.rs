use super::{Ctx, print_json};
use crate::cli::ConfigCommand;
use crate::settings::EXAMPLE;
use anyhow::Result;

pub fn run(ctx: &Ctx, cmd: ConfigCommand) -> Result<()> {
    match cmd {
        ConfigCommand::Example => {
            print!("{EXAMPLE}");
            Ok(())
        }
        ConfigCommand::Show => {
            let mut shown = ctx.settings.clone();
            shown.database_url = super::redact_url(&shown.database_url());
            if !shown.secret_key.is_empty() {
                shown.secret_key = "****".into();
            }
            if !shown.smtp.password.is_empty() {
                shown.smtp.password = "****".into();
            }
            if !shown.sso.client_secret.is_empty() {
                shown.sso.client_secret = "****".into();
            }
            if !shown.server.metrics_token.is_empty() {
                shown.server.metrics_token = "****".into();
            }
            print_json(&shown)
        }
    }
}
