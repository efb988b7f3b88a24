//! The publisher's ledger: the state of every outbox entry on its way to a network.
//!
//! [`PublishStore`] is reached from an opened store with [`crate::Store::publish`]; `sql.rs`
//! implements it once for both backends. The rows are the care outbox's
//! (`OutboxStore::enqueue_reply` queues them); this ledger adds what publishing needs
//! (migration 0006).
//!
//! The ledger rule: an attempt is recorded ([`PublishStore::claim_next`] moves the entry to
//! `sending` with a lease) before anything is sent. A publisher that dies while holding an
//! entry leaves it `sending`; once the lease has run out the next claim takes it with
//! `reconcile` set, and the publisher asks the network whether the post exists before sending
//! again. An `unknown` outcome sets `reconcile` for good: every later attempt of that entry
//! reconciles first.

mod sql;

pub(crate) use sql::entries_of_publications;

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::care::{ReplyId, ReplyStatus};
use rapport_domain::{CaseId, ChannelId, Network};
// The nouns are the domain's; the backends' shared SQL (`sql.rs`) names them from here.
pub(crate) use rapport_domain::publish::*;

#[async_trait]
pub trait PublishStore: Send + Sync {
    /// Takes the next entry of `network` that `channel` may send (not yet held by another
    /// channel; a publication's part only by the channel it was written for, and only once
    /// the part before it in its thread is sent) and is due at `now`: queued or unknown ones whose `not_before` has come, and
    /// sending ones whose lease ran out (their publisher died; `reconcile` is set on them).
    /// The entry becomes `sending`, held until `now + lease`; its attempts go up by one; its
    /// publish key is `fresh_key` unless it has one. `None` when nothing is due.
    async fn claim_next(
        &self,
        network: Network,
        channel: ChannelId,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        fresh_key: &str,
    ) -> Result<Option<PublishEntry>>;

    /// Records how the attempt on a `sending` entry ended. `Conflict` when the entry is not
    /// `sending` any more (its lease ran out and another publisher took it).
    async fn finish(
        &self,
        id: ReplyId,
        outcome: &PublishOutcome,
        at: DateTime<Utc>,
    ) -> Result<PublishEntry>;

    /// Puts a failed entry back in the queue with an edited body (the agent's resend). Its
    /// publish key is kept. `Conflict` unless it is `failed`; `NotFound` for an unknown id.
    async fn resend(&self, id: ReplyId, body: &str, at: DateTime<Utc>) -> Result<PublishEntry>;

    async fn publish_entry(&self, id: ReplyId) -> Result<Option<PublishEntry>>;

    /// A case's entries, oldest first.
    async fn case_publish_entries(&self, case: CaseId) -> Result<Vec<PublishEntry>>;

    /// Entries in id order after `after`, optionally of one status, at most `limit`.
    async fn publish_entries(
        &self,
        status: Option<ReplyStatus>,
        after: Option<ReplyId>,
        limit: u32,
    ) -> Result<Vec<PublishEntry>>;

    /// The entry that published the post `native_id` on `network`, if one did.
    async fn entry_by_native(
        &self,
        network: Network,
        native_id: &str,
    ) -> Result<Option<PublishEntry>>;

    /// The network ids of what this channel published since `since`: reconciliation never
    /// takes another entry's post for its own.
    async fn sent_native_ids(
        &self,
        channel: ChannelId,
        since: DateTime<Utc>,
    ) -> Result<Vec<String>>;

    async fn outbox_counts(&self) -> Result<OutboxCounts>;
}
