//! The care inbox's storage: teams, SLA policies, cases with their posts and audit log,
//! internal notes, saved replies, the reply outbox, contact fields, merges and leads.
//!
//! [`CareStore`] is reached from an opened store with [`crate::Store::care`]. Both backends
//! share their queries (`sql/`, included by `sqlite/care.rs` and `postgres/care.rs`): the care
//! tables keep times as microseconds and flags as integers on both, and only full-text search
//! and reading post columns differ.
//!
//! The store keeps what the engine worked out; the rules (routing, state machine, SLA clocks)
//! live in the domain and the engine.

mod keys;
mod sql;

pub(crate) use keys::{micros, priority_rank, rank_priority, sla_rank, time};
// The nouns are the domain's; the backends' shared SQL (`sql/`) names them from here.
pub(crate) use rapport_domain::care::*;

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{
    CaseEvent, CaseId, ContactId, ConversationId, IdentityId, PostId, SlaPolicy, TeamId, UserId,
};

#[async_trait]
pub trait CareStore: Send + Sync {
    // ---- settings and SLA policies --------------------------------------------------------

    /// A care setting; `None` when it was never set. Kept as text under its key (the
    /// domain's `CareSetting::encode`); text that does not read as its type is `Corrupt`.
    async fn care_setting(&self, key: CareSettingKey) -> Result<Option<CareSetting>>;
    async fn set_care_setting(&self, setting: &CareSetting) -> Result<()>;

    /// Adds or replaces the policy of that name.
    async fn put_sla_policy(&self, policy: &SlaPolicy) -> Result<()>;
    async fn sla_policy(&self, name: &str) -> Result<Option<SlaPolicy>>;
    async fn sla_policies(&self) -> Result<Vec<SlaPolicy>>;

    // ---- teams ------------------------------------------------------------------------------

    /// Adds a team, or replaces the one of that name (its round-robin cursor is kept).
    async fn put_team(&self, team: &TeamSpec) -> Result<Team>;
    async fn team(&self, id: TeamId) -> Result<Option<Team>>;
    async fn teams(&self) -> Result<Vec<Team>>;
    /// Renames a team, keeping its id (cases and routing rules refer to it); a name another
    /// team holds is a conflict.
    async fn rename_team(&self, id: TeamId, name: &str) -> Result<Team>;
    /// Moves the team's round-robin cursor to the next member and returns them; `None` when the
    /// team has no members. Concurrent callers get different members.
    async fn next_round_robin(&self, team: TeamId) -> Result<Option<UserId>>;

    // ---- cases ------------------------------------------------------------------------------

    /// The stored posts with what routing needs, in the order given; unknown ids are left out.
    async fn route_candidates(&self, posts: &[PostId]) -> Result<Vec<RouteCandidate>>;

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

    /// Creates (id 0) and saves cases in one transaction, as [`CareStore::create_case`] and
    /// [`CareStore::save_case`] would one by one; on any conflict nothing is written. With
    /// `routed`, routing's watermark moves from `routed.from` to `routed.to` in the same
    /// transaction, and a watermark no longer at `routed.from` (another routing pass got there
    /// first) is a `Conflict` too: cases and watermark commit together or not at all.
    async fn write_cases(
        &self,
        writes: &[CaseWrite],
        routed: Option<RoutedThrough>,
    ) -> Result<Vec<CaseRecord>>;

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

    /// One page of an inbox view.
    async fn inbox(&self, query: &InboxQuery) -> Result<InboxPage>;
    /// Active cases per view; `mine` counts those assigned to `me`.
    async fn inbox_counts(&self, me: Option<UserId>) -> Result<InboxCounts>;

    /// Active cases whose stored SLA state is behind `now` (a clock became at risk or was
    /// breached since the last evaluation), at most `limit`.
    async fn sla_stale(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<CaseId>>;

    /// Resolved and closed cases whose customer text shares the most words with `text`, best
    /// first, at most `limit`, leaving `exclude` out.
    async fn similar_resolved_cases(
        &self,
        text: &str,
        exclude: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<(CaseId, f64)>>;

    // ---- notes and saved replies ----------------------------------------------------------

    /// Stores a note and its `NoteAdded` event in one transaction.
    async fn add_note(
        &self,
        case: CaseId,
        author: UserId,
        body: &str,
        event: &CaseEvent,
    ) -> Result<Note>;
    async fn notes(&self, case: CaseId) -> Result<Vec<Note>>;
    /// Notes on every case of a contact, oldest first.
    async fn contact_notes(&self, contact: ContactId) -> Result<Vec<Note>>;

    /// Adds or replaces the saved reply of that name; `Conflict` when another reply has the
    /// shortcut.
    async fn put_saved_reply(
        &self,
        name: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> Result<SavedReply>;
    async fn saved_reply(&self, name: &str) -> Result<Option<SavedReply>>;
    async fn saved_replies(&self) -> Result<Vec<SavedReply>>;
    async fn remove_saved_reply(&self, name: &str) -> Result<bool>;

    // ---- outbox -----------------------------------------------------------------------------

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

    // ---- contacts ---------------------------------------------------------------------------

    /// One page of the contact list: contacts not merged into another, filtered by text,
    /// stage, tag and (by default) leaving the company's own accounts out, in the query's
    /// order, with their identities, fields and figures. `Invalid` for a limit outside 1 to
    /// 500 or a cursor of another sort.
    async fn contacts(&self, query: &ContactQuery) -> Result<ContactPage>;
    /// `None` for an unknown contact; a contact without fields yet has empty ones.
    async fn contact_fields(&self, contact: ContactId) -> Result<Option<ContactFields>>;
    /// Replaces the fields (and the contact's name); `merged_into` is ignored.
    async fn set_contact_fields(&self, contact: ContactId, fields: &ContactFields) -> Result<()>;
    /// Moves every identity, case and lead of `absorb` to `keep`; fields `keep` lacks are
    /// taken from `absorb`, tags are joined; `absorb` is marked as merged into `keep`.
    async fn merge_contacts(&self, keep: ContactId, absorb: ContactId) -> Result<()>;
    /// Moves an identity to a new contact named `name`, with the cases opened from its posts
    /// and its leads; returns the new contact.
    async fn split_identity(&self, identity: IdentityId, name: &str) -> Result<ContactId>;
    /// Flags a contact as a lead because of a post; `false` when that post flagged it already.
    /// A contact without a lifecycle stage gets `lead`.
    async fn flag_lead(&self, contact: ContactId, post: PostId, at: DateTime<Utc>) -> Result<bool>;
    /// Leads, the latest flag first, one row per contact, at most `limit`.
    async fn leads(&self, limit: u32) -> Result<Vec<Lead>>;
    /// Lead flags of one contact, latest first.
    async fn contact_leads(&self, contact: ContactId) -> Result<Vec<Lead>>;

    // ---- bulk -------------------------------------------------------------------------------

    /// Inserts many cases with their posts and events in one transaction (benchmarks and
    /// generated workspaces). Unlike [`CareStore::create_case`] it does not index the posts'
    /// text for [`CareStore::similar_resolved_cases`]. Returns how many were stored.
    async fn bulk_insert_cases(&self, cases: &[BulkCase]) -> Result<u64>;

    /// Refreshes the planner's statistics on the care tables (and, on PostgreSQL, the
    /// visibility map that index-only counts rely on); run it after a bulk load.
    async fn analyze(&self) -> Result<()>;
}
