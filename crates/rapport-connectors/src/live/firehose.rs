//! Bluesky through the AT Protocol firehose: `com.atproto.sync.subscribeRepos` of a relay or a
//! PDS, DAG-CBOR frames over a WebSocket, resumable by `seq`.

use super::firehose_frame::{self, Commit, Frame};
use super::handles::HandleResolver;
use super::{Backoff, Checkpoint, Gap, Source, SourceBatch, SourceError, SourceStats};
use crate::import::{Record, map_jetstream};
use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use rapport_domain::{Network, Post, PostKey};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Message, protocol::WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const POST: &str = "app.bsky.feed.post";
const NETWORK: &str = "bluesky firehose";

/// How to reach a firehose and how to read it.
#[derive(Debug, Clone)]
pub struct FirehoseConfig {
    /// The endpoint, e.g. `wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos`.
    pub url: String,
    /// The PLC directory DIDs are resolved in (handles of authors and mentions).
    pub plc: String,
    /// A connection with no frame (event or pong) for this long is dropped and reopened.
    pub read_timeout: Duration,
    /// How often to ping the server, so that a quiet but healthy connection answers.
    pub ping_interval: Duration,
    /// Frames longer than this are counted as bad frames and skipped.
    pub max_message_bytes: usize,
    /// How many events before a stored checkpoint a resumed source starts reading again.
    pub safety_margin: u64,
    pub max_batch: usize,
    pub linger: Duration,
    pub backoff: Backoff,
}

impl FirehoseConfig {
    pub fn new(url: impl Into<String>, plc: impl Into<String>) -> FirehoseConfig {
        FirehoseConfig {
            url: url.into(),
            plc: plc.into(),
            read_timeout: Duration::from_secs(60),
            ping_interval: Duration::from_secs(15),
            max_message_bytes: 5 * 1024 * 1024,
            safety_margin: 20,
            max_batch: 500,
            linger: Duration::from_millis(100),
            backoff: Backoff::default(),
        }
    }
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A [`Source`] reading `com.atproto.sync.subscribeRepos`. Post creates become posts (the
/// `jetstream` importer's mapping over the record in atproto JSON form, with DIDs resolved to
/// handles), post deletes become [`PostKey`]s, `#identity` events refresh the handle cache,
/// other events are counted as skipped. The checkpoint is the `seq` of the last event read and
/// that event's time. An `OutdatedCursor` info frame (the server no longer keeps the events
/// after the cursor) becomes a [`Gap`] from the checkpoint's time to the first event read.
pub struct FirehoseSource {
    config: FirehoseConfig,
    ws: Option<Ws>,
    resolver: Arc<HandleResolver>,
    /// The cursor to ask for on the next connect.
    cursor: Option<i64>,
    last: Option<(i64, DateTime<Utc>)>,
    /// Set by `OutdatedCursor`: the gap runs from here to the next event's time.
    outdated_from: Option<DateTime<Utc>>,
    handed_over: Checkpoint,
    stats: Arc<SourceStats>,
    /// Post creates of this batch whose record block did not come with the commit (a commit
    /// too big for the relay to carry whole): read from the author's PDS before handing over.
    missing: Vec<(Commit, firehose_frame::Op)>,
}

impl FirehoseSource {
    /// A source that starts at `checkpoint` (minus the safety margin), or live when it is
    /// [`Checkpoint::Beginning`].
    pub fn new(config: FirehoseConfig, checkpoint: Checkpoint) -> Result<Self, SourceError> {
        let (cursor, last) = match &checkpoint {
            Checkpoint::Beginning => (None, None),
            Checkpoint::Firehose { seq, time } => (
                Some(seq.saturating_sub(config.safety_margin as i64).max(0)),
                Some((*seq, *time)),
            ),
            other => {
                return Err(SourceError::Config(format!(
                    "not a firehose checkpoint: {}",
                    other.to_json()
                )));
            }
        };
        reqwest::Url::parse(&config.url)
            .map_err(|e| SourceError::Config(format!("bad firehose url: {e}")))?;
        Ok(FirehoseSource {
            resolver: Arc::new(HandleResolver::new(&config.plc)),
            config,
            ws: None,
            cursor,
            last,
            outdated_from: None,
            handed_over: checkpoint,
            stats: Arc::default(),
            missing: Vec::new(),
        })
    }

    fn url(&self) -> String {
        let mut url = reqwest::Url::parse(&self.config.url).expect("checked in new");
        if let Some(cursor) = self.cursor {
            url.query_pairs_mut()
                .append_pair("cursor", &cursor.to_string());
        }
        url.to_string()
    }

    async fn connect(&mut self) -> Result<(), SourceError> {
        let limit = self.config.max_message_bytes.max(16 << 20);
        let config = WebSocketConfig::default()
            .max_message_size(Some(limit))
            .max_frame_size(Some(limit));
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
        tracing::info!(cursor = self.cursor, "bluesky firehose connected");
        SourceStats::add(&self.stats.connects, 1);
        self.ws = Some(ws);
        Ok(())
    }

    /// Reads one message into the batch; an `Err` means the connection is over.
    async fn handle(&mut self, msg: Message, batch: &mut SourceBatch) -> Result<(), SourceError> {
        let bytes = match msg {
            Message::Binary(b) => b,
            Message::Text(_) | Message::Frame(_) => {
                tracing::warn!("firehose sent a text frame; skipped");
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
        if bytes.len() > self.config.max_message_bytes {
            tracing::warn!(
                bytes = bytes.len(),
                limit = self.config.max_message_bytes,
                "firehose frame too large; skipped"
            );
            SourceStats::add(&self.stats.bad_frames, 1);
            return Ok(());
        }
        let frame = match firehose_frame::decode(&bytes).await {
            Ok(frame) => frame,
            Err(e) => {
                tracing::warn!(error = %e, after_seq = self.last.map(|l| l.0), "bad firehose frame; skipped");
                SourceStats::add(&self.stats.bad_frames, 1);
                return Ok(());
            }
        };
        let seq = frame.seq();
        match frame {
            Frame::Commit(commit) => {
                self.moved(commit.seq, commit.time, batch);
                self.commit(commit, batch);
            }
            Frame::Identity { did, handle, .. } => {
                self.resolver.learn(&did, handle.as_deref());
                SourceStats::add(&self.stats.skipped, 1);
            }
            Frame::Account {
                did,
                active,
                status,
                ..
            } => super::bluesky_account_event(did, active, status.as_deref(), batch, &self.stats),
            Frame::Info { name, message } => {
                tracing::warn!(%name, message = message.as_deref().unwrap_or(""), "firehose info");
                if name == "OutdatedCursor" {
                    self.outdated_from = Some(self.last.map_or_else(Utc::now, |l| l.1));
                }
            }
            Frame::Error { error, message } => {
                let detail = format!("{error}: {}", message.unwrap_or_default());
                if error == "FutureCursor" {
                    // The server's sequence is behind ours (a reset server): read from now.
                    tracing::warn!(
                        cursor = self.cursor,
                        "cursor ahead of the firehose; reading from now"
                    );
                    self.cursor = None;
                    self.last = None;
                }
                return Err(SourceError::connection(NETWORK, detail));
            }
            Frame::Other { kind, .. } => {
                tracing::debug!(%kind, "firehose event not used");
                SourceStats::add(&self.stats.skipped, 1);
            }
        }
        if let Some(seq) = seq
            && self.last.is_none_or(|l| seq > l.0)
        {
            let at = self.last.map_or_else(Utc::now, |l| l.1);
            self.last = Some((seq, at));
        }
        Ok(())
    }

    /// A commit moved the cursor: close an `OutdatedCursor` gap at its time.
    fn moved(&mut self, seq: i64, time: DateTime<Utc>, batch: &mut SourceBatch) {
        if let Some(from) = self.outdated_from.take()
            && from < time
        {
            batch.gaps.push(Gap {
                from,
                to: time,
                reason: "cursor older than the firehose keeps (OutdatedCursor)".into(),
            });
        }
        self.last = Some((seq, time));
    }

    fn commit(&mut self, commit: Commit, batch: &mut SourceBatch) {
        for op in &commit.ops {
            if op.collection != POST {
                SourceStats::add(&self.stats.skipped, 1);
                continue;
            }
            match op.action.as_str() {
                "create" => match &op.record {
                    Some(record) => match self.post(&commit, op, record) {
                        Some(post) => batch.posts.push(post),
                        None => SourceStats::add(&self.stats.bad_frames, 1),
                    },
                    None => {
                        tracing::debug!(seq = commit.seq, repo = %commit.repo, rkey = %op.rkey, "post create without its record block; reading it from the PDS");
                        self.missing.push((commit.clone(), op.clone()));
                    }
                },
                "delete" => batch.deletes.push(PostKey {
                    network: Network::Bluesky,
                    native_id: format!("at://{}/{POST}/{}", commit.repo, op.rkey),
                }),
                _ => SourceStats::add(&self.stats.skipped, 1),
            }
        }
    }

    /// The post of a create op, through the Jetstream mapping (the record is the same JSON);
    /// the stored raw record is that Jetstream-shaped event with the firehose `seq` added.
    fn post(
        &self,
        commit: &Commit,
        op: &firehose_frame::Op,
        record: &serde_json::Value,
    ) -> Option<Post> {
        let event = serde_json::json!({
            "did": commit.repo,
            "time_us": commit.time.timestamp_micros(),
            "kind": "commit",
            "seq": commit.seq,
            "commit": {
                "rev": commit.rev,
                "operation": "create",
                "collection": op.collection,
                "rkey": op.rkey,
                "record": record,
                "cid": op.cid,
            }
        })
        .to_string();
        match map_jetstream(&event) {
            Record::Post(post) => Some(post),
            Record::Reject(r) => {
                tracing::warn!(seq = commit.seq, reason = %r.reason, "firehose post not read");
                None
            }
            Record::Skipped { .. } => None,
        }
    }

    /// Reads the records of this batch's creates that came without them from the authors'
    /// PDSs; one that cannot be read is logged and counted as a bad frame.
    async fn fetch_missing(&mut self, batch: &mut SourceBatch) {
        for (commit, op) in std::mem::take(&mut self.missing) {
            match self
                .resolver
                .record(&commit.repo, &op.collection, &op.rkey)
                .await
            {
                Ok(record) => match self.post(&commit, &op, &record) {
                    Some(post) => batch.posts.push(post),
                    None => SourceStats::add(&self.stats.bad_frames, 1),
                },
                Err(e) => {
                    tracing::warn!(seq = commit.seq, repo = %commit.repo, rkey = %op.rkey, error = %e, "post create without its record, and the PDS did not give it; skipped");
                    SourceStats::add(&self.stats.bad_frames, 1);
                }
            }
        }
    }

    async fn disconnect(&mut self, e: SourceError) -> Result<(), SourceError> {
        self.ws = None;
        // Resume right after the last event read in this process (what was read is in hand).
        if let Some((seq, _)) = self.last {
            self.cursor = Some(seq);
        }
        super::after_failure(&self.stats, &mut self.config.backoff, "bluesky firehose", e).await
    }
}

#[async_trait::async_trait]
impl Source for FirehoseSource {
    async fn next_batch(&mut self) -> Result<SourceBatch, SourceError> {
        let mut batch = SourceBatch::default();
        let start = self.last.map(|l| l.0);
        let mut flush_at: Option<Instant> = None;
        let mut last_read = Instant::now();
        let mut last_ping = Instant::now();
        loop {
            let moved = self.last.map(|l| l.0) != start;
            if flush_at.is_none() && (moved || !batch.gaps.is_empty()) {
                flush_at = Some(Instant::now() + self.config.linger);
            }
            let full = batch.posts.len() + self.missing.len() + batch.deletes.len()
                >= self.config.max_batch;
            if full || flush_at.is_some_and(|at| Instant::now() >= at) {
                break;
            }
            let Some(ws) = self.ws.as_mut() else {
                if let Err(e) = self.connect().await {
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
                    if let Err(e) = self.handle(msg, &mut batch).await {
                        self.disconnect(e).await?;
                    }
                }
                Ok(Some(Err(e))) => {
                    // A frame the WebSocket layer refused (not UTF-8 text, past its size
                    // limit) is a bad frame; a dropped connection is not.
                    if matches!(
                        e,
                        tokio_tungstenite::tungstenite::Error::Utf8(_)
                            | tokio_tungstenite::tungstenite::Error::Capacity(_)
                    ) {
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
        self.fetch_missing(&mut batch).await;
        self.resolver.resolve_posts(&mut batch.posts).await;
        if let Some((seq, time)) = self.last {
            self.handed_over = Checkpoint::Firehose { seq, time };
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
