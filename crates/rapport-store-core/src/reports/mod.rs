//! Reports: figures the store computes over the rows it keeps, one query each, so a report
//! never reads posts one by one and every figure can be traced back to rows by the same rule.

mod sql;

use crate::Result;
use async_trait::async_trait;
use rapport_domain::care::AccountResponse;

/// Figures for the care and listening reports.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// How each own account answered the customers who addressed it, every own account once
    /// (those nobody addressed with zeros), most addressed first. A customer post (by an
    /// identity that is not an own account) is addressed to an account when it mentions it or
    /// replies to one of its posts; it is answered when a post of the account replies to it,
    /// and its reply time runs to the earliest such reply. Times are wall-clock.
    async fn account_responses(&self) -> Result<Vec<AccountResponse>>;
}
