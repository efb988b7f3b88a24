//! The supervisor: runs every enabled channel's live source and feeds what it reads through
//! the same pipeline as imports (classify, match, store, route into cases).
//!
//! Per batch, in this order (the ledger rule): the posts are ingested (deduplication makes
//! re-read posts harmless), deletes mark their posts, gaps are recorded, and only then is the
//! batch's checkpoint saved. A crash anywhere before the save re-reads the batch on restart;
//! nothing after it is lost.
//!
//! A source retries transient failures itself; what reaches the supervisor is either fatal
//! (bad credentials or configuration: the channel is marked failing with the error and left
//! stopped, since retrying cannot help) or a failure of our own side (the store): then the
//! source is dropped and started again from the stored checkpoint after an exponential
//! backoff with jitter. Channels added while running are picked up within `rescan`.

mod health;

pub use health::{ChannelHealth, HealthBoard};

use crate::channels::Channels;
use crate::{Engine, Result};
use chrono::Utc;
use rapport_connectors::live::{Backoff, Source, SourceBatch, SourceStats};
use rapport_store::channels::{Channel, ChannelGap, ChannelState};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Runs the channels' sources until told to stop.
pub struct Supervisor {
    engine: Arc<Engine>,
    channels: Arc<Channels>,
    health: Arc<HealthBoard>,
    /// How often the store is looked at for channels added since.
    pub rescan: Duration,
    /// The backoff between restarts of a source whose batch could not be stored.
    pub backoff: Backoff,
}

impl Supervisor {
    pub fn new(engine: Arc<Engine>, channels: Arc<Channels>) -> Supervisor {
        Supervisor {
            engine,
            channels,
            health: Arc::new(HealthBoard::default()),
            rescan: Duration::from_secs(10),
            backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(60)),
        }
    }

    /// The board the running channels report to (a health panel, `/metrics`).
    pub fn health(&self) -> Arc<HealthBoard> {
        self.health.clone()
    }

    /// Runs until `shutdown` resolves; every source is stopped before it returns.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) -> Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut started: HashSet<String> = HashSet::new();
        tokio::pin!(shutdown);
        loop {
            for channel in self.engine.store().channels().list_channels().await? {
                if channel.enabled && started.insert(channel.name.clone()) {
                    tracing::info!(channel = %channel.name, network = %channel.network, "starting source");
                    let runner = Runner {
                        engine: self.engine.clone(),
                        channels: self.channels.clone(),
                        health: self.health.clone(),
                        backoff: self.backoff.clone(),
                        stop: stop_rx.clone(),
                    };
                    tasks.spawn(runner.run(channel));
                }
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(self.rescan) => {}
            }
        }
        let _ = stop_tx.send(true);
        while tasks.join_next().await.is_some() {}
        Ok(())
    }
}

/// One channel's task.
struct Runner {
    engine: Arc<Engine>,
    channels: Arc<Channels>,
    health: Arc<HealthBoard>,
    backoff: Backoff,
    stop: watch::Receiver<bool>,
}

/// Why a source's run ended.
enum End {
    Stopped,
    /// Retrying cannot help.
    Fatal(String),
    /// Our side failed; start again from the stored checkpoint.
    Retry(String),
}

impl Runner {
    async fn run(mut self, mut channel: Channel) {
        loop {
            let end = match self.channels.source(&channel) {
                Ok(source) => self.follow(&channel, source).await,
                Err(e) => End::Fatal(e.to_string()),
            };
            match end {
                End::Stopped => return,
                End::Fatal(error) => {
                    tracing::error!(channel = %channel.name, %error, "source stopped; fix the channel and restart");
                    self.set_state(&channel, ChannelState::Failing, Some(&error))
                        .await;
                    return;
                }
                End::Retry(error) => {
                    self.set_state(&channel, ChannelState::Reconnecting, Some(&error))
                        .await;
                    self.health
                        .update(&channel.name, channel.network, |h| h.reconnects_today += 1);
                    let wait = self.backoff.next_delay();
                    tracing::warn!(channel = %channel.name, %error, wait_ms = wait.as_millis() as u64, "restarting source");
                    tokio::select! {
                        _ = self.stop.changed() => return,
                        _ = tokio::time::sleep(wait) => {}
                    }
                    // The checkpoint to resume from is the stored one.
                    match self.engine.store().channels().channel(&channel.name).await {
                        Ok(Some(fresh)) => channel = fresh,
                        Ok(None) => {
                            self.health.remove(&channel.name);
                            return;
                        }
                        Err(e) => {
                            tracing::warn!(channel = %channel.name, error = %e, "cannot reread the channel")
                        }
                    }
                }
            }
        }
    }

    async fn follow(&mut self, channel: &Channel, mut source: Box<dyn Source>) -> End {
        let stats = source.stats();
        let mut seen = (0, 0);
        let mut stop = self.stop.clone();
        // The state follows the source's counters even while no batch comes.
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            let batch = {
                let next = source.next_batch();
                tokio::pin!(next);
                loop {
                    tokio::select! {
                        _ = stop.changed() => return End::Stopped,
                        _ = tick.tick() => self.watch_stats(channel, &stats, &mut seen).await,
                        batch = &mut next => break batch,
                    }
                }
            };
            self.watch_stats(channel, &stats, &mut seen).await;
            let batch = match batch {
                // Transient failures are retried inside the source: an error is fatal.
                Ok(batch) => batch,
                Err(e) => return End::Fatal(e.to_string()),
            };
            if let Err(e) = self.store_batch(channel, batch).await {
                return End::Retry(e.to_string());
            }
            self.backoff.reset();
        }
    }

    /// Stores a batch, then (only then) saves its checkpoint.
    async fn store_batch(&self, channel: &Channel, batch: SourceBatch) -> Result<()> {
        let store = self.engine.store();
        let posts = batch.posts.len() as u64;
        if posts > 0 {
            let summary = self.engine.ingest_posts(batch.posts).await?;
            tracing::info!(
                channel = %channel.name,
                read = posts,
                new = summary.imported,
                mentions = summary.mentions,
                ms = (summary.seconds * 1000.0) as u64,
                "stored live posts"
            );
        }
        if !batch.deletes.is_empty() {
            store
                .channels()
                .mark_deleted(&batch.deletes, Utc::now())
                .await?;
        }
        for gap in &batch.gaps {
            tracing::warn!(channel = %channel.name, from = %gap.from, to = %gap.to, reason = %gap.reason, "gap");
            store
                .channels()
                .record_gap(&ChannelGap {
                    channel: channel.id,
                    from: gap.from,
                    to: gap.to,
                    reason: gap.reason.clone(),
                    recorded_at: Utc::now(),
                })
                .await?;
        }
        let cursor = batch.checkpoint.to_json();
        let now = Utc::now();
        store
            .channels()
            .save_checkpoint(channel.id, &cursor, now)
            .await?;
        self.health.stored(&channel.name, channel.network, posts);
        self.health.update(&channel.name, channel.network, |h| {
            h.cursor = Some(cursor);
            h.cursor_at = Some(now);
        });
        Ok(())
    }

    /// Connected once the source says it connected; reconnecting while its reconnects
    /// outnumber what was seen.
    async fn watch_stats(&self, channel: &Channel, stats: &SourceStats, seen: &mut (u64, u64)) {
        let connects = SourceStats::get(&stats.connects);
        let reconnects = SourceStats::get(&stats.reconnects);
        let new_reconnects = reconnects.saturating_sub(seen.1);
        if new_reconnects > 0 {
            self.health.update(&channel.name, channel.network, |h| {
                h.reconnects_today += new_reconnects
            });
        }
        if connects > seen.0 {
            self.set_state(channel, ChannelState::Connected, None).await;
        } else if new_reconnects > 0 {
            let error = stats.last_error();
            self.set_state(channel, ChannelState::Reconnecting, error.as_deref())
                .await;
        }
        *seen = (connects, reconnects);
    }

    async fn set_state(&self, channel: &Channel, state: ChannelState, error: Option<&str>) {
        let now = Utc::now();
        self.health.update(&channel.name, channel.network, |h| {
            h.state = state;
            if let Some(e) = error {
                h.last_error = Some(e.to_string());
                h.last_error_at = Some(now);
            }
        });
        let saved = self
            .engine
            .store()
            .channels()
            .set_channel_state(channel.id, state, error.map(|e| (e, now)))
            .await;
        if let Err(e) = saved {
            tracing::warn!(channel = %channel.name, error = %e, "cannot save the channel's state");
        }
    }
}
