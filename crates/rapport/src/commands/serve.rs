//! `rapport serve`: the HTTP server, with the channels' live sources and the publisher beside
//! it unless told otherwise.

use super::Ctx;
use crate::cli::ServeArgs;
use anyhow::{Context, Result};
use std::sync::Arc;
use std::time::Duration;

pub async fn run(ctx: &Ctx, args: ServeArgs) -> Result<()> {
    let server = &ctx.settings.server;
    // Searches from the web stop at the deadline; the CLI's run to the end.
    let deadline = Duration::from_secs(server.query_deadline_secs.max(1));
    let engine = Arc::new(ctx.engine_with_deadline(Some(deadline)).await?);
    let addr = args
        .addr
        .unwrap_or_else(|| ctx.settings.server.addr.clone());
    // The secret key seals channel credentials and two-factor secrets; made now if missing,
    // since anyone may turn two-factor sign-in on.
    let key = super::channels::secret_key(ctx, true)?;
    let mut accounts = rapport_engine::accounts::Accounts::new(
        engine.store().clone(),
        rapport_engine::accounts::AccountsConfig::default(),
    );
    if let Some(key) = &key {
        accounts = accounts.with_secret_key(key.clone());
    }
    if let Some(sso) = ctx.settings.sso.config(&addr)? {
        let sso = rapport_engine::accounts::SingleSignOn::new(sso).context("[sso]")?;
        let label = sso.label().to_string();
        accounts = accounts.with_sso(sso);
        println!("single sign-on: on, through {label}");
    }
    let accounts = Arc::new(accounts);
    let sealed = accounts.seal_two_factor_secrets().await?;
    if sealed > 0 {
        println!("sealed {sealed} two-factor secret(s) kept in the clear under the secret key");
    }
    if accounts.needs_setup().await? {
        println!(
            "no users yet: open the server to create the first admin, or run `rapport admin create`"
        );
    }
    let metrics_token = server.metrics_token.trim();
    let config = rapport_web::WebConfig {
        max_body_bytes: server.max_body_bytes,
        secure_cookies: server.secure_cookies,
        trusted_proxies: server.trusted_proxy_nets()?,
        connections: rapport_web::ConnectionLimits {
            header_read_timeout: Duration::from_secs(server.header_read_timeout_secs.max(1)),
            request_timeout: Duration::from_secs(server.request_timeout_secs.max(1)),
            max_connections: server.max_connections.max(1),
        },
        heavy_per_user: server.searches_per_user.max(1),
        metrics: rapport_web::MetricsAccess {
            allow: server.metrics_allow_nets()?,
            token: (!metrics_token.is_empty()).then(|| metrics_token.to_string()),
        },
        ..Default::default()
    };
    let supervisor = if args.no_sources {
        None
    } else {
        Some(super::listen::supervisor(ctx, engine.clone()).await?)
    };
    // Cases turn at risk and breached with time alone: the sweep keeps their stored state true.
    let (stop_sweeps, sweeps_stopped) = tokio::sync::oneshot::channel::<()>();
    let sweeper = rapport_engine::care::SlaSweeper::new(
        engine.care(),
        rapport_engine::care::SlaSweeper::EVERY,
    );
    let sweeps = tokio::spawn(sweeper.run(async {
        let _ = sweeps_stopped.await;
    }));
    // The notification digests go out beside the sweep, when a mail server is set.
    let (stop_digests, digests_stopped) = tokio::sync::oneshot::channel::<()>();
    let digests = match ctx.settings.smtp.config()? {
        Some(smtp) => {
            let mailer = rapport_connectors::mail::SmtpMailer::new(&smtp)?;
            let digester = rapport_engine::notify::Digester::new(
                engine.store().clone(),
                Arc::new(mailer),
                &ctx.settings.smtp.app_url,
            );
            let scheduler = rapport_engine::notify::DigestScheduler::new(
                digester,
                rapport_engine::notify::DigestScheduler::EVERY,
            );
            Some(tokio::spawn(scheduler.run(async {
                let _ = digests_stopped.await;
            })))
        }
        None => None,
    };
    let admin = Arc::new(rapport_engine::channels::Channels::new(
        engine.store().clone(),
        key,
    ));
    let publisher = if args.no_publish {
        None
    } else {
        Some(super::publish::publisher(ctx, engine.clone())?)
    };
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
    // The live sources and the publisher run beside the server and stop with it.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let sources =
        supervisor.map(|supervisor| tokio::spawn(supervisor.run(stopped(stop_rx.clone()))));
    let publishing = publisher.map(|publisher| tokio::spawn(publisher.run(stopped(stop_rx))));
    rapport_web::run(listener, state, super::listen::shutdown()).await?;
    let _ = stop_tx.send(true);
    let _ = stop_sweeps.send(());
    sweeps.await?;
    let _ = stop_digests.send(());
    if let Some(digests) = digests {
        digests.await?;
    }
    if let Some(sources) = sources {
        sources.await??;
    }
    if let Some(publishing) = publishing {
        publishing.await??;
    }
    Ok(())
}
