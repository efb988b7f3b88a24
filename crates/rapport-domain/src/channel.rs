//! Channels: the network accounts Rapport listens and publishes through, as the store keeps
//! them (credentials only as the engine's ciphertext), and the gaps their sources reported.

pub use crate::ChannelId;
use crate::Network;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

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
    /// The text that is no state, for the store to report as corrupt.
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "new" => ChannelState::New,
            "connected" => ChannelState::Connected,
            "reconnecting" => ChannelState::Reconnecting,
            "failing" => ChannelState::Failing,
            "paused" => ChannelState::Paused,
            other => return Err(format!("channel state '{other}'")),
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
