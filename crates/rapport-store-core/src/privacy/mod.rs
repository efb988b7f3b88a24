//! Erasing what is held on a person: their posts' content, their identities, their contact's
//! fields, their leads, and what cases and replies say about them.
//!
//! Rows are kept and emptied rather than removed, so counts, response times and case
//! histories stay true (a report still knows a complaint came in and was answered at 10:02)
//! while nothing says who, or what they wrote. A post the network says was deleted is
//! emptied the same way.

mod sql;

pub(crate) use sql::empty_posts_sql;

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::ContactId;

/// What the text of erased notes and replies becomes.
pub const ERASED: &str = "erased";

/// What an erasure emptied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erasure {
    pub posts: u64,
    pub identities: u64,
    pub cases: u64,
    pub notes: u64,
    pub replies: u64,
    pub leads: u64,
}

/// Erasure, in one transaction each.
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// Empties everything held on `contact`: the content of every post of its identities
    /// (text, raw record, entities, author details), the identities' handles, names and
    /// network ids, the contact's name and fields, its leads, the preview and search text of
    /// its cases, the text of those cases' notes and replies (kept as [`ERASED`]; queued or
    /// failed replies are failed so they never go out). `StoreError::NotFound` for an unknown
    /// contact; `StoreError::Conflict` while a reply to it is being sent.
    async fn erase_contact(&self, contact: ContactId, at: DateTime<Utc>) -> Result<Erasure>;
}
