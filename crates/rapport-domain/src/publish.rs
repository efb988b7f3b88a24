//! The publisher's ledger over the reply outbox: each entry's state on its way to a network,
//! and how an attempt ended.

use crate::care::{OutboxEntry, ReplyId};
use crate::{ChannelId, PublicationId};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// An outbox entry with its publishing ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishEntry {
    #[serde(flatten)]
    pub entry: OutboxEntry,
    /// The channel that sends it, from its first attempt on.
    pub channel: Option<ChannelId>,
    /// The same on every attempt: Bluesky's record key, Mastodon's `Idempotency-Key`.
    pub publish_key: Option<String>,
    /// No attempt before this instant.
    pub not_before: DateTime<Utc>,
    /// While `sending`: held by a publisher until then.
    pub lease_until: Option<DateTime<Utc>>,
    /// An earlier attempt's outcome was unknown: ask the network before sending.
    pub reconcile: bool,
    pub first_attempt_at: Option<DateTime<Utc>>,
    /// The published reply's address on the network.
    pub sent_url: Option<String>,
    /// When the network confirmed it.
    pub sent_at: Option<DateTime<Utc>>,
    /// For a publication's part: the publication, the variant (its position) and the part
    /// of its thread (from 1).
    pub publication: Option<PublicationId>,
    pub variant: Option<u32>,
    pub part: Option<u32>,
    /// The part this one answers in its thread; it is sent only once that one is.
    pub after_entry: Option<ReplyId>,
}

/// How an attempt ended, as the publisher records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishOutcome {
    /// The network holds the post (sent now, or found by reconciliation).
    Sent { native_id: String, url: String },
    /// Not sent, and known not to be: try again from `retry_at`.
    Retry {
        reason: String,
        retry_at: DateTime<Utc>,
    },
    /// Maybe sent: reconcile from `retry_at` before sending again.
    Unknown {
        reason: String,
        retry_at: DateTime<Utc>,
    },
    /// Refused for good (credentials revoked, post deleted, reply not allowed): the agent can
    /// edit the reply and send it again.
    Failed { reason: String },
}

/// Entries in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutboxCounts {
    pub queued: u64,
    pub sending: u64,
    pub sent: u64,
    pub failed: u64,
    pub unknown: u64,
}
