//! The store's figures: one query body for both backends. What goes into and comes out of
//! the store (`NewPost`, `IngestReport`, `Stats`) is the domain's.

use crate::{Result, StoreError};
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

/// [`Stats`] from the twelve counts of [`STATS_SQL`] and the rows of [`CASES_BY_STATUS_SQL`].
pub(crate) fn stats_from_rows(counts: &[i64], by_status: Vec<(String, i64)>) -> Result<Stats> {
    let [
        p,
        conv,
        contacts,
        ids,
        own,
        topics,
        matches,
        mentions,
        cp,
        ce,
        leads,
        flags,
    ] = counts
    else {
        return Err(StoreError::Corrupt(format!(
            "stats: {} counts, expected 12",
            counts.len()
        )));
    };
    let n = |v: &i64| u64::try_from(*v).unwrap_or(0);
    let cases_by_status: BTreeMap<String, u64> =
        by_status.iter().map(|(s, c)| (s.clone(), n(c))).collect();
    Ok(Stats {
        posts: n(p),
        conversations: n(conv),
        contacts: n(contacts),
        identities: n(ids),
        own_accounts: n(own),
        topics: n(topics),
        matches: n(matches),
        mentions: n(mentions),
        cases: cases_by_status.values().sum(),
        cases_by_status,
        case_posts: n(cp),
        case_events: n(ce),
        leads: n(leads),
        lead_flags: n(flags),
    })
}
