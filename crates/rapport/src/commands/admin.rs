//! `rapport admin create --user NAME --role ROLE`: adds a user, the password read from
//! standard input (never echoed on a terminal, never logged, never printed);
//! `rapport admin token create`, `rapport admin link-sso`.

use super::Ctx;
use crate::cli::{AdminCommand, TokenCommand};
use anyhow::{Context, Result, bail};
use rapport_domain::{Permission, Role};
use rapport_engine::accounts::{Accounts, AccountsConfig, AuditActor, TokenLimits};
use std::io::{BufRead, IsTerminal, Write};

pub async fn run(ctx: &Ctx, cmd: AdminCommand) -> Result<()> {
    match cmd {
        AdminCommand::Create {
            user,
            role,
            display_name,
        } => {
            let role: Role = role.parse()?;
            let password = read_password()?;
            let store = ctx.store().await?;
            let accounts = Accounts::new(store, AccountsConfig::default());
            let created = accounts
                .create_user_as(
                    &AuditActor::unknown("command line", None),
                    &user,
                    display_name.as_deref().unwrap_or(""),
                    role,
                    &password,
                )
                .await?;
            println!(
                "created {} '{}' (id {})",
                created.role, created.name, created.id
            );
            Ok(())
        }
        AdminCommand::LinkSso {
            user,
            subject,
            issuer,
        } => {
            let issuer = issuer.unwrap_or_else(|| ctx.settings.sso.issuer.trim().to_string());
            if issuer.is_empty() {
                bail!("no issuer: give --issuer, or set sso.issuer");
            }
            if subject.trim().is_empty() {
                bail!("the subject is empty");
            }
            let store = ctx.store().await?;
            let Some((target, _)) = store.users().user_credentials(&user).await? else {
                bail!("no user named '{user}'");
            };
            let accounts = Accounts::new(store, AccountsConfig::default());
            accounts
                .link_sso(
                    &AuditActor::unknown("command line", None),
                    target.id,
                    &issuer,
                    &subject,
                )
                .await?;
            println!(
                "'{}' now signs in through {issuer} as '{}'",
                target.name,
                subject.trim()
            );
            Ok(())
        }
        AdminCommand::Token(TokenCommand::Create {
            user,
            name,
            expires_days,
            role,
        }) => {
            let role: Option<Role> = role.as_deref().map(str::parse).transpose()?;
            let store = ctx.store().await?;
            let Some((creator, _)) = store.users().user_credentials(&user).await? else {
                bail!("no user named '{user}'");
            };
            let accounts = Accounts::new(store, AccountsConfig::default());
            // Every permission the creator's role allows; each use is checked against the
            // role again, so a demoted creator's tokens lose power with them.
            let scopes: Vec<Permission> = Permission::ALL
                .into_iter()
                .filter(|p| creator.can(*p))
                .collect();
            let limits = TokenLimits {
                expires_at: expires_days
                    .map(|d| chrono::Utc::now() + chrono::Duration::days(i64::from(d))),
                role,
            };
            let actor = AuditActor {
                user: Some(creator.id),
                name: format!("{} (command line)", creator.name),
                address: None,
            };
            let made = accounts
                .create_limited_api_token(&actor, &creator, &name, &scopes, limits)
                .await?;
            let expiry = made
                .token
                .expires_at
                .map_or_else(|| "until revoked".to_string(), |at| format!("until {at}"));
            eprintln!(
                "API token '{}' (id {}) acting as '{}' ({}), {expiry}; it is shown this once and stored hashed:",
                made.token.name,
                made.token.id,
                creator.name,
                made.token.role.unwrap_or(creator.role)
            );
            println!("{}", made.secret);
            Ok(())
        }
    }
}

/// One line from standard input; on a terminal, asked for with echo turned off.
pub(crate) fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    if tty {
        eprint!("password: ");
        std::io::stderr().flush()?;
        set_echo(false);
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if tty {
        set_echo(true);
        eprintln!();
    }
    read.context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password)
}

/// Terminal echo through `stty`, which every Unix has; elsewhere the prompt says nothing more.
fn set_echo(on: bool) {
    let _ = std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status();
}
