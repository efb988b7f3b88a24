//! `rapport serve`: the HTTP server.

use super::Ctx;
use crate::cli::ServeArgs;
use anyhow::{Context, Result};
use std::sync::Arc;

pub async fn run(ctx: &Ctx, args: ServeArgs) -> Result<()> {
    let engine = Arc::new(ctx.engine().await?);
    let addr = args
        .addr
        .unwrap_or_else(|| ctx.settings.server.addr.clone());
    let accounts = Arc::new(rapport_engine::accounts::Accounts::new(
        engine.store().clone(),
        rapport_engine::accounts::AccountsConfig::default(),
    ));
    if accounts.needs_setup().await? {
        println!(
            "no users yet: open the server to create the first admin, or run `rapport admin create`"
        );
    }
    let config = rapport_web::WebConfig {
        max_body_bytes: ctx.settings.server.max_body_bytes,
        secure_cookies: ctx.settings.server.secure_cookies,
        trusted_proxies: ctx.settings.server.trusted_proxy_nets()?,
        ..Default::default()
    };
    let supervisor = if args.no_sources {
        None
    } else {
        Some(super::listen::supervisor(ctx, engine.clone()).await?)
    };
    let key = super::channels::secret_key(ctx, false)?;
    let admin = Arc::new(rapport_engine::channels::Channels::new(
        engine.store().clone(),
        key,
    ));
    let mut state = rapport_web::AppState::new(engine, accounts, config).with_channel_admin(admin);
    if let Some(supervisor) = &supervisor {
        state = state.with_channels(supervisor.health());
    }
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    println!("rapport listening on http://{}", listener.local_addr()?);
    println!(
        "  the UI at /, GET /healthz, GET /metrics, /api/v1/... (Authorization: Bearer <API token>)"
    );
    // The live sources run beside the server and stop with it.
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let sources = supervisor.map(|supervisor| {
        tokio::spawn(supervisor.run(async {
            let _ = stop_rx.await;
        }))
    });
    rapport_web::run(listener, state, super::listen::shutdown()).await?;
    let _ = stop_tx.send(());
    if let Some(sources) = sources {
        sources.await??;
    }
    Ok(())
}
