//! Posts: ingest, labels, topic matches and reading them back.

pub(crate) mod sql;

use crate::{IngestReport, NewPost, Result, Stats};
use async_trait::async_trait;
use rapport_domain::{Labels, PostId, PostKey, StoredPost, TermFilter, TopicId};

/// Posts: the ingest of batches, their labels and topic matches, and reading them back.
#[async_trait]
pub trait PostStore: Send + Sync {
    /// Stores a batch of posts in one transaction. Idempotent on (network, native id): a post
    /// already stored is reported as `Duplicate` and left untouched (its matches and labels
    /// too). For each new post the store
    /// - finds or creates the author's identity (network + lowercased handle) and its contact,
    ///   updating display name / followers / native id when the new post knows them, and marks
    ///   the identity as an own account when `post.author.own_account` is set;
    /// - places the post in a conversation: its parent's conversation when the parent is stored,
    ///   otherwise a new one; when a post arrives whose children were stored before it, their
    ///   conversations are merged into its own, so a thread ends up whole whatever the order;
    /// - computes `is_mention`: the post mentions an own account, replies to a post by an own
    ///   account, or its `reply_to_handle` is an own account; and when an identity becomes an
    ///   own account (or a parent by an own account arrives late), posts stored earlier that
    ///   mention or reply to it are marked too;
    /// - records its labels and topic matches and indexes its text for full-text search.
    ///
    /// Outcomes come back in the order of `batch`.
    async fn ingest(&self, batch: Vec<NewPost>) -> Result<IngestReport>;

    /// Replaces the labels of stored posts (after a model changes).
    async fn set_labels(&self, labels: &[(PostId, Labels)]) -> Result<()>;

    /// Adds topic matches (backfill after a topic is added); existing pairs are ignored.
    async fn add_matches(&self, matches: &[(PostId, TopicId)]) -> Result<u64>;

    async fn post(&self, id: PostId) -> Result<Option<StoredPost>>;

    async fn post_by_key(&self, key: &PostKey) -> Result<Option<StoredPost>>;

    /// Posts in id order, after `after` (exclusive), at most `limit`: the way to walk the whole
    /// store in pages.
    async fn scan_posts(&self, after: Option<PostId>, limit: u32) -> Result<Vec<StoredPost>>;

    /// Posts whose text the full-text index says may satisfy `filter`, in id order after
    /// `after`, at most `limit`. A scan-all filter behaves like [`PostStore::scan_posts`].
    async fn search_candidates(
        &self,
        filter: &TermFilter,
        after: Option<PostId>,
        limit: u32,
    ) -> Result<Vec<StoredPost>>;

    /// Topics a post matched.
    async fn post_topics(&self, id: PostId) -> Result<Vec<TopicId>>;

    /// Posts that matched a topic, newest first, at most `limit`.
    async fn topic_posts(&self, topic: TopicId, limit: u32) -> Result<Vec<StoredPost>>;

    /// Posts marked as mentions of own accounts, newest first, at most `limit`.
    async fn mentions(&self, limit: u32) -> Result<Vec<StoredPost>>;

    async fn stats(&self) -> Result<Stats>;
}
