//! Channels: the network accounts Rapport listens through, and each live source's ledger.
//!
//! [`ChannelStore`] is reached from an opened store with [`crate::Store::channels`]. Both
//! backends share their queries (`sql.rs`, included by `sqlite/channels.rs` and
//! `postgres/channels.rs`). A channel's credentials arrive here already encrypted by the
//! engine; the store keeps the ciphertext and never sees them in clear. The checkpoint is
//! whatever the source wrote (JSON); the engine saves it only after the batch it closes is
//! stored, which is what makes a restart gapless.

use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{Network, PostKey};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A channel's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ChannelId(pub i64);

/// How a channel's source is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelState {
    /// Added, never started.
    New,
    Connected,
    /// A transient failure; the source retries with backoff.
    Reconnecting,
    /// A fatal failure (bad credentials, bad configuration): retrying cannot help.
    Failing,
    /// Stopped on purpose until a set time (a monthly read budget is spent).
    Paused,
}

impl ChannelState {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelState::New => "new",
            ChannelState::Connected => "connected",
            ChannelState::Reconnecting => "reconnecting",
            ChannelState::Failing => "failing",
            ChannelState::Paused => "paused",
        }
    }
}

impl fmt::Display for ChannelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChannelState {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "new" => ChannelState::New,
            "connected" => ChannelState::Connected,
            "reconnecting" => ChannelState::Reconnecting,
            "failing" => ChannelState::Failing,
            "paused" => ChannelState::Paused,
            other => return Err(StoreError::Corrupt(format!("channel state '{other}'"))),
        })
    }
}

/// A channel to add.
#[derive(Clone, PartialEq, Eq)]
pub struct NewChannel {
    pub name: String,
    pub network: Network,
    /// The network's settings that are not secret, as JSON.
    pub config: String,
    /// The credentials, encrypted by the engine.
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

/// A stored channel.
#[derive(Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: ChannelId,
    pub name: String,
    pub network: Network,
    pub config: String,
    /// Ciphertext; only the engine's key opens it.
    pub secret: String,
    pub enabled: bool,
    pub state: ChannelState,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// The checkpoint of the last batch stored (JSON), `None` before the first.
    pub checkpoint: Option<String>,
    pub checkpoint_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

// The secret stays out of debug output, so a channel can be logged.
impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("network", &self.network)
            .field("config", &self.config)
            .field("enabled", &self.enabled)
            .field("state", &self.state)
            .field("last_error", &self.last_error)
            .field("checkpoint", &self.checkpoint)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for NewChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewChannel")
            .field("name", &self.name)
            .field("network", &self.network)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A period a channel's source could not cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelGap {
    pub channel: ChannelId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub reason: String,
    pub recorded_at: DateTime<Utc>,
}

#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// Adds a channel; `Conflict` when the name is taken, `Invalid` when it is empty.
    async fn add_channel(&self, channel: &NewChannel) -> Result<Channel>;
    /// Every channel, by name.
    async fn list_channels(&self) -> Result<Vec<Channel>>;
    async fn channel(&self, name: &str) -> Result<Option<Channel>>;
    /// Removes a channel with its gaps; `false` when there was none of that name.
    async fn remove_channel(&self, name: &str) -> Result<bool>;
    async fn set_channel_enabled(&self, id: ChannelId, enabled: bool) -> Result<()>;
    /// Sets the state; an error (with when it happened) replaces the last one, `None` keeps it.
    async fn set_channel_state(
        &self,
        id: ChannelId,
        state: ChannelState,
        error: Option<(&str, DateTime<Utc>)>,
    ) -> Result<()>;
    /// Saves the checkpoint of a batch that is stored.
    async fn save_checkpoint(
        &self,
        id: ChannelId,
        checkpoint: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn record_gap(&self, gap: &ChannelGap) -> Result<()>;
    /// The channel's gaps, newest first, at most `limit`.
    async fn gaps(&self, id: ChannelId, limit: u32) -> Result<Vec<ChannelGap>>;
    /// Marks stored posts the network says were deleted; returns how many were newly marked
    /// (unknown keys and posts marked before are left as they are).
    async fn mark_deleted(&self, keys: &[PostKey], at: DateTime<Utc>) -> Result<u64>;
    /// Marks every stored post of the account `native_id` (the identity's network id: a DID on
    /// Bluesky) deleted, when the network says the account was; returns how many were newly
    /// marked.
    async fn mark_author_deleted(
        &self,
        network: Network,
        native_id: &str,
        at: DateTime<Utc>,
    ) -> Result<u64>;
    /// When a stored post was marked deleted; `None` when it was not (or is unknown).
    async fn deleted_at(&self, key: &PostKey) -> Result<Option<DateTime<Utc>>>;
    /// Adds `reads` to the channel's reads in `month` (`YYYY-MM`); returns the month's total.
    async fn add_reads(&self, id: ChannelId, month: &str, reads: u64) -> Result<u64>;
    /// The channel's reads in `month` (`YYYY-MM`), 0 when none.
    async fn reads(&self, id: ChannelId, month: &str) -> Result<u64>;
}
