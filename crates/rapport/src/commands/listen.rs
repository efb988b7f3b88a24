//! `rapport listen`: every enabled channel's live source, in the foreground, until SIGINT or
//! SIGTERM.

use super::Ctx;
use anyhow::Result;
use rapport_engine::channels::Channels;
use rapport_engine::listen::Supervisor;
use std::sync::Arc;

pub async fn run(ctx: &Ctx) -> Result<()> {
    let engine = Arc::new(ctx.engine().await?);
    let supervisor = supervisor(ctx, engine.clone()).await?;
    let count = engine.store().channels().list_channels().await?.len();
    println!("rapport listening on {count} channel(s); SIGINT or SIGTERM stops it");
    supervisor.run(shutdown()).await?;
    println!("stopped");
    Ok(())
}

/// The supervisor over the engine's store, with the secret key when there is one (without
/// one, channels are marked failing with a message saying how to set it).
pub async fn supervisor(ctx: &Ctx, engine: Arc<rapport_engine::Engine>) -> Result<Supervisor> {
    let key = super::channels::secret_key(ctx, false)?;
    let channels = Arc::new(Channels::new(engine.store().clone(), key));
    Ok(Supervisor::new(engine, channels))
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
