//! One Mastodon stream: open the stream (SSE here, WebSocket in `mastodon_ws`), back-fill its
//! timeline over REST, read events; on any failure wait (backoff) and do it all again.

use super::lines::LineBuffer;
use super::mastodon::{MastodonConfig, MastodonStream, MastodonTransport, newer};
use super::sse::{SseItem, SseParser};
use super::{Backoff, Gap, SourceError, SourceStats, TimelineMark};
use crate::import::{Record, map_mastodon};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use rapport_domain::{Network, Post, PostKey};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

const NETWORK: &str = "mastodon";

/// What a stream task hands to the source.
pub(crate) enum Item {
    /// A new item of a timeline (`post` is `None` when it is not a post to keep: a boost, a
    /// notification of another type); its mark moves the timeline's checkpoint.
    Post {
        timeline: String,
        mark: TimelineMark,
        post: Option<Box<Post>>,
    },
    /// Where a timeline starts when there was no checkpoint: nothing older is handed over.
    Mark {
        timeline: String,
        mark: TimelineMark,
    },
    /// An edited status (`status.update`).
    Edit(Box<Post>),
    Delete(PostKey),
    Gap(Gap),
    Fatal(SourceError),
}

pub(crate) struct Task {
    pub(crate) client: reqwest::Client,
    pub(crate) config: Arc<MastodonConfig>,
    pub(crate) stream: MastodonStream,
    pub(crate) marks: Arc<Mutex<BTreeMap<String, TimelineMark>>>,
    pub(crate) stats: Arc<SourceStats>,
    pub(crate) tx: mpsc::Sender<Item>,
}

#[derive(Deserialize)]
struct Notification<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created_at: String,
    #[serde(borrow)]
    status: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct StatusHead {
    id: String,
    created_at: String,
}

pub(crate) async fn run(task: Task) {
    let mut backoff = task.config.backoff.clone();
    loop {
        let Err(e) = task.session(&mut backoff).await;
        if task.tx.is_closed() {
            return;
        }
        if let Err(fatal) = super::after_failure(&task.stats, &mut backoff, NETWORK, e).await {
            let _ = task.tx.send(Item::Fatal(fatal)).await;
            return;
        }
    }
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
}

impl Task {
    async fn session(
        &self,
        backoff: &mut Backoff,
    ) -> Result<std::convert::Infallible, SourceError> {
        match self.config.transport {
            MastodonTransport::Sse => self.sse_session(backoff).await,
            MastodonTransport::WebSocket => self.ws_session(backoff).await,
        }
    }

    async fn sse_session(
        &self,
        backoff: &mut Backoff,
    ) -> Result<std::convert::Infallible, SourceError> {
        let (path, query) = match &self.stream {
            MastodonStream::Mentions => ("/api/v1/streaming/user", vec![]),
            MastodonStream::Hashtag(tag) => {
                ("/api/v1/streaming/hashtag", vec![("tag", tag.clone())])
            }
            MastodonStream::Public => ("/api/v1/streaming/public", vec![]),
        };
        let request = self
            .request(path, &query)
            .header("accept", "text/event-stream");
        let response = tokio::time::timeout(self.config.request_timeout, request.send())
            .await
            .map_err(|_| SourceError::connection(NETWORK, "stream did not answer in time"))?
            .map_err(|e| SourceError::connection(NETWORK, e.without_url()))?;
        let response = checked(response).await?;
        tracing::info!(stream = %self.stream.key(), "mastodon stream open");
        // Subscribed: now what was posted while we were away can be read without a hole.
        self.backfill().await?;
        SourceStats::add(&self.stats.connects, 1);
        let mut body = response.bytes_stream();
        let mut lines = LineBuffer::new(self.config.max_event_bytes);
        let mut sse = SseParser::default();
        let mut out = Vec::new();
        loop {
            let chunk = tokio::time::timeout(self.config.read_timeout, body.next())
                .await
                .map_err(|_| {
                    let quiet = self.config.read_timeout;
                    SourceError::connection(NETWORK, format!("no heartbeat for {quiet:?}"))
                })?;
            let chunk = match chunk {
                None => {
                    if lines.has_partial() {
                        SourceStats::add(&self.stats.bad_frames, 1); // cut mid-line
                    }
                    return Err(SourceError::connection(NETWORK, "stream ended"));
                }
                Some(Err(e)) => return Err(SourceError::connection(NETWORK, e.without_url())),
                Some(Ok(chunk)) => chunk,
            };
            lines.push(&chunk, &mut out);
            for line in out.drain(..) {
                match sse.line(line) {
                    None => {}
                    Some(SseItem::Comment) => backoff.reset(),
                    Some(SseItem::Bad) => SourceStats::add(&self.stats.bad_frames, 1),
                    Some(SseItem::Event { name, data }) => {
                        backoff.reset();
                        self.event(&name, &data).await?;
                    }
                }
            }
        }
    }

    fn request(&self, path: &str, query: &[(&str, String)]) -> reqwest::RequestBuilder {
        self.client
            .get(format!("{}{path}", self.config.instance))
            .query(query)
            .bearer_auth(&self.config.access_token)
    }

    async fn send(&self, item: Item) -> Result<(), SourceError> {
        self.tx
            .send(item)
            .await
            .map_err(|_| SourceError::connection(NETWORK, "source closed"))
    }

    pub(crate) async fn event(&self, name: &str, data: &str) -> Result<(), SourceError> {
        let item = match (name, &self.stream) {
            ("notification", MastodonStream::Mentions) => self.notification(data),
            ("update", MastodonStream::Hashtag(_) | MastodonStream::Public) => self.status(data),
            // Mastodon documents `status.update`; mastodon_mock 0.6 names it `status_update`.
            ("status.update" | "status_update", _) => match self.status(data) {
                Some(Item::Post { post: Some(p), .. }) => Some(Item::Edit(p)),
                _ => None,
            },
            ("delete", _) => Some(Item::Delete(PostKey {
                network: Network::Mastodon,
                native_id: data.trim().trim_matches('"').to_string(),
            })),
            _ => {
                SourceStats::add(&self.stats.skipped, 1);
                None
            }
        };
        match item {
            Some(item) => self.send(item).await,
            None => Ok(()),
        }
    }

    fn post(&self, raw: &str) -> Option<Box<Post>> {
        match map_mastodon(raw) {
            Record::Post(p) => Some(Box::new(p)),
            Record::Skipped { .. } => {
                SourceStats::add(&self.stats.skipped, 1);
                None
            }
            Record::Reject(r) => {
                tracing::debug!(reason = %r.reason, "mastodon status not read");
                SourceStats::add(&self.stats.bad_frames, 1);
                None
            }
        }
    }

    /// A notification (streamed or back-filled); only mentions carry a post.
    fn notification(&self, data: &str) -> Option<Item> {
        let Ok(n) = serde_json::from_str::<Notification<'_>>(data) else {
            SourceStats::add(&self.stats.bad_frames, 1);
            return None;
        };
        let post = match (n.kind.as_str(), n.status) {
            ("mention", Some(status)) => self.post(status.get()),
            _ => {
                SourceStats::add(&self.stats.skipped, 1);
                None
            }
        };
        Some(Item::Post {
            timeline: self.stream.key(),
            mark: TimelineMark {
                at: time(&n.created_at),
                id: n.id,
            },
            post,
        })
    }

    /// A status of a hashtag or public timeline (streamed or back-filled).
    fn status(&self, data: &str) -> Option<Item> {
        let Ok(head) = serde_json::from_str::<StatusHead>(data) else {
            SourceStats::add(&self.stats.bad_frames, 1);
            return None;
        };
        Some(Item::Post {
            timeline: self.stream.key(),
            mark: TimelineMark {
                at: time(&head.created_at),
                id: head.id,
            },
            post: self.post(data),
        })
    }

    /// One page of the stream's timeline, newest first.
    async fn page(
        &self,
        since: Option<&str>,
        max: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Item>, SourceError> {
        let mut query = vec![("limit", limit.to_string())];
        query.extend(since.map(|id| ("since_id", id.to_string())));
        query.extend(max.map(|id| ("max_id", id.to_string())));
        let path = match &self.stream {
            MastodonStream::Mentions => {
                query.push(("types[]", "mention".into()));
                "/api/v1/notifications".to_string()
            }
            MastodonStream::Hashtag(tag) => format!("/api/v1/timelines/tag/{tag}"),
            MastodonStream::Public => "/api/v1/timelines/public".to_string(),
        };
        let request = self
            .request(&path, &query)
            .timeout(self.config.request_timeout);
        let response = request
            .send()
            .await
            .map_err(|e| SourceError::connection(NETWORK, e.without_url()))?;
        let body = checked(response)
            .await?
            .bytes()
            .await
            .map_err(|e| SourceError::connection(NETWORK, e.without_url()))?;
        let values: Vec<&RawValue> = serde_json::from_slice(&body).map_err(|e| {
            SourceStats::add(&self.stats.bad_frames, 1);
            SourceError::connection(NETWORK, format!("back-fill page is not a json array: {e}"))
        })?;
        Ok(values
            .into_iter()
            .filter_map(|v| match self.stream {
                MastodonStream::Mentions => self.notification(v.get()),
                _ => self.status(v.get()),
            })
            .collect())
    }

    /// Reads what the timeline got since its mark, oldest first, at most `backfill_pages`
    /// pages; when the bound is hit, the period between the mark and the oldest item read is a
    /// gap. Without a mark, the newest item becomes the mark (the stream starts from now).
    pub(crate) async fn backfill(&self) -> Result<(), SourceError> {
        let timeline = self.stream.key();
        let mark = self
            .marks
            .lock()
            .expect("marks lock")
            .get(&timeline)
            .cloned();
        let Some(mark) = mark else {
            // Start from now. An empty timeline starts at id 0: everything later is new.
            let mark = match self.page(None, None, 1).await?.pop() {
                Some(Item::Post { mark, .. }) => mark,
                _ => TimelineMark {
                    id: "0".into(),
                    at: Utc::now(),
                },
            };
            return self.send(Item::Mark { timeline, mark }).await;
        };
        let (size, mut items, mut complete) = (self.config.page_size, Vec::new(), false);
        let mut max_id: Option<String> = None;
        for _ in 0..self.config.backfill_pages {
            let page = self.page(Some(&mark.id), max_id.as_deref(), size).await?;
            let n = page.len();
            if let Some(Item::Post { mark, .. }) = page.last() {
                max_id = Some(mark.id.clone());
            }
            items.extend(page);
            if n < size {
                complete = true;
                break;
            }
        }
        let oldest = |i: &Item| match i {
            Item::Post { mark, .. } => Some(mark.clone()),
            _ => None,
        };
        if let (false, Some(to)) = (complete, items.last().and_then(oldest)) {
            let pages = self.config.backfill_pages;
            tracing::warn!(timeline = %timeline, pages, "mastodon back-fill hit its page limit");
            self.send(Item::Gap(Gap {
                from: mark.at,
                to: to.at,
                reason: format!(
                    "mastodon back-fill of {timeline} stopped at its limit of {pages} pages"
                ),
            }))
            .await?;
        }
        // Pages come newest first; hand them over oldest first so the mark only moves forward.
        items.sort_by(|a, b| match (oldest(a), oldest(b)) {
            (Some(a), Some(b)) if newer(&a.id, &b.id) => std::cmp::Ordering::Greater,
            (Some(a), Some(b)) if newer(&b.id, &a.id) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Equal,
        });
        for item in items {
            self.send(item).await?;
        }
        Ok(())
    }
}

/// The response when it is a success, or the error it stands for.
pub(crate) async fn checked(response: reqwest::Response) -> Result<reqwest::Response, SourceError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s.min(900)));
    let body = response.text().await.unwrap_or_default();
    let detail = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect());
    Err(SourceError::http(
        NETWORK,
        status.as_u16(),
        detail,
        retry_after,
    ))
}
