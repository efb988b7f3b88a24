//! The `LeadStore` capability.

use super::*;

/// Contacts flagged as sales leads, and the posts that flagged them.
#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Flags a contact as a lead because of a post; `false` when that post flagged it already.
    /// A contact without a lifecycle stage gets `lead`.
    async fn flag_lead(&self, contact: ContactId, post: PostId, at: DateTime<Utc>) -> Result<bool>;

    /// Leads, the latest flag first, one row per contact, at most `limit`.
    async fn leads(&self, limit: u32) -> Result<Vec<Lead>>;

    /// Lead flags of one contact, latest first.
    async fn contact_leads(&self, contact: ContactId) -> Result<Vec<Lead>>;
}
