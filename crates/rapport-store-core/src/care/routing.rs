//! The `RoutingStore` capability.

use super::*;

/// What routing reads and writes: the posts above its watermark and the cases it decides,
/// written in one transaction with the watermark.
#[async_trait]
pub trait RoutingStore: Send + Sync {
    /// The stored posts with what routing needs, in the order given; unknown ids are left out.
    async fn route_candidates(&self, posts: &[PostId]) -> Result<Vec<RouteCandidate>>;

    /// Routing's watermark and the ids of at most `limit` posts stored after it, in id order:
    /// the posts routing still owes, including those a crash left between the commit of their
    /// batch and the commit of its routing.
    async fn unrouted_posts(&self, limit: u32) -> Result<Unrouted>;

    /// Routing's watermark and how many posts are stored after it: one row, so a pipeline
    /// can tell whether the posts it just stored are all that routing owes.
    async fn unrouted_count(&self) -> Result<(PostId, u64)>;

    /// For each (conversation, after, after_post): the posts of that conversation later than
    /// (`after`, `after_post`) that no case holds yet, oldest first, at most `limit_each` per
    /// entry (a case opened on an earlier post takes them in). One query for all the cases a
    /// routing pass opens.
    async fn later_unattached_posts(
        &self,
        after: &[(ConversationId, DateTime<Utc>, PostId)],
        limit_each: u32,
    ) -> Result<Vec<(ConversationId, PostId)>>;

    /// Creates (id 0) and saves cases in one transaction, as [`crate::CaseStore::create_case`] and
    /// [`crate::CaseStore::save_case`] would one by one; on any conflict nothing is written. With
    /// `routed`, routing's watermark moves from `routed.from` to `routed.to` in the same
    /// transaction, and a watermark no longer at `routed.from` (another routing pass got there
    /// first) is a `Conflict` too: cases and watermark commit together or not at all.
    async fn write_cases(
        &self,
        writes: &[CaseWrite],
        routed: Option<RoutedThrough>,
    ) -> Result<Vec<CaseRecord>>;
}
