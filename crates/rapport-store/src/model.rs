//! What goes into and comes out of the store, beyond the domain types.

use rapport_domain::{Labels, Post, PostId, TopicId};
use serde::Serialize;
use std::collections::BTreeMap;

/// A post on its way in, with what the pipeline worked out about it.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub post: Post,
    pub labels: Option<Labels>,
    pub topics: Vec<TopicId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    Inserted { id: PostId, is_mention: bool },
    Duplicate { id: PostId },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub outcomes: Vec<IngestOutcome>,
}

impl IngestReport {
    pub fn inserted(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, IngestOutcome::Inserted { .. }))
            .count()
    }

    pub fn duplicates(&self) -> usize {
        self.outcomes.len() - self.inserted()
    }
}

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

/// The counts of [`Stats`], one query on both backends (booleans are tested bare, which both
/// read as true/false).
pub(crate) const STATS_SQL: &str = "SELECT (SELECT COUNT(*) FROM posts), \
    (SELECT COUNT(*) FROM conversations WHERE merged_into IS NULL), \
    (SELECT COUNT(*) FROM contacts), \
    (SELECT COUNT(*) FROM identities), \
    (SELECT COUNT(*) FROM identities WHERE own_account), \
    (SELECT COUNT(*) FROM topics), \
    (SELECT COUNT(*) FROM post_topics), \
    (SELECT COUNT(*) FROM posts WHERE is_mention), \
    (SELECT COUNT(*) FROM case_posts), \
    (SELECT COUNT(*) FROM case_events), \
    (SELECT COUNT(DISTINCT contact_id) FROM leads), \
    (SELECT COUNT(*) FROM leads)";

/// Cases per status, for [`Stats::cases_by_status`].
pub(crate) const CASES_BY_STATUS_SQL: &str =
    "SELECT status, COUNT(*) FROM cases GROUP BY status ORDER BY status";

/// One row of [`STATS_SQL`].
pub(crate) type StatsRow = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

impl Stats {
    pub(crate) fn from_rows(r: StatsRow, by_status: Vec<(String, i64)>) -> Stats {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let cases_by_status: BTreeMap<String, u64> =
            by_status.into_iter().map(|(s, c)| (s, n(c))).collect();
        Stats {
            posts: n(r.0),
            conversations: n(r.1),
            contacts: n(r.2),
            identities: n(r.3),
            own_accounts: n(r.4),
            topics: n(r.5),
            matches: n(r.6),
            mentions: n(r.7),
            cases: cases_by_status.values().sum(),
            cases_by_status,
            case_posts: n(r.8),
            case_events: n(r.9),
            leads: n(r.10),
            lead_flags: n(r.11),
        }
    }
}
