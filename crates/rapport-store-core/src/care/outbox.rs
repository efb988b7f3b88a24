//! The `OutboxStore` capability.

use super::*;

/// Replies queued from the inbox, and their attempts.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Queues a reply; the same idempotency key returns the entry already queued, with
    /// `false`.
    async fn enqueue_reply(&self, reply: &NewReply) -> Result<(OutboxEntry, bool)>;

    async fn outbox_entry(&self, id: ReplyId) -> Result<Option<OutboxEntry>>;

    /// Entries in id order, optionally of one status, at most `limit`.
    async fn outbox(&self, status: Option<ReplyStatus>, limit: u32) -> Result<Vec<OutboxEntry>>;

    async fn case_replies(&self, case: CaseId) -> Result<Vec<OutboxEntry>>;

    async fn contact_replies(&self, contact: ContactId) -> Result<Vec<OutboxEntry>>;

    /// Records a publishing attempt (attempts go up by one).
    async fn mark_reply(
        &self,
        id: ReplyId,
        outcome: &ReplyOutcome,
        at: DateTime<Utc>,
    ) -> Result<OutboxEntry>;
}
