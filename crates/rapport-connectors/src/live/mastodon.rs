//! Mastodon: streaming over SSE or a WebSocket, with a REST back-fill on every (re)connect.

use super::mastodon_task::{self, Item, Task};
use super::{Backoff, Checkpoint, Source, SourceBatch, SourceError, SourceStats, TimelineMark};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// A Mastodon stream to follow; each one has its own timeline for the back-fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MastodonStream {
    /// Mentions of the account: `notification` events of type `mention` on the user stream,
    /// back-filled from `/api/v1/notifications?types[]=mention`.
    Mentions,
    /// A hashtag (without `#`): `/api/v1/streaming/hashtag?tag=`, back-filled from
    /// `/api/v1/timelines/tag/:tag`.
    Hashtag(String),
    /// The whole federated timeline: `/api/v1/streaming/public`, back-filled from
    /// `/api/v1/timelines/public`.
    Public,
}

impl MastodonStream {
    /// The timeline's key in the checkpoint.
    pub fn key(&self) -> String {
        match self {
            MastodonStream::Mentions => "notifications".into(),
            MastodonStream::Hashtag(tag) => format!("tag:{}", tag.to_lowercase()),
            MastodonStream::Public => "public".into(),
        }
    }
}

/// How the streams are read. Both carry the same events; SSE is one HTTP request per stream
/// with the token in a header, the WebSocket is what Mastodon's own web client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MastodonTransport {
    #[default]
    Sse,
    WebSocket,
}

/// How to reach a Mastodon account and what to follow.
#[derive(Clone)]
pub struct MastodonConfig {
    /// The instance's base URL, e.g. `https://mastodon.social`.
    pub instance: String,
    /// The user's access token (sent as a Bearer token; never logged).
    pub access_token: String,
    pub streams: Vec<MastodonStream>,
    pub transport: MastodonTransport,
    /// Mastodon sends a heartbeat comment every 15 s or so; a stream silent this long is
    /// reopened.
    pub read_timeout: Duration,
    /// Deadline of each REST request of the back-fill.
    pub request_timeout: Duration,
    /// Events longer than this are counted as bad frames and skipped.
    pub max_event_bytes: usize,
    /// Pages of `page_size` the back-fill reads at most per timeline; beyond it, a gap.
    pub backfill_pages: usize,
    pub page_size: usize,
    pub max_batch: usize,
    pub linger: Duration,
    pub backoff: Backoff,
}

impl std::fmt::Debug for MastodonConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MastodonConfig")
            .field("instance", &self.instance)
            .field("access_token", &"<redacted>")
            .field("streams", &self.streams)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl MastodonConfig {
    pub fn new(instance: impl Into<String>, access_token: impl Into<String>) -> MastodonConfig {
        MastodonConfig {
            instance: instance.into().trim_end_matches('/').to_string(),
            access_token: access_token.into(),
            streams: vec![MastodonStream::Mentions],
            transport: MastodonTransport::Sse,
            read_timeout: Duration::from_secs(45),
            request_timeout: Duration::from_secs(30),
            max_event_bytes: 1024 * 1024,
            backfill_pages: 10,
            page_size: 40,
            max_batch: 500,
            linger: Duration::from_millis(100),
            backoff: Backoff::default(),
        }
    }
}

/// A [`Source`] following Mastodon streams. Each stream runs in its own task: it opens the
/// SSE stream, then back-fills the timeline from the checkpoint's `since_id` (so nothing posted
/// while disconnected is missed), then reads events. Items older than or equal to a timeline's
/// mark are dropped, so a post read by both the back-fill and the stream comes out once.
pub struct MastodonSource {
    rx: mpsc::Receiver<Item>,
    marks: Arc<Mutex<BTreeMap<String, TimelineMark>>>,
    tasks: Vec<JoinHandle<()>>,
    max_batch: usize,
    linger: Duration,
    stats: Arc<SourceStats>,
}

impl MastodonSource {
    /// Starts the streams' tasks (on the current tokio runtime), resuming from `checkpoint`.
    pub fn start(config: MastodonConfig, checkpoint: Checkpoint) -> Result<Self, SourceError> {
        let marks = match checkpoint {
            Checkpoint::Beginning => BTreeMap::new(),
            Checkpoint::Mastodon { since } => since,
            other => {
                return Err(SourceError::Config(format!(
                    "not a mastodon checkpoint: {}",
                    other.to_json()
                )));
            }
        };
        reqwest::Url::parse(&config.instance)
            .map_err(|e| SourceError::Config(format!("bad mastodon instance url: {e}")))?;
        let client = reqwest::Client::builder()
            .connect_timeout(config.request_timeout)
            .build()
            .map_err(|e| SourceError::Config(format!("http client: {e}")))?;
        let marks = Arc::new(Mutex::new(marks));
        let stats = Arc::new(SourceStats::default());
        let (tx, rx) = mpsc::channel(1024);
        let config = Arc::new(config);
        let tasks = config
            .streams
            .iter()
            .map(|stream| {
                let task = Task {
                    client: client.clone(),
                    config: config.clone(),
                    stream: stream.clone(),
                    marks: marks.clone(),
                    stats: stats.clone(),
                    tx: tx.clone(),
                };
                tokio::spawn(mastodon_task::run(task))
            })
            .collect();
        Ok(MastodonSource {
            rx,
            marks,
            tasks,
            max_batch: config.max_batch,
            linger: config.linger,
            stats,
        })
    }

    /// Takes one item into the batch; `true` when it is news (not a duplicate).
    fn take(&mut self, item: Item, batch: &mut SourceBatch) -> Result<bool, SourceError> {
        match item {
            Item::Post {
                timeline,
                mark,
                post,
            } => {
                let mut marks = self.marks.lock().expect("marks lock");
                if marks
                    .get(&timeline)
                    .is_some_and(|m| !newer(&mark.id, &m.id))
                {
                    return Ok(false);
                }
                marks.insert(timeline, mark);
                batch.posts.extend(post.map(|p| *p));
            }
            Item::Mark { timeline, mark } => {
                let mut marks = self.marks.lock().expect("marks lock");
                if marks.get(&timeline).is_none_or(|m| newer(&mark.id, &m.id)) {
                    marks.insert(timeline, mark);
                }
                return Ok(false);
            }
            Item::Edit(post) => batch.posts.push(*post),
            Item::Delete(key) => batch.deletes.push(key),
            Item::Gap(gap) => batch.gaps.push(gap),
            Item::Fatal(e) => return Err(e),
        }
        Ok(true)
    }
}

/// Whether Mastodon id `a` is newer than `b` (ids are decimal numbers written as strings).
pub(crate) fn newer(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

impl Drop for MastodonSource {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

#[async_trait::async_trait]
impl Source for MastodonSource {
    async fn next_batch(&mut self) -> Result<SourceBatch, SourceError> {
        let mut batch = SourceBatch::default();
        let mut flush_at: Option<Instant> = None;
        while batch.posts.len() + batch.deletes.len() < self.max_batch {
            let item = match flush_at {
                None => self.rx.recv().await,
                Some(at) => match tokio::time::timeout_at(at, self.rx.recv()).await {
                    Ok(item) => item,
                    Err(_) => break,
                },
            };
            let Some(item) = item else {
                return Err(SourceError::connection(
                    "mastodon",
                    "every stream task ended",
                ));
            };
            if self.take(item, &mut batch)? && flush_at.is_none() {
                flush_at = Some(Instant::now() + self.linger);
            }
        }
        SourceStats::add(&self.stats.posts, batch.posts.len() as u64);
        SourceStats::add(&self.stats.deletes, batch.deletes.len() as u64);
        SourceStats::add(&self.stats.gaps, batch.gaps.len() as u64);
        batch.checkpoint = self.checkpoint();
        Ok(batch)
    }

    fn checkpoint(&self) -> Checkpoint {
        Checkpoint::Mastodon {
            since: self.marks.lock().expect("marks lock").clone(),
        }
    }

    fn stats(&self) -> Arc<SourceStats> {
        self.stats.clone()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_compare_as_numbers() {
        assert!(super::newer("110", "99"));
        assert!(super::newer("1796219718722", "1796219718721"));
        assert!(!super::newer("99", "99"));
    }
}
