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
//! backoff with jitter. Channels added while running are picked up within `rescan`, and the
//! sources of channels removed or disabled meanwhile are stopped.
//!
//! A channel with a monthly read budget (X bills per post read) counts its source's reads in
//! the store per month; its source is built to stop at what is left, and when the month's
//! reads reach the budget the channel is paused until the next month (UTC), with the rest of
//! the month recorded as a gap.

mod budget;
mod health;

pub use health::{ChannelHealth, HealthBoard};

use crate::channels::Channels;
use crate::{Engine, Result};
use chrono::Utc;
use rapport_connectors::live::{Backoff, Source, SourceBatch, SourceStats};
use rapport_domain::channel::{Channel, ChannelGap, ChannelId, ChannelState};
use std::collections::HashMap;
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
        let mut tasks = JoinSet::new();
        // Each running channel's id and the switch that stops it.
        let mut running: HashMap<String, (ChannelId, watch::Sender<bool>)> = HashMap::new();
        tokio::pin!(shutdown);
        loop {
            let channels = self.engine.store().channels().list_channels().await?;
            // A channel removed, disabled, or removed and added again under its name stops.
            running.retain(|name, (id, stop)| {
                let keep = channels
                    .iter()
                    .any(|c| &c.name == name && c.id == *id && c.enabled);
                if !keep {
                    tracing::info!(channel = %name, "channel removed or disabled; stopping its source");
                    let _ = stop.send(true);
                }
                keep
            });
            for channel in channels {
                if channel.enabled && !running.contains_key(&channel.name) {
                    tracing::info!(channel = %channel.name, network = %channel.network, "starting source");
                    let (stop_tx, stop_rx) = watch::channel(false);
                    running.insert(channel.name.clone(), (channel.id, stop_tx));
                    let runner = Runner {
                        engine: self.engine.clone(),
                        channels: self.channels.clone(),
                        health: self.health.clone(),
                        backoff: self.backoff.clone(),
                        stop: stop_rx,
                    };
                    tasks.spawn(runner.run(channel));
                }
            }
            // Reap finished runners (stopped or failing) so the set does not grow.
            while tasks.try_join_next().is_some() {}
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(self.rescan) => {}
            }
        }
        for (_, stop) in running.into_values() {
            let _ = stop.send(true);
        }
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
    /// The monthly read budget is spent.
    BudgetSpent,
}

impl Runner {
    async fn run(mut self, mut channel: Channel) {
        loop {
            let left = match self.budget_left(&channel).await {
                Ok(left) => left,
                Err(e) => {
                    tracing::warn!(channel = %channel.name, error = %e, "cannot read the channel's reads");
                    None
                }
            };
            let source = match left {
                Some(0) => {
                    if self.pause_until_next_month(&channel).await {
                        continue;
                    }
                    return;
                }
                Some(left) => self.channels.source_with_read_limit(&channel, left),
                None => self.channels.source(&channel),
            };
            let end = match source {
                Ok(source) => self.follow(&channel, source).await,
                Err(e) => End::Fatal(e.to_string()),
            };
            match end {
                End::Stopped => {
                    self.health.remove(&channel.name);
                    return;
                }
                End::BudgetSpent => continue,
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
        let mut counted_reads = 0;
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
            match self.count_reads(channel, &stats, &mut counted_reads).await {
                Ok(true) => return End::BudgetSpent,
                Ok(false) => {}
                Err(e) => return End::Retry(e.to_string()),
            }
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
                .deletions()
                .mark_deleted(&batch.deletes, Utc::now())
                .await?;
        }
        for account in &batch.deleted_accounts {
            let marked = store
                .deletions()
                .mark_author_deleted(account.network, &account.native_id, Utc::now())
                .await?;
            tracing::info!(channel = %channel.name, account = %account.native_id, posts = marked, "account deleted on its network; its posts are marked deleted");
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

    /// What is left of the channel's read budget this month; `None` when it has none.
    async fn budget_left(&self, channel: &Channel) -> Result<Option<u64>> {
        let Some(budget) = budget::monthly_budget(channel) else {
            return Ok(None);
        };
        let month = budget::month(Utc::now());
        let spent = self
            .engine
            .store()
            .channels()
            .reads(channel.id, &month)
            .await?;
        self.health.update(&channel.name, channel.network, |h| {
            h.read_budget = Some(budget);
            h.reads_this_month = spent;
        });
        Ok(Some(budget.saturating_sub(spent)))
    }

    /// Adds the reads since the last count to the month's; `true` when the budget is spent
    /// (the rest of the month is then recorded as a gap).
    async fn count_reads(
        &self,
        channel: &Channel,
        stats: &SourceStats,
        counted: &mut u64,
    ) -> Result<bool> {
        let reads = SourceStats::get(&stats.reads);
        let new = reads.saturating_sub(*counted);
        if new == 0 {
            return Ok(false);
        }
        let now = Utc::now();
        let month = budget::month(now);
        let total = self
            .engine
            .store()
            .channels()
            .add_reads(channel.id, &month, new)
            .await?;
        *counted = reads;
        let budget = budget::monthly_budget(channel);
        self.health.update(&channel.name, channel.network, |h| {
            h.reads_this_month = total;
            h.read_budget = budget;
        });
        let Some(budget) = budget.filter(|b| total >= *b) else {
            return Ok(false);
        };
        let reason = format!("the read budget of {budget} posts for {month} is spent");
        tracing::warn!(channel = %channel.name, reads = total, budget, "read budget spent; pausing until next month");
        self.engine
            .store()
            .channels()
            .record_gap(&ChannelGap {
                channel: channel.id,
                from: now,
                to: budget::next_month(now),
                reason,
                recorded_at: now,
            })
            .await?;
        Ok(true)
    }

    /// Paused until the month is over (`true`), or stopped meanwhile (`false`).
    async fn pause_until_next_month(&mut self, channel: &Channel) -> bool {
        let now = Utc::now();
        let until = budget::next_month(now);
        let why = format!(
            "the read budget for {} is spent; reading again at {}",
            budget::month(now),
            until.to_rfc3339()
        );
        self.set_state(channel, ChannelState::Paused, Some(&why))
            .await;
        let wait = (until - now).to_std().unwrap_or_default();
        tokio::select! {
            _ = self.stop.changed() => false,
            _ = tokio::time::sleep(wait) => true,
        }
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
