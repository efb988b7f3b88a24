//! Bluesky through Jetstream: JSON commit events over a WebSocket, resumable by `cursor`.

use super::handles::{HandleResolver, PLC_DIRECTORY};
use super::{Backoff, Checkpoint, Gap, Source, SourceBatch, SourceError, SourceStats};
use crate::import::{Record, map_jetstream};
use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use rapport_domain::{Network, PostKey};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Message, protocol::WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const POST: &str = "app.bsky.feed.post";
const NETWORK: &str = "jetstream";

/// Jetstream's zstd dictionary (dictionary ID 1612007021): what a `compress=true` connection's
/// binary frames are compressed with. Copied verbatim from Jetstream's own repository
/// (`internal/subscribe/dictionaries/legacy_subscribe.zdict`, formerly
/// `pkg/models/zstd_dictionary`; MIT or Apache-2.0, Bluesky Social PBC).
const ZSTD_DICTIONARY: &[u8] = include_bytes!("jetstream_zstd.dict");

/// How to reach a Jetstream instance and what to ask it for.
#[derive(Debug, Clone)]
pub struct JetstreamConfig {
    /// The `subscribe` endpoint, e.g. `wss://jetstream2.us-east.bsky.network/subscribe`.
    pub url: String,
    /// Only these repositories (`wantedDids`); empty means all.
    pub wanted_dids: Vec<String>,
    /// The PLC directory DIDs are resolved in (handles of authors and mentions).
    pub plc: String,
    /// A connection with no frame (event or pong) for this long is dropped and reopened.
    pub read_timeout: Duration,
    /// How often to ping the server, so that a quiet but healthy connection answers.
    pub ping_interval: Duration,
    /// Messages longer than this (after decompression) are counted as bad frames and skipped.
    pub max_message_bytes: usize,
    /// Ask for zstd-compressed frames (`compress=true`): about half the bandwidth.
    pub compress: bool,
    /// How far before a stored checkpoint a resumed source starts reading again.
    pub safety_margin: Duration,
    /// How far back the instance keeps events; an older cursor is reported as a [`Gap`].
    pub replay_window: Duration,
    /// A batch is handed over when it holds this many posts and deletes...
    pub max_batch: usize,
    /// ...or this long after its first item.
    pub linger: Duration,
    pub backoff: Backoff,
}

impl JetstreamConfig {
    pub fn new(url: impl Into<String>) -> JetstreamConfig {
        JetstreamConfig {
            url: url.into(),
            wanted_dids: Vec::new(),
            plc: PLC_DIRECTORY.to_string(),
            read_timeout: Duration::from_secs(30),
            ping_interval: Duration::from_secs(10),
            max_message_bytes: 1024 * 1024,
            compress: false,
            safety_margin: Duration::from_secs(5),
            replay_window: Duration::from_secs(24 * 3600),
            max_batch: 500,
            linger: Duration::from_millis(100),
            backoff: Backoff::default(),
        }
    }
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A [`Source`] reading `app.bsky.feed.post` commits from Jetstream. Creates become posts (the
/// mapping of the `jetstream` importer, with DIDs resolved to handles), deletes become
/// [`PostKey`]s, `identity` events refresh the handle cache, a deleted account's `account`
/// event becomes a [`super::DeletedAccount`]; every other event is counted as skipped. The
/// checkpoint is the `time_us` of the last event read.
pub struct JetstreamSource {
    config: JetstreamConfig,
    resolver: HandleResolver,
    ws: Option<Ws>,
    /// The cursor to ask for on the next connect (µs).
    cursor: Option<u64>,
    /// `time_us` of the last event read.
    last_time_us: Option<u64>,
    handed_over: Checkpoint,
    stats: Arc<SourceStats>,
    /// Set when `compress` is asked for.
    zstd: Option<zstd::bulk::Decompressor<'static>>,
}

#[derive(Deserialize)]
struct Head {
    did: String,
    time_us: u64,
    kind: String,
    commit: Option<CommitHead>,
    identity: Option<IdentityHead>,
    account: Option<AccountHead>,
}

#[derive(Deserialize)]
struct IdentityHead {
    handle: Option<String>,
}

#[derive(Deserialize)]
struct AccountHead {
    active: bool,
    status: Option<String>,
}

#[derive(Deserialize)]
struct CommitHead {
    operation: String,
    collection: String,
    rkey: String,
}

impl JetstreamSource {
    /// A source that starts at `checkpoint` (minus the safety margin), or live when it is
    /// [`Checkpoint::Beginning`].
    pub fn new(config: JetstreamConfig, checkpoint: Checkpoint) -> Result<Self, SourceError> {
        let cursor = match &checkpoint {
            Checkpoint::Beginning => None,
            Checkpoint::Jetstream { time_us } => {
                Some(time_us.saturating_sub(config.safety_margin.as_micros() as u64))
            }
            other => {
                return Err(SourceError::Config(format!(
                    "not a jetstream checkpoint: {}",
                    other.to_json()
                )));
            }
        };
        reqwest::Url::parse(&config.url)
            .map_err(|e| SourceError::Config(format!("bad jetstream url: {e}")))?;
        let zstd = if config.compress {
            Some(
                zstd::bulk::Decompressor::with_dictionary(ZSTD_DICTIONARY)
                    .map_err(|e| SourceError::Config(format!("zstd dictionary: {e}")))?,
            )
        } else {
            None
        };
        Ok(JetstreamSource {
            resolver: HandleResolver::new(&config.plc),
            zstd,
            config,
            ws: None,
            cursor,
            last_time_us: None,
            handed_over: checkpoint,
            stats: Arc::default(),
        })
    }

    fn url(&self) -> String {
        let mut url = reqwest::Url::parse(&self.config.url).expect("checked in new");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("wantedCollections", POST);
            for did in &self.config.wanted_dids {
                q.append_pair("wantedDids", did);
            }
            if let Some(cursor) = self.cursor {
                q.append_pair("cursor", &cursor.to_string());
            }
            if self.config.compress {
                q.append_pair("compress", "true");
            }
        }
        url.to_string()
    }

    /// Opens the connection; a cursor older than the replay window is a gap.
    async fn connect(&mut self, gaps: &mut Vec<Gap>) -> Result<(), SourceError> {
        let config = WebSocketConfig::default()
            .max_message_size(Some(self.config.max_message_bytes.max(16 << 20)))
            .max_frame_size(Some(self.config.max_message_bytes.max(16 << 20)));
        let connect = tokio_tungstenite::connect_async_with_config(self.url(), Some(config), true);
        let (ws, _) = tokio::time::timeout(self.config.read_timeout, connect)
            .await
            .map_err(|_| SourceError::connection(NETWORK, "connect timed out"))?
            .map_err(|e| match e {
                tokio_tungstenite::tungstenite::Error::Http(r) => SourceError::http(
                    NETWORK,
                    r.status().as_u16(),
                    "handshake refused".into(),
                    None,
                ),
                e => SourceError::connection(NETWORK, e),
            })?;
        if let Some(cursor) = self.cursor {
            let window = chrono::TimeDelta::from_std(self.config.replay_window)
                .unwrap_or(chrono::TimeDelta::days(365));
            let oldest = Utc::now() - window;
            let from = micros(cursor);
            if from < oldest {
                gaps.push(Gap {
                    from,
                    to: oldest,
                    reason: "cursor older than jetstream's replay window".into(),
                });
            }
        }
        tracing::info!(cursor = self.cursor, "jetstream connected");
        SourceStats::add(&self.stats.connects, 1);
        self.ws = Some(ws);
        Ok(())
    }

    /// Reads one message into the batch; an `Err` means the connection is over.
    fn handle(&mut self, msg: Message, batch: &mut SourceBatch) -> Result<(), SourceError> {
        let text = match msg {
            Message::Text(t) => t.to_string(),
            Message::Binary(b) if self.zstd.is_some() => match self.decompress(&b) {
                Some(text) => text,
                None => {
                    SourceStats::add(&self.stats.bad_frames, 1);
                    return Ok(());
                }
            },
            Message::Binary(_) | Message::Frame(_) => {
                SourceStats::add(&self.stats.bad_frames, 1);
                return Ok(());
            }
            Message::Ping(_) | Message::Pong(_) => return Ok(()),
            Message::Close(frame) => {
                return Err(SourceError::connection(
                    NETWORK,
                    format!("server closed the connection ({frame:?})"),
                ));
            }
        };
        if text.len() > self.config.max_message_bytes {
            SourceStats::add(&self.stats.bad_frames, 1);
            return Ok(());
        }
        let head: Head = match serde_json::from_str(&text) {
            Ok(h) => h,
            Err(e) => {
                tracing::debug!(error = %e, "jetstream frame is not an event");
                SourceStats::add(&self.stats.bad_frames, 1);
                return Ok(());
            }
        };
        self.last_time_us = Some(head.time_us);
        match (head.kind.as_str(), &head.commit) {
            ("identity", _) => {
                let handle = head.identity.and_then(|i| i.handle);
                self.resolver.learn(&head.did, handle.as_deref());
                SourceStats::add(&self.stats.skipped, 1);
            }
            ("account", _) => match head.account {
                Some(a) => super::bluesky_account_event(
                    head.did,
                    a.active,
                    a.status.as_deref(),
                    batch,
                    &self.stats,
                ),
                None => SourceStats::add(&self.stats.bad_frames, 1),
            },
            ("commit", Some(c)) if c.collection == POST && c.operation == "create" => {
                match map_jetstream(&text) {
                    Record::Post(post) => batch.posts.push(post),
                    _ => SourceStats::add(&self.stats.bad_frames, 1),
                }
            }
            ("commit", Some(c)) if c.collection == POST && c.operation == "delete" => {
                batch.deletes.push(PostKey {
                    network: Network::Bluesky,
                    native_id: format!("at://{}/{POST}/{}", head.did, c.rkey),
                });
            }
            _ => SourceStats::add(&self.stats.skipped, 1),
        }
        Ok(())
    }

    /// A compressed frame's JSON text; `None` (logged) when it is not zstd with Jetstream's
    /// dictionary, inflates past `max_message_bytes`, or is not UTF-8.
    fn decompress(&mut self, frame: &[u8]) -> Option<String> {
        let limit = self.config.max_message_bytes;
        let zstd = self.zstd.as_mut()?;
        let bytes = match zstd.decompress(frame, limit) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(error = %e, bytes = frame.len(), limit, "jetstream frame does not decompress; skipped");
                return None;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                tracing::warn!(error = %e, "jetstream frame is not UTF-8 once decompressed; skipped");
                None
            }
        }
    }

    async fn disconnect(&mut self, e: SourceError) -> Result<(), SourceError> {
        self.ws = None;
        // Resume right after the last event read in this process (what was read is in hand).
        if let Some(t) = self.last_time_us {
            self.cursor = Some(t + 1);
        }
        super::after_failure(&self.stats, &mut self.config.backoff, "jetstream", e).await
    }
}

fn micros(us: u64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us as i64).unwrap_or_default()
}

#[async_trait::async_trait]
impl Source for JetstreamSource {
    async fn next_batch(&mut self) -> Result<SourceBatch, SourceError> {
        let mut batch = SourceBatch::default();
        let start_time = self.last_time_us;
        let mut flush_at: Option<Instant> = None;
        let mut last_read = Instant::now();
        let mut last_ping = Instant::now();
        loop {
            let moved = self.last_time_us != start_time;
            if flush_at.is_none() && (moved || !batch.gaps.is_empty()) {
                flush_at = Some(Instant::now() + self.config.linger);
            }
            let full = batch.posts.len() + batch.deletes.len() >= self.config.max_batch;
            if full || flush_at.is_some_and(|at| Instant::now() >= at) {
                break;
            }
            let Some(ws) = self.ws.as_mut() else {
                if let Err(e) = self.connect(&mut batch.gaps).await {
                    self.disconnect(e).await?;
                }
                last_read = Instant::now();
                last_ping = Instant::now();
                continue;
            };
            let silent_at = last_read + self.config.read_timeout;
            let ping_at = last_ping + self.config.ping_interval;
            let deadline = [Some(silent_at), Some(ping_at), flush_at]
                .into_iter()
                .flatten()
                .min()
                .expect("non-empty");
            match tokio::time::timeout_at(deadline, ws.next()).await {
                Ok(Some(Ok(msg))) => {
                    last_read = Instant::now();
                    self.config.backoff.reset();
                    if let Err(e) = self.handle(msg, &mut batch) {
                        self.disconnect(e).await?;
                    }
                }
                Ok(Some(Err(e))) => {
                    if matches!(e, tokio_tungstenite::tungstenite::Error::Utf8(_)) {
                        SourceStats::add(&self.stats.bad_frames, 1);
                    }
                    self.disconnect(SourceError::connection(NETWORK, e)).await?;
                }
                Ok(None) => {
                    let e = SourceError::connection(NETWORK, "connection closed");
                    self.disconnect(e).await?;
                }
                Err(_) if Instant::now() >= silent_at => {
                    let e = SourceError::connection(
                        NETWORK,
                        format!("no frame for {:?}", self.config.read_timeout),
                    );
                    self.disconnect(e).await?;
                }
                Err(_) if Instant::now() >= ping_at => {
                    last_ping = Instant::now();
                    if let Err(e) = ws.send(Message::Ping(Default::default())).await {
                        self.disconnect(SourceError::connection(NETWORK, e)).await?;
                    }
                }
                Err(_) => {} // the batch is due
            }
        }
        self.resolver.resolve_posts(&mut batch.posts).await;
        if let Some(t) = self.last_time_us {
            self.handed_over = Checkpoint::Jetstream { time_us: t };
        }
        SourceStats::add(&self.stats.posts, batch.posts.len() as u64);
        SourceStats::add(&self.stats.deletes, batch.deletes.len() as u64);
        SourceStats::add(&self.stats.gaps, batch.gaps.len() as u64);
        batch.checkpoint = self.handed_over.clone();
        Ok(batch)
    }

    fn checkpoint(&self) -> Checkpoint {
        self.handed_over.clone()
    }

    fn stats(&self) -> Arc<SourceStats> {
        self.stats.clone()
    }
}
