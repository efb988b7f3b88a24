//! The care desk's nouns: what the store keeps and the engine and web speak about cases,
//! teams, inbox lists, notes, saved replies, the reply outbox, contacts' fields and leads,
//! and the care settings. Plain data with the small rules that need no IO (sort keys, cursor
//! syntax, the settings' stored form); the store reads and writes them, the engine decides.

mod contact;
mod contact_list;
mod filter;
mod inbox;
mod keys;
mod notes;
mod outbox;
mod record;
mod report;
mod settings;
mod team;

pub use crate::case::{NoteId, ReplyId, SavedReplyId};
pub use contact::{ContactFields, Lead, LeadCursor, LeadPage, LifecycleStage};
pub use contact_list::{
    ContactCursor, ContactIdentity, ContactPage, ContactQuery, ContactSort, ContactSummary,
};
pub use filter::{
    AssigneeFilter, FILTER_PARAMS, InboxFilter, NewSavedView, SavedView, SavedViewId, SlaFilter,
};
pub use inbox::{
    InboxCounts, InboxCursor, InboxItem, InboxPage, InboxQuery, InboxSort, InboxView, PageStart,
};
pub use keys::{due_key, prio_key, priority_rank};
pub use notes::{Note, SavedReply};
pub use outbox::{NewReply, OutboxEntry, ReplyOutcome, ReplyStatus};
pub use record::{
    BulkCase, CasePost, CaseRecord, CaseSla, CaseWrite, RouteCandidate, RoutedThrough, Unrouted,
};
pub use report::{AccountResponse, middle_median};
pub use settings::{CareSetting, CareSettingKey, RoutingRules, SettingError, TopicRule};
pub use team::{Team, TeamSpec};
