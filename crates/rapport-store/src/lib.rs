//! Rapport's storage.
//!
//! [`Store`] is the one interface the engine sees; [`open`] picks the backend from a URL
//! (`sqlite://...` or `postgres://...`). Each backend has its own migrations, and one
//! conformance suite (`tests/conformance.rs`) runs against both.
//!
//! Architecture invariant: only this crate knows SQL.

pub mod care;
pub mod channels;
mod error;
mod fts;
mod model;
mod plan;
mod postgres;
pub mod publish;
mod record;
pub mod sql;
mod sqlite;
pub mod testing;
mod threads;
pub mod users;

pub use care::CareStore;
pub use channels::ChannelStore;
pub use error::StoreError;
// The Store trait speaks these domain nouns; re-exported so its callers find them beside it.
pub use publish::PublishStore;
pub use rapport_domain::ingest::{IngestOutcome, IngestReport, NewPost};
pub use rapport_domain::stats::Stats;
pub use users::UserStore;

use async_trait::async_trait;
use rapport_domain::{
    Contact, ConversationId, Identity, Labels, Network, PostId, PostKey, StoredPost, TermFilter,
    Topic, TopicId, TopicOptions,
};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Everything the engine stores. Users, sessions and API tokens come with every store through
/// [`UserStore`]; an `Arc<dyn Store>` coerces to an `Arc<dyn UserStore>`.
#[async_trait]
pub trait Store: UserStore + Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// The care inbox's storage (cases, teams, SLA policies, outbox, contact fields) on the
    /// same database.
    fn care(&self) -> &dyn CareStore;

    /// The channels Rapport listens through, with each live source's checkpoint and gaps.
    fn channels(&self) -> &dyn ChannelStore;

    /// The publisher's ledger over the reply outbox (states, leases, reconciliation).
    fn publish(&self) -> &dyn PublishStore;

    // ---- ingest -------------------------------------------------------------------------

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

    // ---- posts and threads ----------------------------------------------------------------

    async fn post(&self, id: PostId) -> Result<Option<StoredPost>>;
    async fn post_by_key(&self, key: &PostKey) -> Result<Option<StoredPost>>;

    /// Posts in id order, after `after` (exclusive), at most `limit`: the way to walk the whole
    /// store in pages.
    async fn scan_posts(&self, after: Option<PostId>, limit: u32) -> Result<Vec<StoredPost>>;

    /// Posts whose text the full-text index says may satisfy `filter`, in id order after
    /// `after`, at most `limit`. A scan-all filter behaves like [`Store::scan_posts`].
    async fn search_candidates(
        &self,
        filter: &TermFilter,
        after: Option<PostId>,
        limit: u32,
    ) -> Result<Vec<StoredPost>>;

    /// Every post of a conversation, oldest first. An id whose conversation was merged into
    /// another leads to the one that absorbed it.
    async fn conversation(&self, id: ConversationId) -> Result<Vec<StoredPost>>;

    /// The root of a conversation: its earliest stored ancestor (the oldest post whose parent
    /// is not stored). Follows merges like [`Store::conversation`]; `None` for an unknown id.
    async fn conversation_root(&self, id: ConversationId) -> Result<Option<PostId>>;

    /// Topics a post matched.
    async fn post_topics(&self, id: PostId) -> Result<Vec<TopicId>>;

    /// Posts that matched a topic, newest first, at most `limit`.
    async fn topic_posts(&self, topic: TopicId, limit: u32) -> Result<Vec<StoredPost>>;

    /// Posts marked as mentions of own accounts, newest first, at most `limit`.
    async fn mentions(&self, limit: u32) -> Result<Vec<StoredPost>>;

    // ---- identities, contacts, own accounts -----------------------------------------------

    /// Looks an identity up by network and handle (case-insensitive, without `@`).
    async fn identity(&self, network: Network, handle: &str) -> Result<Option<Identity>>;
    async fn contact(&self, id: rapport_domain::ContactId) -> Result<Option<Contact>>;

    /// The posts written by any identity of the contact, oldest first: the newest `limit` of
    /// them, so a long history shows its recent end.
    async fn contact_timeline(
        &self,
        id: rapport_domain::ContactId,
        limit: u32,
    ) -> Result<Vec<StoredPost>>;

    /// Marks (or unmarks) an account as one of the company's own, creating the identity (and
    /// its contact) when unknown, and re-marks stored posts that mention or reply to it.
    async fn set_own_account(&self, network: Network, handle: &str, own: bool) -> Result<()>;
    async fn own_accounts(&self) -> Result<Vec<Identity>>;

    // ---- topics -------------------------------------------------------------------------

    /// Adds a topic; `StoreError::Conflict` when the name is taken.
    async fn add_topic(&self, name: &str, query: &str, options: &TopicOptions) -> Result<Topic>;
    /// Changes a topic's query/options; its stored matches are dropped (the engine rebuilds
    /// them).
    async fn update_topic(&self, id: TopicId, query: &str, options: &TopicOptions)
    -> Result<Topic>;
    async fn topics(&self) -> Result<Vec<Topic>>;
    async fn topic_by_name(&self, name: &str) -> Result<Option<Topic>>;
    /// Removes a topic and its matches; `false` when there was no such topic.
    async fn remove_topic(&self, name: &str) -> Result<bool>;
    /// Number of stored matches per topic.
    async fn topic_match_counts(&self) -> Result<Vec<(TopicId, u64)>>;

    // ---- figures --------------------------------------------------------------------------

    async fn stats(&self) -> Result<Stats>;
}

/// Opens (creating when needed) and migrates the store a URL names: `sqlite://PATH`,
/// `sqlite::memory:`, `postgres://...` / `postgresql://...`.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(
            postgres::PostgresStore::open(url).await?,
        ))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}
