//! The publishing workers: one per enabled channel, run by a supervisor.

use crate::channels::Channels;
use crate::{Engine, Result};
use chrono::Utc;
use rapport_connectors::publish::{Outgoing, Parent, PublishError, Published, Publisher, new_tid};
use rapport_domain::channel::Channel;
use rapport_domain::compose;
use rapport_domain::publish::{PublishEntry, PublishOutcome};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How the publisher paces itself.
#[derive(Debug, Clone)]
pub struct PublishConfig {
    /// How long a claimed entry is held; longer than a request's deadline, so that a live
    /// publisher is never taken over.
    pub lease: Duration,
    /// How often an idle worker looks for due entries.
    pub poll: Duration,
    /// The first retry's delay; it doubles per attempt up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// How long an unknown outcome is left to settle before the network is asked (a request
    /// the network holds may still land).
    pub settle: Duration,
    /// How often the supervisor looks for channels added since.
    pub rescan: Duration,
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            lease: Duration::from_secs(120),
            poll: Duration::from_millis(500),
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(15 * 60),
            settle: Duration::from_secs(5),
            rescan: Duration::from_secs(10),
        }
    }
}

/// Runs a worker for every enabled channel until told to stop.
pub struct PublisherSupervisor {
    engine: Arc<Engine>,
    channels: Arc<Channels>,
    config: PublishConfig,
}

impl PublisherSupervisor {
    pub fn new(engine: Arc<Engine>, channels: Arc<Channels>, config: PublishConfig) -> Self {
        PublisherSupervisor {
            engine,
            channels,
            config,
        }
    }

    /// Runs until `shutdown` resolves; an attempt under way is finished first.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) -> Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut started: HashSet<String> = HashSet::new();
        tokio::pin!(shutdown);
        'run: loop {
            for channel in self.engine.store().channels().list_channels().await? {
                if !channel.enabled || started.contains(&channel.name) {
                    continue;
                }
                match self.channels.publisher(&channel) {
                    Ok(publisher) => {
                        started.insert(channel.name.clone());
                        tracing::info!(channel = %channel.name, network = %channel.network, "publishing");
                        let worker = Worker::new(
                            self.engine.clone(),
                            channel,
                            publisher,
                            self.config.clone(),
                        );
                        tasks.spawn(worker.run(stop_rx.clone()));
                    }
                    Err(e) => {
                        // Said once; the channel may still listen.
                        started.insert(channel.name.clone());
                        tracing::warn!(channel = %channel.name, error = %e, "channel cannot publish");
                    }
                }
            }
            // The scheduler: due publications enter the ledger, polled as often as the
            // workers poll, so a post goes out within a poll of its time.
            let next_scan = tokio::time::Instant::now() + self.config.rescan;
            loop {
                if let Err(e) = self.engine.publications().release_due(Utc::now()).await {
                    tracing::warn!(error = %e, "releasing due publications failed");
                }
                tokio::select! {
                    _ = &mut shutdown => break 'run,
                    _ = tokio::time::sleep(self.config.poll) => {}
                }
                if tokio::time::Instant::now() >= next_scan {
                    break;
                }
            }
        }
        let _ = stop_tx.send(true);
        while tasks.join_next().await.is_some() {}
        Ok(())
    }
}

/// Sends one channel's entries.
pub struct Worker {
    engine: Arc<Engine>,
    channel: Channel,
    publisher: Arc<dyn Publisher>,
    config: PublishConfig,
}

impl Worker {
    pub fn new(
        engine: Arc<Engine>,
        channel: Channel,
        publisher: Arc<dyn Publisher>,
        config: PublishConfig,
    ) -> Worker {
        Worker {
            engine,
            channel,
            publisher,
            config,
        }
    }

    /// Works until `stop` says so; an attempt under way is finished first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let worked = match self.step().await {
                Ok(worked) => worked,
                Err(e) => {
                    tracing::warn!(channel = %self.channel.name, error = %e, "publisher step failed");
                    false
                }
            };
            if !worked {
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(self.config.poll) => {}
                }
            }
        }
    }

    /// Takes one due entry and takes it to its next state; `false` when none was due.
    pub async fn step(&self) -> Result<bool> {
        let lease =
            chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::days(1));
        let claimed = self
            .engine
            .store()
            .publish()
            .claim_next(
                self.channel.network,
                self.channel.id,
                Utc::now(),
                lease,
                &new_tid(),
            )
            .await?;
        let Some(entry) = claimed else {
            return Ok(false);
        };
        let outcome = self.attempt(&entry).await?;
        self.finish(&entry, outcome).await?;
        Ok(true)
    }

    /// One attempt: reconcile first when an earlier one's outcome is unknown, then send.
    async fn attempt(&self, entry: &PublishEntry) -> Result<Attempt> {
        let reply = self.outgoing(entry).await?;
        // A later part of a thread never goes out on its own: without the part before it as
        // a stored post (the publisher stores each part it sends; a live source reads it back
        // otherwise) it waits.
        if entry.after_entry.is_some() && reply.parent.is_none() {
            return Ok(Attempt::NotSent(
                "the part before it in the thread is not stored yet".into(),
                Some(self.config.max_backoff.min(Duration::from_secs(60))),
            ));
        }
        // A publication's thread answers the brand's own posts: no mention goes in front.
        let answered = match entry.publication {
            Some(_) => None,
            None => reply.parent.as_ref().map(|p| p.author_handle.as_str()),
        };
        let text = &compose::as_posted(entry.entry.network, &reply.text, answered);
        if !compose::fits(entry.entry.network, text) {
            return Ok(Attempt::Refused(format!(
                "the reply is {} characters as {} counts them, over its limit of {}",
                compose::count(entry.entry.network, text),
                entry.entry.network,
                compose::limit(entry.entry.network).unwrap_or_default()
            )));
        }
        if entry.entry.network == rapport_domain::Network::X
            && let Some(case) = entry.entry.case_id
            && let Some(reason) = self.engine.care().reply_rule(case).await?
        {
            return Ok(Attempt::Refused(reason));
        }
        if entry.reconcile {
            let since = entry.first_attempt_at.unwrap_or(entry.entry.created_at);
            let taken = self
                .engine
                .store()
                .publish()
                .sent_native_ids(self.channel.id, since - chrono::Duration::days(1))
                .await?;
            match self.publisher.find(&reply, since, &taken).await {
                Ok(Some(found)) => {
                    tracing::info!(entry = entry.entry.id.0, native_id = %found.native_id, "reconciled: the reply was already posted");
                    return Ok(Attempt::Sent(Box::new(found)));
                }
                Ok(None) => {
                    tracing::info!(entry = entry.entry.id.0, "reconciled: not posted, sending");
                }
                // Without an answer from the network nothing may be sent.
                Err(e) => {
                    return Ok(Attempt::Unknown(format!(
                        "could not check with the network: {e}"
                    )));
                }
            }
        }
        Ok(match self.publisher.send(&reply).await {
            Ok(published) => Attempt::Sent(Box::new(published)),
            Err(PublishError::Refused(reason)) => Attempt::Refused(reason),
            Err(PublishError::NotSent {
                reason,
                retry_after,
            }) => Attempt::NotSent(reason, retry_after),
            Err(PublishError::Unknown(reason)) => Attempt::Unknown(reason),
        })
    }

    /// The entry as the network client needs it, with the post it answers: the customer's
    /// post for a reply, the part before it for a later part of a publication's thread.
    async fn outgoing(&self, entry: &PublishEntry) -> Result<Outgoing> {
        let answered = match (entry.entry.in_reply_to, entry.after_entry) {
            (Some(id), _) => self.engine.store().posts().post(id).await?,
            (None, Some(previous)) => self.previous_part(previous).await?,
            (None, None) => None,
        };
        let parent = answered.map(|p| Parent {
            native_id: p.post.native_id,
            author_handle: p.post.author.handle,
            raw: p.post.raw,
        });
        Ok(Outgoing {
            key: entry
                .publish_key
                .clone()
                .unwrap_or_else(|| entry.entry.idempotency_key.clone()),
            text: entry.entry.body.clone(),
            parent,
        })
    }

    /// The post a thread's earlier part became (stored by [`Worker::store_reply`] when it was
    /// sent; the claim takes a part only once the one before it is sent).
    async fn previous_part(
        &self,
        id: rapport_domain::care::ReplyId,
    ) -> Result<Option<rapport_domain::StoredPost>> {
        let store = self.engine.store();
        let Some(previous) = store.publish().publish_entry(id).await? else {
            return Ok(None);
        };
        let Some(native_id) = previous.entry.sent_native_id else {
            return Ok(None);
        };
        let key = rapport_domain::PostKey {
            network: previous.entry.network,
            native_id,
        };
        Ok(store.posts().post_by_key(&key).await?)
    }

    /// Records the attempt's end (the acknowledgement) and tells the case.
    async fn finish(&self, entry: &PublishEntry, attempt: Attempt) -> Result<()> {
        let now = Utc::now();
        let id = entry.entry.id;
        let outcome = match attempt {
            Attempt::Sent(published) => {
                self.store_reply(entry, &published).await;
                tracing::info!(entry = id.0, case_id = ?entry.entry.case_id, publication = ?entry.publication, url = %published.url, "published");
                PublishOutcome::Sent {
                    native_id: published.native_id,
                    url: published.url,
                }
            }
            Attempt::Refused(reason) => {
                tracing::warn!(entry = id.0, case_id = ?entry.entry.case_id, publication = ?entry.publication, %reason, "publish failed");
                PublishOutcome::Failed { reason }
            }
            Attempt::NotSent(reason, wait) => {
                let retry_at = now + to_chrono(wait.unwrap_or_else(|| self.backoff(entry)));
                tracing::warn!(entry = id.0, %reason, %retry_at, "reply not sent; will retry");
                PublishOutcome::Retry { reason, retry_at }
            }
            Attempt::Unknown(reason) => {
                let retry_at = now + to_chrono(self.backoff(entry).max(self.config.settle));
                tracing::warn!(entry = id.0, %reason, %retry_at, "reply outcome unknown; will reconcile");
                PublishOutcome::Unknown { reason, retry_at }
            }
        };
        match self
            .engine
            .store()
            .publish()
            .finish(id, &outcome, now)
            .await
        {
            Ok(_) => {}
            // Our lease ran out and another publisher took the entry over: it reconciles.
            Err(rapport_store::StoreError::Conflict(m)) => {
                tracing::warn!(entry = id.0, reason = %m, "entry taken over by another publisher")
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(case) = entry.entry.case_id {
            self.engine.care().reply_changed(case, now).await;
        }
        if let Some(publication) = entry.publication {
            self.engine
                .store()
                .publications()
                .settle_publication(publication, now)
                .await?;
        }
        Ok(())
    }

    /// Stores the reply as a post in the customer's thread. A failure here loses nothing the
    /// ledger needs (the entry holds the network's id and URL), so it is logged, not returned.
    async fn store_reply(&self, entry: &PublishEntry, published: &Published) {
        let Some(post) = published.post.clone() else {
            return;
        };
        if let Err(e) = self.engine.ingest_posts(vec![post]).await {
            tracing::warn!(entry = entry.entry.id.0, error = %e, "the published reply could not be stored as a post");
        }
    }

    /// Doubling from `backoff` per attempt made, up to `max_backoff`, with jitter.
    fn backoff(&self, entry: &PublishEntry) -> Duration {
        let exp = entry.entry.attempts.saturating_sub(1).min(20);
        let step = self
            .config
            .backoff
            .saturating_mul(1u32 << exp)
            .min(self.config.max_backoff);
        let half = step / 2;
        half + Duration::from_millis(rand::random_range(0..=half.as_millis() as u64))
    }
}

/// How an attempt ended, before it is recorded.
enum Attempt {
    Sent(Box<Published>),
    Refused(String),
    NotSent(String, Option<Duration>),
    Unknown(String),
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(1))
}
