//! Teams as the case page offers them (the queue a case can be moved to).

use super::{Care, Result};
use rapport_domain::care::Team;

impl Care {
    /// Every team, in the store's order.
    pub async fn teams(&self) -> Result<Vec<Team>> {
        Ok(self.store.settings().teams().await?)
    }
}
