//! Live sources: read a network as it happens and hand over batches of posts with a checkpoint.
//!
//! A [`Source`] yields [`SourceBatch`]es. Each batch carries the posts read, the posts the
//! network says were deleted ([`PostKey`]s), the [`Gap`]s the source knows it could not cover,
//! and the [`Checkpoint`] that holds once everything in the batch is stored. The caller persists
//! the checkpoint only after the batch is stored (the ledger rule), and starts a source from it
//! after a restart: the source resumes there, re-reading a little for safety (deduplication
//! downstream makes the overlap harmless).
//!
//! Transient failures (a dropped connection, a silent one, a 429 or 5xx answer) are handled
//! inside the source: it reconnects with exponential backoff and jitter ([`Backoff`]) and counts
//! the reconnect in its [`SourceStats`]. Only a [`SourceError`] that is
//! [fatal](SourceError::is_fatal) (bad credentials, a forbidden endpoint, a bad configuration) is
//! returned from [`Source::next_batch`]. Bad frames (invalid JSON or UTF-8, oversized messages,
//! unknown event kinds) are counted and skipped; they never stop a source.
//!
//! Every read has a deadline: each network sends heartbeats or keep-alives (or answers pings),
//! and a connection that stays silent longer than its `read_timeout` is dropped and reopened.
//!
//! # Per network
//!
//! - [`JetstreamSource`] (Bluesky): `wantedCollections=app.bsky.feed.post`, optional
//!   `wantedDids`, `cursor` in microseconds, optional `compress=true` (binary zstd frames,
//!   read with Jetstream's own dictionary, shipped in this crate). Creates become posts through the `jetstream`
//!   importer's mapping, deletes become [`PostKey`]s, other events are counted as skipped. The
//!   source pings the server and drops a connection silent longer than its read timeout. A
//!   reconnect in the same process resumes right after the last event read; a source started
//!   from a stored checkpoint starts `safety_margin` earlier. A cursor older than the
//!   configured replay window is reported as a [`Gap`] (Jetstream then starts from its oldest
//!   event without saying so).
//! - [`FirehoseSource`] (Bluesky): `com.atproto.sync.subscribeRepos` of a relay or a PDS.
//!   Binary frames of two DAG-CBOR values (header, body); `#commit` bodies carry the ops and a
//!   CAR file of the new records. Post creates go through the `jetstream` importer's mapping
//!   (the record read from its CAR block, in atproto JSON form), and the DIDs it names (author,
//!   mentions from facets, the parent's author) are resolved to handles by a cached
//!   [`HandleResolver`]; post deletes become [`PostKey`]s; `#identity` refreshes the cache;
//!   `#account`, `#sync` and unknown kinds are counted as skipped; `#info` `OutdatedCursor`
//!   becomes a [`Gap`]; error frames (`FutureCursor`, `ConsumerTooSlow`) end the connection
//!   (after `FutureCursor` the source reads from now). The cursor is `seq`; a resumed source
//!   starts `safety_margin` events early. Commits are not signature-checked: the source trusts
//!   the relay or PDS it connects to, as it trusts Jetstream.
//! - [`MastodonSource`]: one stream per [`MastodonStream`], over SSE or a WebSocket
//!   ([`MastodonTransport`]; the WebSocket's `{"event", "payload"}` messages carry what SSE
//!   events carry): mentions through `notification` events on the user stream, hashtag and
//!   public streams through `update`, `delete` and
//!   `status.update` (also spelt `status_update`, as `mastodon_mock` does), `:` heartbeats.
//!   Streaming has no cursor, so every (re)connect first opens the stream, then back-fills the
//!   timeline over REST with `since_id` (and `max_id` for the next pages: the `Link` header's
//!   `next` page drops `since_id`), at most `backfill_pages` pages; beyond that, a [`Gap`].
//!   The checkpoint holds, per timeline, the newest id read ([`TimelineMark`]).
//! - [`XFilteredStream`]: `GET /2/tweets/search/stream`, NDJSON with `\r\n` keep-alives every
//!   20 s; posts through the `x-v2` importer's mapping; a 429 waits until `x-rate-limit-reset`.
//!   Each post read is counted in [`SourceStats::reads`] (X bills per read; the monthly cap is
//!   the engine's policy). X keeps no cursor: time not connected (beyond `backfill_minutes`) is
//!   a [`Gap`]. [`XRules::sync`] makes the stream's rules equal the topics' rules: it lists
//!   them, sends the difference with `dry_run=true`, then for real. The translation of a
//!   listening query into a rule is `rapport_query::to_x_rule`.
//!
//! # How it is tested
//!
//! The firehose runs against a real PDS (npm's `@atproto/dev-env`, started by the tests
//! through `scripts/atproto-pds`); bad frames (truncated CBOR, unknown ops, broken CAR
//! blocks, oversized frames) against a test server sending frames built by the tests.
//! Mastodon runs against the real `mastodon_mock` (PyPI), started by the tests through
//! `scripts/mastodon-mock`, with its fault injection (forced statuses, malformed bodies, hung
//! requests). Jetstream runs against a test server replaying events in Jetstream's documented
//! JSON shape. X cannot run here: its tests use a test server written from X's public API v2
//! documentation (`tests/live/x_server.rs`), so the X client is verified only against that
//! reading of the documentation.

mod backoff;
mod firehose;
mod firehose_frame;
mod handles;
mod jetstream;
mod lines;
mod mastodon;
mod mastodon_task;
mod mastodon_ws;
mod probe;
mod sse;
mod whoami;
mod x_rules;
mod x_stream;

pub use backoff::Backoff;

/// [`firehose_frame::decode`] run to completion on the calling thread, for the fuzz targets.
/// The CAR reader reads from a byte slice, which is always ready, so no runtime is needed.
pub(crate) fn decode_frame_blocking(bytes: &[u8]) -> Result<String, String> {
    let mut decode = std::pin::pin!(firehose_frame::decode(bytes));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(frame) = decode.as_mut().poll(&mut cx) {
            return frame.map(|f| format!("{f:?}")).map_err(|e| e.to_string());
        }
    }
}
pub use firehose::{FirehoseConfig, FirehoseSource};
pub use handles::{HandleResolver, PLC_DIRECTORY};
pub use jetstream::{JetstreamConfig, JetstreamSource};
pub use mastodon::{MastodonConfig, MastodonSource, MastodonStream, MastodonTransport};
pub use probe::{Probe, probe};
pub use whoami::{bluesky_account, mastodon_account};
pub use x_rules::{ListedRule, RuleChange, XRule, XRules};
pub use x_stream::{XConfig, XFilteredStream};

use chrono::{DateTime, Utc};
use rapport_domain::{Network, Post, PostKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A live source of posts. See the [module docs](self).
#[async_trait::async_trait]
pub trait Source: Send {
    /// The next batch: waits until there is something to hand over (posts, deletes, a gap, or
    /// a checkpoint that moved). Transient failures are retried inside; an `Err` is fatal.
    async fn next_batch(&mut self) -> Result<SourceBatch, SourceError>;

    /// Where the source stands now (the checkpoint of the last batch handed over).
    fn checkpoint(&self) -> Checkpoint;

    /// Counters a health panel reads while the source runs.
    fn stats(&self) -> Arc<SourceStats>;
}

/// What a source read since its previous batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceBatch {
    pub posts: Vec<Post>,
    pub deletes: Vec<PostKey>,
    /// Accounts the network says were deleted: every post of theirs is to be marked deleted,
    /// as a post deleted one by one is (a person who deletes their account expects their posts
    /// gone from the company's tools too).
    pub deleted_accounts: Vec<DeletedAccount>,
    pub gaps: Vec<Gap>,
    /// Holds once everything above is stored.
    pub checkpoint: Checkpoint,
}

impl SourceBatch {
    pub fn is_empty(&self) -> bool {
        self.posts.is_empty()
            && self.deletes.is_empty()
            && self.deleted_accounts.is_empty()
            && self.gaps.is_empty()
    }
}

/// An account deleted on its network, named as its posts name their author
/// (`Post::author.native_id`: a DID on Bluesky).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedAccount {
    pub network: Network,
    pub native_id: String,
}

/// A Bluesky `#account` event (the firehose's, or Jetstream's `account`): a deleted account's posts
/// are to be marked deleted. Deactivated, suspended and taken-down accounts can come back, so
/// their posts stay as they are (logged).
pub(crate) fn bluesky_account_event(
    did: String,
    active: bool,
    status: Option<&str>,
    batch: &mut SourceBatch,
    stats: &SourceStats,
) {
    if active {
        SourceStats::add(&stats.skipped, 1);
    } else if status == Some("deleted") {
        tracing::info!(%did, "bluesky account deleted; its posts will be marked deleted");
        batch.deleted_accounts.push(DeletedAccount {
            network: Network::Bluesky,
            native_id: did,
        });
    } else {
        tracing::info!(%did, status = status.unwrap_or(""), "bluesky account inactive");
        SourceStats::add(&stats.skipped, 1);
    }
}

/// A period a source knows it could not cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub reason: String,
}

/// Where a source stands, small enough to persist with every batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Checkpoint {
    /// Start from now.
    #[default]
    Beginning,
    /// Jetstream: the `time_us` of the last event read.
    Jetstream { time_us: u64 },
    /// The AT Protocol firehose: the `seq` of the last event read and its time.
    Firehose { seq: i64, time: DateTime<Utc> },
    /// Mastodon: per timeline (`notifications`, `tag:NAME`, `public`), the newest id read.
    Mastodon {
        since: BTreeMap<String, TimelineMark>,
    },
    /// X: the newest tweet id seen.
    X { newest_id: String },
}

/// The newest item read from one Mastodon timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineMark {
    pub id: String,
    pub at: DateTime<Utc>,
}

impl Checkpoint {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint always serializes")
    }

    pub fn from_json(s: &str) -> Result<Checkpoint, SourceError> {
        serde_json::from_str(s).map_err(|e| SourceError::Config(format!("bad checkpoint: {e}")))
    }
}

/// Why a source stopped (fatal) or had to reconnect (transient).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The network refused the credentials (401) or the access (403).
    #[error("{network} refused the credentials ({status}): {detail}")]
    Auth {
        network: &'static str,
        status: u16,
        detail: String,
    },
    /// The source is configured wrongly (a bad URL, a bad checkpoint).
    #[error("bad source configuration: {0}")]
    Config(String),
    /// The connection failed, dropped or went silent.
    #[error("connection to {network} failed: {detail}")]
    Connection {
        network: &'static str,
        detail: String,
    },
    /// An HTTP answer other than success (5xx, 4xx other than auth).
    #[error("{network} answered {status}: {detail}")]
    Status {
        network: &'static str,
        status: u16,
        detail: String,
        /// How long the network asked us to wait (429 with reset headers).
        retry_after: Option<Duration>,
    },
}

impl SourceError {
    /// Whether retrying cannot help: bad credentials or configuration.
    pub fn is_fatal(&self) -> bool {
        match self {
            SourceError::Auth { .. } | SourceError::Config(_) => true,
            SourceError::Status { status, .. } => matches!(status, 400 | 404 | 410 | 422),
            SourceError::Connection { .. } => false,
        }
    }

    pub(crate) fn connection(network: &'static str, detail: impl ToString) -> SourceError {
        SourceError::Connection {
            network,
            detail: detail.to_string(),
        }
    }

    /// An error for a non-success HTTP status.
    pub(crate) fn http(
        network: &'static str,
        status: u16,
        detail: String,
        retry_after: Option<Duration>,
    ) -> SourceError {
        match status {
            401 | 403 => SourceError::Auth {
                network,
                status,
                detail,
            },
            _ => SourceError::Status {
                network,
                status,
                detail,
                retry_after,
            },
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            SourceError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Counters of a running source, shared with whoever watches it.
#[derive(Debug, Default)]
pub struct SourceStats {
    pub posts: AtomicU64,
    pub deletes: AtomicU64,
    /// Frames that could not be read (invalid JSON or UTF-8, oversized, not a post).
    pub bad_frames: AtomicU64,
    /// Events of a kind the source does not use (likes, identity events, unknown kinds).
    pub skipped: AtomicU64,
    /// Connections established (for Mastodon: stream open and back-fill done).
    pub connects: AtomicU64,
    pub reconnects: AtomicU64,
    pub gaps: AtomicU64,
    /// Billable reads (X counts each post delivered by the stream).
    pub reads: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl SourceStats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The last transient or fatal error, as text (never holds a credential).
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }

    pub(crate) fn set_error(&self, e: &SourceError) {
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(e.to_string());
        }
    }
}

/// Handles a failed connection attempt or a dropped connection: a fatal error is returned, a
/// transient one is counted, logged and waited out (the network's own wait when it gave one).
pub(crate) async fn after_failure(
    stats: &SourceStats,
    backoff: &mut Backoff,
    source: &str,
    e: SourceError,
) -> Result<(), SourceError> {
    stats.set_error(&e);
    if e.is_fatal() {
        tracing::error!(source, error = %e, "source stopped");
        return Err(e);
    }
    SourceStats::add(&stats.reconnects, 1);
    let wait = e.retry_after().unwrap_or_else(|| backoff.next_delay());
    tracing::warn!(source, error = %e, wait_ms = wait.as_millis() as u64, "reconnecting");
    tokio::time::sleep(wait).await;
    Ok(())
}
