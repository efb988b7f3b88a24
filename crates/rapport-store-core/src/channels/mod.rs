//! Channels: the network accounts Rapport listens through, and each live source's ledger.
//!
//! [`ChannelStore`] is reached from an opened store with [`crate::Store::channels`] (and what
//! the networks say was deleted with [`crate::Store::deletions`]); `sql.rs` implements both
//! once for both backends. A channel's credentials arrive here already encrypted by the
//! engine; the store keeps the ciphertext and never sees them in clear. The checkpoint is
//! whatever the source wrote (JSON); the engine saves it only after the batch it closes is
//! stored, which is what makes a restart gapless.

mod sql;

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{Network, PostKey};
// The nouns are the domain's; the backends' shared SQL (`sql.rs`) names them from here.
pub(crate) use rapport_domain::ChannelId;
pub(crate) use rapport_domain::channel::*;

/// The channels Rapport listens through, with each live source's checkpoint, gaps and monthly
/// reads.
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

    /// Adds `reads` to the channel's reads in `month` (`YYYY-MM`); returns the month's total.
    async fn add_reads(&self, id: ChannelId, month: &str, reads: u64) -> Result<u64>;

    /// The channel's reads in `month` (`YYYY-MM`), 0 when none.
    async fn reads(&self, id: ChannelId, month: &str) -> Result<u64>;
}

/// What the networks say was deleted: posts and whole accounts.
#[async_trait]
pub trait DeletionStore: Send + Sync {
    /// Marks stored posts the network says were deleted and empties them as an erasure does
    /// (their rows stay, for counts and case histories); returns how many were newly marked
    /// (unknown keys and posts marked before are left as they are).
    async fn mark_deleted(&self, keys: &[PostKey], at: DateTime<Utc>) -> Result<u64>;

    /// Marks every stored post of the account `native_id` (the identity's network id: a DID on
    /// Bluesky) deleted and empties it, when the network says the account was; returns how many
    /// were newly marked.
    async fn mark_author_deleted(
        &self,
        network: Network,
        native_id: &str,
        at: DateTime<Utc>,
    ) -> Result<u64>;

    /// When a stored post was marked deleted; `None` when it was not (or is unknown).
    async fn deleted_at(&self, key: &PostKey) -> Result<Option<DateTime<Utc>>>;
}
