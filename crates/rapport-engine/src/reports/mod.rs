//! Reports: the figures managers read, from the store's report queries, shared by the CLI
//! and the HTTP API.

pub mod bench;
pub mod listening;

use crate::{Engine, Result};
use rapport_domain::care::AccountResponse;

impl Engine {
    /// How each own account answered the customers who addressed it, most addressed first:
    /// per-post inbound, answered, response rate and median reply time
    /// ([`rapport_store::ReportStore::account_responses`]). On an imported history the
    /// brand's replies are the agent replies, so the figures are the archive's own.
    pub async fn account_responses(&self) -> Result<Vec<AccountResponse>> {
        Ok(self.store.reports().account_responses().await?)
    }
}
