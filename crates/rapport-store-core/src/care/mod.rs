//! The care inbox's storage: teams, SLA policies, cases with their posts and audit log,
//! internal notes, saved replies, the reply outbox, contact fields, merges and leads.
//!
//! One capability trait per file here, each reached from an opened store by its accessor
//! ([`crate::Store::cases`], [`crate::Store::inbox`], ...). `sql/` implements them once for
//! both backends: the care tables keep times as microseconds and flags as integers on both,
//! and only full-text search and post times differ (the backend's `Dialect`).
//!
//! The store keeps what the engine worked out; the rules (routing, state machine, SLA clocks)
//! live in the domain and the engine.

mod cases;
mod contact_book;
mod inbox;
mod keys;
mod leads;
mod notes;
mod outbox;
mod routing;
mod settings;
mod sql;
mod views;

pub use cases::CaseStore;
pub use contact_book::ContactBookStore;
pub use inbox::InboxStore;
pub use leads::LeadStore;
pub use notes::NoteStore;
pub use outbox::OutboxStore;
pub use routing::RoutingStore;
pub use settings::SettingsStore;
pub use views::SavedViewStore;

pub(crate) use keys::{micros, priority_rank, rank_priority, sla_rank, time};
// The nouns are the domain's; the backends' shared SQL (`sql/`) names them from here.
pub(crate) use rapport_domain::care::*;

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{
    CaseEvent, CaseId, ContactId, ConversationId, IdentityId, PostId, SlaPolicy, TeamId, UserId,
};
