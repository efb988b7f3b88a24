//! The store's figures: one query body for both backends. What goes into and comes out of
//! the store (`NewPost`, `IngestReport`, `Stats`) is the domain's.

use rapport_domain::stats::Stats;
use std::collections::BTreeMap;

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

/// [`Stats`] from one row of [`STATS_SQL`] and the rows of [`CASES_BY_STATUS_SQL`].
pub(crate) fn stats_from_rows(r: StatsRow, by_status: Vec<(String, i64)>) -> Stats {
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
