//! `rapport channels add|list|rm`: the network accounts Rapport listens through. Credentials
//! come on standard input (never on the command line, where `ps` and shell history see them),
//! are encrypted before they are stored, and are never printed.

use super::{Ctx, print_json};
use crate::cli::{AddChannel, ChannelsCommand};
use anyhow::{Context, Result, bail};
use rapport_connectors::live::MastodonTransport;
use rapport_engine::channels::{Channels, ConnectRequest, SecretKey};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

pub async fn run(ctx: &Ctx, cmd: ChannelsCommand) -> Result<()> {
    match cmd {
        ChannelsCommand::Add(add) => {
            let (name, request, what) = request_of(add)?;
            let key = secret_key(ctx, true)?;
            let store = ctx.store().await?;
            let channels = Channels::new(store, key);
            let (channel, spec) = channels.connect(&name, request, &what.0).await?;
            println!(
                "added {} channel '{}'; its {} is stored encrypted",
                channel.network, channel.name, what.1
            );
            if let Some(account) = spec.own_account() {
                println!("{}:{account} is now an own account", channel.network);
            }
            println!("run `rapport listen` (or `rapport serve`) to start listening");
            Ok(())
        }
        ChannelsCommand::Rm { name } => {
            let channels = Channels::new(ctx.store().await?, None);
            if !channels.remove(&name).await? {
                bail!("no channel named '{name}'");
            }
            println!("removed channel '{name}' and its stored credential");
            Ok(())
        }
        ChannelsCommand::Test { name, listen } => {
            let channels = Channels::new(ctx.store().await?, secret_key(ctx, false)?);
            let report = channels
                .test(&name, std::time::Duration::from_secs(listen))
                .await
                .with_context(|| format!("channel '{name}' cannot listen"))?;
            for line in report {
                println!("{line}");
            }
            Ok(())
        }
        ChannelsCommand::List(flag) => {
            let channels = Channels::new(ctx.store().await?, None).list().await?;
            if flag.json {
                return print_json(&serde_json::json!({
                    "count": channels.len(),
                    "channels": channels,
                }));
            }
            if channels.is_empty() {
                println!("no channels: add one with `rapport channels add mastodon|bluesky|x`");
            }
            for c in channels {
                let cursor = c.cursor_at.map_or("none".into(), |at| at.to_rfc3339());
                println!(
                    "{}\t{}\t{}{}\tcursor saved {cursor}\t{}",
                    c.name,
                    c.network,
                    c.state,
                    if c.enabled { "" } else { " (disabled)" },
                    c.last_error.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
    }
}

/// A credential and what to call it.
struct Credential(String, &'static str);

fn request_of(add: AddChannel) -> Result<(String, ConnectRequest, Credential)> {
    Ok(match add {
        AddChannel::Mastodon {
            name,
            instance,
            streaming,
        } => {
            let token = read_secret("access token")?;
            let transport = match streaming {
                crate::cli::Streaming::Sse => MastodonTransport::Sse,
                crate::cli::Streaming::Websocket => MastodonTransport::WebSocket,
            };
            let request = ConnectRequest::Mastodon {
                instance,
                transport,
            };
            (name, request, Credential(token, "access token"))
        }
        AddChannel::Bluesky {
            name,
            pds,
            handle,
            firehose,
            plc,
            compress,
        } => {
            let password = read_secret("app password")?;
            let request = ConnectRequest::Bluesky {
                pds,
                handle,
                firehose,
                plc: Some(plc),
                compress,
            };
            (name, request, Credential(password, "app password"))
        }
        AddChannel::X {
            name,
            api,
            account,
            monthly_read_budget,
            enterprise,
        } => {
            let bearer = read_secret("bearer token")?;
            // A second line, when there is one, is the user token replies are posted with.
            let token = match read_optional_line()? {
                Some(user_token) => format!("{bearer}\n{user_token}"),
                None => bearer,
            };
            let request = ConnectRequest::X {
                api,
                account,
                monthly_read_budget,
                enterprise,
            };
            (name, request, Credential(token, "bearer token"))
        }
    })
}

/// The next line of standard input, `None` at its end or on an empty line.
fn read_optional_line() -> Result<Option<String>> {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read standard input")?;
    let line = line.trim().to_string();
    Ok((!line.is_empty()).then_some(line))
}

fn read_secret(what: &str) -> Result<String> {
    super::admin::read_password().with_context(|| format!("the {what} is read from standard input"))
}

/// The key credentials are sealed with: the `secret_key` setting, else `<data_dir>/secret.key`,
/// made (mode 0600) when `create` and there is none yet.
pub fn secret_key(ctx: &Ctx, create: bool) -> Result<Option<SecretKey>> {
    if !ctx.settings.secret_key.trim().is_empty() {
        return SecretKey::from_hex(&ctx.settings.secret_key)
            .map(Some)
            .context("the secret_key setting (RAPPORT_SECRET_KEY)");
    }
    let path = ctx.settings.data_dir.join("secret.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        return SecretKey::from_hex(&text)
            .map(Some)
            .with_context(|| format!("the key in {}", path.display()));
    }
    if !create {
        return Ok(None);
    }
    let how = "or set the secret_key setting (RAPPORT_SECRET_KEY, 64 hex characters from \
               `openssl rand -hex 32`)";
    super::private_dir(&ctx.settings.data_dir).with_context(|| format!("no secret key: {how}"))?;
    let key = SecretKey::generate();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot create {}: {how}", path.display()))?;
    writeln!(file, "{}", key.to_hex())?;
    eprintln!(
        "created a new secret key in {} (readable by you only): channel credentials and two-factor secrets are \
         encrypted with it; back it up, since without it they cannot be read",
        path.display()
    );
    Ok(Some(key))
}
