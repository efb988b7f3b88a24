//! X: the API v2 filtered stream, NDJSON over one long-lived response.

use super::lines::{Line, LineBuffer};
use super::mastodon::newer;
use super::{Backoff, Checkpoint, Gap, Source, SourceBatch, SourceError, SourceStats};
use crate::import::{Record, map_x, snowflake_time};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

const NETWORK: &str = "x";

/// How to reach the filtered stream.
#[derive(Clone)]
pub struct XConfig {
    /// The API base, `https://api.x.com` (or a test server).
    pub api: String,
    /// The app's bearer token (never logged).
    pub bearer_token: String,
    /// `tweet.fields`, `expansions` and `user.fields` asked for: what the `x-v2` mapping reads.
    pub tweet_fields: String,
    pub expansions: String,
    pub user_fields: String,
    /// X sends a keep-alive newline every 20 s; a stream silent this long is reopened.
    pub read_timeout: Duration,
    /// Deadline for the stream's response headers.
    pub connect_timeout: Duration,
    /// `backfill_minutes` asked for on reconnect (1-5, where the access level allows it).
    pub backfill_minutes: Option<u8>,
    /// Lines longer than this are counted as bad frames and skipped.
    pub max_line_bytes: usize,
    /// Stop reading after this many posts: the stream is closed and not opened again (a
    /// monthly read budget; the engine sets what is left of it). Lines that arrived in the
    /// same chunk after the last post allowed are dropped unread, with a log line.
    pub read_limit: Option<u64>,
    pub max_batch: usize,
    pub linger: Duration,
    pub backoff: Backoff,
}

impl std::fmt::Debug for XConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XConfig")
            .field("api", &self.api)
            .field("bearer_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl XConfig {
    pub fn new(api: impl Into<String>, bearer_token: impl Into<String>) -> XConfig {
        XConfig {
            api: api.into().trim_end_matches('/').to_string(),
            bearer_token: bearer_token.into(),
            tweet_fields: "created_at,author_id,conversation_id,in_reply_to_user_id,\
                referenced_tweets,lang,public_metrics,entities,note_tweet"
                .into(),
            expansions: "author_id,in_reply_to_user_id".into(),
            user_fields: "username,name,public_metrics".into(),
            read_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(30),
            backfill_minutes: None,
            max_line_bytes: 1024 * 1024,
            read_limit: None,
            max_batch: 500,
            linger: Duration::from_millis(100),
            backoff: Backoff::default(),
        }
    }
}

type Body = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A [`Source`] reading X's filtered stream. Each post line becomes a post (the `x-v2`
/// mapping; the line keeps its `matching_rules` in `raw`) and counts as one billable read
/// ([`SourceStats::reads`]). Blank lines are keep-alives. X keeps no cursor: a period the stream
/// was not connected (beyond `backfill_minutes`) is reported as a [`Gap`].
pub struct XFilteredStream {
    config: XConfig,
    client: reqwest::Client,
    body: Option<Body>,
    lines: LineBuffer,
    newest_id: Option<String>,
    /// Since when nothing was read: the start (from the checkpoint) or the last disconnect.
    down_since: Option<DateTime<Utc>>,
    stats: Arc<SourceStats>,
}

#[derive(Deserialize)]
struct Head {
    data: Option<TweetId>,
    errors: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct TweetId {
    id: String,
}

impl XFilteredStream {
    pub fn new(config: XConfig, checkpoint: Checkpoint) -> Result<Self, SourceError> {
        let newest_id = match checkpoint {
            Checkpoint::Beginning => None,
            Checkpoint::X { newest_id } => Some(newest_id),
            other => {
                let json = other.to_json();
                return Err(SourceError::Config(format!("not an x checkpoint: {json}")));
            }
        };
        reqwest::Url::parse(&config.api)
            .map_err(|e| SourceError::Config(format!("bad x api url: {e}")))?;
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| SourceError::Config(format!("http client: {e}")))?;
        Ok(XFilteredStream {
            down_since: newest_id.as_deref().and_then(snowflake_time),
            lines: LineBuffer::new(config.max_line_bytes),
            config,
            client,
            body: None,
            newest_id,
            stats: Arc::default(),
        })
    }

    async fn connect(&mut self, gaps: &mut Vec<Gap>) -> Result<(), SourceError> {
        let mut query = vec![
            ("tweet.fields", self.config.tweet_fields.clone()),
            ("expansions", self.config.expansions.clone()),
            ("user.fields", self.config.user_fields.clone()),
        ];
        let backfill = self
            .config
            .backfill_minutes
            .filter(|_| self.down_since.is_some());
        query.extend(backfill.map(|m| ("backfill_minutes", m.to_string())));
        let request = self
            .client
            .get(format!("{}/2/tweets/search/stream", self.config.api))
            .query(&query)
            .bearer_auth(&self.config.bearer_token)
            .send();
        let response = tokio::time::timeout(self.config.connect_timeout, request)
            .await
            .map_err(|_| SourceError::connection(NETWORK, "stream did not answer in time"))?
            .map_err(|e| SourceError::connection(NETWORK, e.without_url()))?;
        let response = checked(response).await?;
        let now = Utc::now();
        if let Some(since) = self.down_since.take() {
            let covered = since + chrono::TimeDelta::minutes(i64::from(backfill.unwrap_or(0)));
            if covered < now {
                gaps.push(Gap {
                    from: covered,
                    to: now,
                    reason: "x filtered stream was not connected and keeps no cursor".into(),
                });
            }
        }
        tracing::info!("x filtered stream open");
        SourceStats::add(&self.stats.connects, 1);
        self.lines = LineBuffer::new(self.config.max_line_bytes);
        self.body = Some(Box::pin(response.bytes_stream()));
        Ok(())
    }

    fn line(&mut self, line: Line, batch: &mut SourceBatch) -> Result<(), SourceError> {
        let text = match line {
            Line::Text(t) if t.trim().is_empty() => return Ok(()), // keep-alive
            Line::Text(t) => t,
            Line::Oversized | Line::BadUtf8 => {
                SourceStats::add(&self.stats.bad_frames, 1);
                return Ok(());
            }
        };
        let head: Head = match serde_json::from_str(&text) {
            Ok(head) => head,
            Err(_) => {
                SourceStats::add(&self.stats.bad_frames, 1);
                return Ok(());
            }
        };
        let Some(tweet) = head.data else {
            // An error line without data: X's operational disconnect, the stream ends here.
            let detail = head.errors.map(|e| e.to_string()).unwrap_or_default();
            if detail.is_empty() {
                SourceStats::add(&self.stats.skipped, 1);
                return Ok(());
            }
            return Err(SourceError::connection(NETWORK, detail));
        };
        SourceStats::add(&self.stats.reads, 1);
        match map_x(&text) {
            Record::Post(post) => batch.posts.push(post),
            _ => SourceStats::add(&self.stats.bad_frames, 1),
        }
        if self
            .newest_id
            .as_deref()
            .is_none_or(|n| newer(&tweet.id, n))
        {
            self.newest_id = Some(tweet.id);
        }
        Ok(())
    }

    fn limit_reached(&self) -> bool {
        self.config
            .read_limit
            .is_some_and(|limit| SourceStats::get(&self.stats.reads) >= limit)
    }

    async fn disconnect(&mut self, e: SourceError) -> Result<(), SourceError> {
        if self.body.take().is_some() {
            self.down_since = Some(Utc::now());
        }
        super::after_failure(&self.stats, &mut self.config.backoff, "x", e).await
    }
}

/// The response when it is a success, or the error it stands for (a 429 waits until
/// `x-rate-limit-reset`).
pub(crate) async fn checked(response: reqwest::Response) -> Result<reqwest::Response, SourceError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    let retry_after = header("x-rate-limit-reset").map(|reset| {
        let wait = (reset - Utc::now().timestamp()).clamp(1, 900);
        Duration::from_secs(wait as u64)
    });
    let body = response.text().await.unwrap_or_default();
    // X's error bodies are problem documents: {"title", "detail", "type", ...}.
    let detail = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            let field = |k: &str| v.get(k).and_then(|d| d.as_str()).map(str::to_string);
            field("detail").or_else(|| field("title"))
        })
        .unwrap_or_else(|| body.chars().take(200).collect());
    Err(SourceError::http(
        NETWORK,
        status.as_u16(),
        detail,
        retry_after,
    ))
}

#[async_trait::async_trait]
impl Source for XFilteredStream {
    async fn next_batch(&mut self) -> Result<SourceBatch, SourceError> {
        let mut batch = SourceBatch::default();
        let mut flush_at: Option<Instant> = None;
        let mut last_read = Instant::now();
        let mut out = Vec::new();
        loop {
            if self.limit_reached() {
                self.body = None;
                if batch.is_empty() {
                    tracing::info!("x read limit reached; not reading any more");
                    // Nothing more will come: whoever runs the source stops it.
                    std::future::pending::<()>().await;
                }
                break;
            }
            if flush_at.is_none() && !batch.is_empty() {
                flush_at = Some(Instant::now() + self.config.linger);
            }
            let full = batch.posts.len() >= self.config.max_batch;
            if full || flush_at.is_some_and(|at| Instant::now() >= at) {
                break;
            }
            let Some(body) = self.body.as_mut() else {
                if let Err(e) = self.connect(&mut batch.gaps).await {
                    self.disconnect(e).await?;
                }
                last_read = Instant::now();
                continue;
            };
            let silent_at = last_read + self.config.read_timeout;
            let deadline = flush_at.map_or(silent_at, |f| f.min(silent_at));
            match tokio::time::timeout_at(deadline, body.next()).await {
                Ok(Some(Ok(chunk))) => {
                    last_read = Instant::now();
                    self.config.backoff.reset();
                    self.lines.push(&chunk, &mut out);
                    let mut unread = 0;
                    for line in std::mem::take(&mut out) {
                        if self.limit_reached() {
                            unread += 1;
                            continue;
                        }
                        if let Err(e) = self.line(line, &mut batch) {
                            self.disconnect(e).await?;
                            break;
                        }
                    }
                    if unread > 0 {
                        tracing::warn!(
                            lines = unread,
                            "x read limit reached; lines after it not read"
                        );
                    }
                }
                Ok(Some(Err(e))) => {
                    let e = SourceError::connection(NETWORK, e.without_url());
                    self.disconnect(e).await?;
                }
                Ok(None) => {
                    let e = SourceError::connection(NETWORK, "stream ended");
                    self.disconnect(e).await?;
                }
                Err(_) if Instant::now() >= silent_at => {
                    let quiet = self.config.read_timeout;
                    let e =
                        SourceError::connection(NETWORK, format!("no keep-alive for {quiet:?}"));
                    self.disconnect(e).await?;
                }
                Err(_) => {} // the batch is due
            }
        }
        SourceStats::add(&self.stats.posts, batch.posts.len() as u64);
        SourceStats::add(&self.stats.gaps, batch.gaps.len() as u64);
        batch.checkpoint = self.checkpoint();
        Ok(batch)
    }

    fn checkpoint(&self) -> Checkpoint {
        match &self.newest_id {
            Some(id) => Checkpoint::X {
                newest_id: id.clone(),
            },
            None => Checkpoint::Beginning,
        }
    }

    fn stats(&self) -> Arc<SourceStats> {
        self.stats.clone()
    }
}
