//! `rapport publish`: sends the outbox's replies through every enabled channel, in the
//! foreground, until SIGINT or SIGTERM.

use super::Ctx;
use anyhow::Result;
use rapport_engine::channels::Channels;
use rapport_engine::publish::PublisherSupervisor;
use std::sync::Arc;

pub async fn run(ctx: &Ctx) -> Result<()> {
    let engine = Arc::new(ctx.engine().await?);
    let publisher = publisher(ctx, engine.clone())?;
    let count = engine.store().channels().list_channels().await?.len();
    println!("rapport publishing through {count} channel(s); SIGINT or SIGTERM stops it");
    publisher.run(super::listen::shutdown()).await?;
    println!("stopped");
    Ok(())
}

/// The publisher over the engine's store, with the secret key when there is one (without one,
/// no channel can publish and each says so in the log).
pub fn publisher(ctx: &Ctx, engine: Arc<rapport_engine::Engine>) -> Result<PublisherSupervisor> {
    let key = super::channels::secret_key(ctx, false)?;
    let channels = Arc::new(Channels::new(engine.store().clone(), key));
    Ok(PublisherSupervisor::new(
        engine,
        channels,
        ctx.settings.publish.config(),
    ))
}
