//! Reports: figures the store computes over the rows it keeps, one query each, so a report
//! never reads posts one by one and every figure can be traced back to rows by the same rule.

mod listening;
mod sql;

use crate::Result;
use async_trait::async_trait;
use rapport_domain::care::AccountResponse;
use rapport_domain::listening::{
    AuthorOrder, AuthorRow, Bucket, Counts, IntentMix, ListeningFilter, SentimentCounts,
};
use rapport_domain::{SentimentLabel, StoredPost, TopicId};

/// Figures for the care and listening reports.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// How each own account answered the customers who addressed it, every own account once
    /// (those nobody addressed with zeros), most addressed first. A customer post (by an
    /// identity that is not an own account) is addressed to an account when it mentions it or
    /// replies to one of its posts; it is answered when a post of the account replies to it,
    /// and its reply time runs to the earliest such reply. Times are wall-clock.
    async fn account_responses(&self) -> Result<Vec<AccountResponse>>;

    /// The posts under `filter` per bucket (its start in microseconds since the epoch, UTC;
    /// weeks from Monday) and sentiment, in bucket order; empty buckets are left out.
    async fn listening_volume(
        &self,
        filter: &ListeningFilter,
        bucket: Bucket,
    ) -> Result<Vec<(i64, Option<SentimentLabel>, u64)>>;

    /// Per topic that matched a post under `filter` (only `filter.topics` when it names
    /// some), its posts by sentiment, in topic id order.
    async fn listening_topics(
        &self,
        filter: &ListeningFilter,
    ) -> Result<Vec<(TopicId, String, SentimentCounts)>>;

    /// The posts under `filter` per intent.
    async fn listening_intents(&self, filter: &ListeningFilter) -> Result<IntentMix>;

    /// The authors with the most posts under `filter`, or the most reach, at most `limit`.
    async fn listening_authors(
        &self,
        filter: &ListeningFilter,
        order: AuthorOrder,
        limit: u32,
    ) -> Result<Vec<AuthorRow>>;

    /// Hashtags with the posts under `filter` holding them, most first, at most `limit`.
    async fn listening_hashtags(&self, filter: &ListeningFilter, limit: u32) -> Result<Counts>;

    /// The texts of the newest `limit` posts under `filter`, in the order of
    /// [`Self::listening_posts`], for the term counts.
    async fn listening_texts(&self, filter: &ListeningFilter, limit: u32) -> Result<Vec<String>>;

    /// How many posts are under `filter`, and a page of them, newest first: the posts behind
    /// a figure.
    async fn listening_posts(
        &self,
        filter: &ListeningFilter,
        limit: u32,
        offset: u32,
    ) -> Result<(u64, Vec<StoredPost>)>;
}
