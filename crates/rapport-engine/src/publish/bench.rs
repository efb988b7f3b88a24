//! `rapport bench publish`: how many replies a second the publisher sends, measured against a
//! running `mastodon_mock`.
//!
//! Set-up before the clock starts: a brand and a customer account on the mock, the customer's
//! complaints (real ones from twcs, numbered so each is its own status) posted and stored,
//! one case each, a channel for the brand, and one reply queued per case (Sprint's real
//! answers). Then `workers` publishers on that channel send the queue; the clock stops when the
//! ledger says every entry is sent. Each reply goes through the whole path: claim (the
//! ledger's attempt record), the network request, the reply stored as a post in the thread,
//! the acknowledgement. Mastodon's 300 requests per 5 minutes would cap the run at 1 a second,
//! so the local budget is lifted (the mock enforces none): the figure is the publisher's own
//! ceiling, which a real network's limits bring down.

use super::{PublishConfig, Worker};
use crate::channels::{ChannelSpec, Channels, SecretKey};
use crate::{Engine, EngineConfig, EngineError, Result};
use chrono::Utc;
use rapport_connectors::publish::{
    MastodonPublishConfig, MastodonPublisher, Outgoing, Publisher, mastodon_mock_user,
};
use rapport_domain::{Network, UserId};
use rapport_store::Store;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct PublishBenchSpec {
    /// The mock's URL.
    pub instance: String,
    pub replies: usize,
    /// Publishers sending from the one channel at once.
    pub workers: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublishBenchReport {
    pub network: &'static str,
    pub server: &'static str,
    pub store: String,
    pub replies: usize,
    pub workers: usize,
    pub seconds: f64,
    pub sends_per_sec: f64,
    /// From an entry's claim to its acknowledgement, per reply.
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Replies the brand's account holds on the server after the run.
    pub on_server: usize,
    pub duplicates: usize,
}

/// `(complaint, answer)` pairs, cycled to `n` replies.
pub async fn publish(
    spec: &PublishBenchSpec,
    conversations: &[(String, String)],
    store: Arc<dyn Store>,
) -> Result<PublishBenchReport> {
    if conversations.is_empty() || spec.replies == 0 {
        return Err(EngineError::Pipeline("nothing to publish".into()));
    }
    let net = |e: rapport_connectors::publish::PublishError| {
        EngineError::Channel(format!("mastodon_mock at {}: {e}", spec.instance))
    };
    let suffix = rand::random_range(0..1_000_000u32);
    let (brand_id, brand) = mastodon_mock_user(&spec.instance, &format!("brand{suffix}"))
        .await
        .map_err(net)?;
    let (_, customer) = mastodon_mock_user(&spec.instance, &format!("customer{suffix}"))
        .await
        .map_err(net)?;
    let unlimited = |token: &str| {
        let mut c = MastodonPublishConfig::new(&spec.instance, token);
        c.per_five_minutes = u32::MAX;
        Arc::new(MastodonPublisher::new(c))
    };

    // The customers' complaints, stored: one case each.
    let engine = Arc::new(Engine::new(store.clone(), EngineConfig::default()).await?);
    let account = rapport_connectors::live::mastodon_account(&spec.instance, &brand)
        .await
        .map_err(|e| EngineError::Channel(e.to_string()))?;
    let channels = Channels::new(store.clone(), Some(SecretKey::generate()));
    let channel = channels
        .add(
            &format!("bench-{suffix}"),
            ChannelSpec::Mastodon {
                instance: spec.instance.clone(),
                account: account.clone(),
                transport: Default::default(),
            },
            &brand,
        )
        .await?;
    let local = account.split('@').next().unwrap_or(&account).to_string();
    let writer = unlimited(&customer);
    let mut posts = Vec::with_capacity(spec.replies);
    for i in 0..spec.replies {
        let (complaint, _) = &conversations[i % conversations.len()];
        let text = complaint.replacen("@sprintcare", &format!("@{local}"), 1);
        let complaint = Outgoing {
            key: format!("bench-complaint-{suffix}-{i}"),
            text: format!("{text} [{i}]"),
            parent: None,
        };
        let sent = writer.send(&complaint).await.map_err(net)?;
        posts.extend(sent.post.map(|mut p| {
            p.author.own_account = false;
            p
        }));
    }
    engine.ingest_posts(posts.clone()).await?;
    let care = engine.care();
    let mut entries = Vec::with_capacity(posts.len());
    for (i, post) in posts.iter().enumerate() {
        let stored = store
            .posts()
            .post_by_key(&post.key())
            .await?
            .ok_or_else(|| EngineError::Pipeline("a complaint was not stored".into()))?;
        let case = store
            .cases()
            .case_of_post(stored.id)
            .await?
            .ok_or_else(|| EngineError::Pipeline(format!("complaint {i} opened no case")))?;
        let (_, answer) = &conversations[i % conversations.len()];
        let entry = care
            .queue_reply(
                case,
                UserId(1),
                answer,
                &format!("bench-{suffix}-{i}"),
                Utc::now(),
            )
            .await?;
        entries.push(entry.id);
    }

    // The clock: every worker sends until the ledger holds every entry as sent.
    let pace = PublishConfig {
        poll: Duration::from_millis(5),
        ..PublishConfig::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..spec.workers.max(1) {
        let worker = Worker::new(
            engine.clone(),
            channel.clone(),
            unlimited(&brand),
            pace.clone(),
        );
        tasks.push(tokio::spawn(worker.run(stop_rx.clone())));
    }
    let publish = store.publish();
    loop {
        let counts = publish.outbox_counts().await?;
        if counts.sent as usize >= entries.len() {
            break;
        }
        if counts.failed > 0 {
            return Err(EngineError::Pipeline(format!(
                "{} replies failed during the run",
                counts.failed
            )));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }

    let mut latencies = Vec::with_capacity(entries.len());
    for id in &entries {
        if let Some(e) = publish.publish_entry(*id).await?
            && let (Some(first), Some(sent)) = (e.first_attempt_at, e.sent_at)
        {
            latencies.push((sent - first).num_microseconds().unwrap_or(0) as f64 / 1000.0);
        }
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let on_server = count_replies(&spec.instance, &brand, &brand_id).await?;
    Ok(PublishBenchReport {
        network: Network::Mastodon.as_str(),
        server: "mastodon_mock",
        store: format!("{:?}", store.backend()).to_lowercase(),
        replies: entries.len(),
        workers: spec.workers.max(1),
        seconds,
        sends_per_sec: entries.len() as f64 / seconds,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        on_server,
        duplicates: on_server.saturating_sub(entries.len()),
    })
}

/// The brand's statuses on the server, every page of them.
async fn count_replies(instance: &str, token: &str, account: &str) -> Result<usize> {
    rapport_connectors::publish::count_statuses(instance, token, account)
        .await
        .map_err(|e| EngineError::Channel(format!("counting the replies: {e}")))
}
