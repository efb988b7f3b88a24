//! The reply outbox: replies agents queued, and what publishing did with them.

use super::ReplyId;
use crate::{CaseId, Network, PostId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyStatus {
    /// Waiting for the publisher (first time, or again after a transient failure).
    Queued,
    /// A publisher has taken it and may have sent it: the attempt is recorded before sending.
    Sending,
    Sent,
    Failed,
    /// An attempt's outcome is not known (a timeout, a reset after the request left): the
    /// publisher asks the network before it sends again.
    Unknown,
}

impl ReplyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }
}

impl FromStr for ReplyStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "queued" => Ok(Self::Queued),
            "sending" => Ok(Self::Sending),
            "sent" => Ok(Self::Sent),
            "failed" => Ok(Self::Failed),
            "unknown" => Ok(Self::Unknown),
            _ => Err(format!(
                "unknown reply status '{s}' (expected queued, sending, sent, failed or unknown)"
            )),
        }
    }
}

/// A reply on its way into the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReply {
    pub case_id: CaseId,
    pub network: Network,
    pub in_reply_to: Option<PostId>,
    pub body: String,
    pub author: UserId,
    /// The same key queues the same reply once, however often it is sent.
    pub idempotency_key: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: ReplyId,
    /// The case a reply answers; `None` for a publication's part
    /// ([`crate::publish::PublishEntry::publication`]).
    pub case_id: Option<CaseId>,
    pub network: Network,
    pub in_reply_to: Option<PostId>,
    pub body: String,
    pub author: UserId,
    pub idempotency_key: String,
    pub status: ReplyStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The network's id of the published reply.
    pub sent_native_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a publishing attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyOutcome {
    Sent { native_id: String },
    Failed { error: String },
}
