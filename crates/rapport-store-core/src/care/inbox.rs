//! The `InboxStore` capability.

use super::*;

/// The inbox: views, counts, the SLA sweep and similar resolved cases.
#[async_trait]
pub trait InboxStore: Send + Sync {
    /// One page of an inbox view.
    async fn inbox(&self, query: &InboxQuery) -> Result<InboxPage>;

    /// One page of an inbox view narrowed by `filter`; its cursors walk the narrowed list.
    async fn filtered_inbox(&self, query: &InboxQuery, filter: &InboxFilter) -> Result<InboxPage>;

    /// How many active cases each (view, filter) pair holds, in the order asked.
    async fn filtered_counts(&self, sets: &[(InboxView, InboxFilter)]) -> Result<Vec<u64>>;

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
}
