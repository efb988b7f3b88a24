//! Row counts of a whole store.

use serde::Serialize;
use std::collections::BTreeMap;

/// Row counts of the whole store: enough to compare two stores that imported the same posts
/// (`rapport stats --json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub posts: u64,
    pub conversations: u64,
    pub contacts: u64,
    pub identities: u64,
    pub own_accounts: u64,
    pub topics: u64,
    pub matches: u64,
    pub mentions: u64,
    pub cases: u64,
    /// Cases per status (`new`, `open`, ...); a status without cases is left out.
    pub cases_by_status: BTreeMap<String, u64>,
    /// Posts attached to cases.
    pub case_posts: u64,
    /// Rows of the cases' audit logs.
    pub case_events: u64,
    /// Contacts flagged as leads.
    pub leads: u64,
    /// Lead flags (one per contact and post that flagged it).
    pub lead_flags: u64,
}
