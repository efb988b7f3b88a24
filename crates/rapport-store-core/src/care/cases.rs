//! The `CaseStore` capability.

use super::*;

/// Cases with their posts and audit log.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Stores a new case with its first posts and events in one transaction. The id in
    /// `record` and in the events is replaced by the new case's id; the version starts at 1.
    async fn create_case(
        &self,
        record: &CaseRecord,
        posts: &[CasePost],
        events: &[CaseEvent],
    ) -> Result<CaseRecord>;

    /// Saves a case's fields, attaches posts (already attached ones are ignored) and appends
    /// events, in one transaction. `Conflict` when the stored version is not `record.version`
    /// (someone else saved it first); returns the record with its new version.
    async fn save_case(
        &self,
        record: &CaseRecord,
        posts: &[CasePost],
        events: &[CaseEvent],
    ) -> Result<CaseRecord>;

    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>>;

    /// The most recently opened case of a conversation, following conversation merges.
    async fn latest_case_in_conversation(&self, id: ConversationId) -> Result<Option<CaseRecord>>;

    /// The latest case of each of these conversations (ids as `RouteCandidate` gives them:
    /// after merges), for routing a batch with one query; conversations without a case are
    /// left out.
    async fn latest_cases_in_conversations(
        &self,
        ids: &[ConversationId],
    ) -> Result<Vec<(ConversationId, CaseRecord)>>;

    /// The case a post is attached to.
    async fn case_of_post(&self, post: PostId) -> Result<Option<CaseId>>;

    /// Posts of a case, oldest first.
    async fn case_posts(&self, id: CaseId) -> Result<Vec<CasePost>>;

    /// The audit log of a case, oldest first.
    async fn case_events(&self, id: CaseId) -> Result<Vec<CaseEvent>>;

    /// Cases of a contact, oldest first.
    async fn contact_cases(&self, contact: ContactId) -> Result<Vec<CaseRecord>>;

    /// The `limit` most recently opened cases of a contact, oldest first.
    async fn recent_contact_cases(&self, contact: ContactId, limit: u32)
    -> Result<Vec<CaseRecord>>;

    /// Inserts many cases with their posts and events in one transaction (benchmarks and
    /// generated workspaces). Unlike [`CaseStore::create_case`] it does not index the posts'
    /// text for [`crate::InboxStore::similar_resolved_cases`]. Returns how many were stored.
    async fn bulk_insert_cases(&self, cases: &[BulkCase]) -> Result<u64>;

    /// Refreshes the planner's statistics on the care tables (and, on PostgreSQL, the
    /// visibility map that index-only counts rely on); run it after a bulk load.
    async fn analyze(&self) -> Result<()>;
}
