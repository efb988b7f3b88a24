//! The `LeadStore` capability.

use super::*;

/// Contacts flagged as sales leads, and the posts that flagged them.
#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Flags a contact as a lead because of a post; `false` when that post flagged it already.
    /// A contact without a lifecycle stage gets `lead`.
    async fn flag_lead(&self, contact: ContactId, post: PostId, at: DateTime<Utc>) -> Result<bool>;

    /// One page of leads, one row per contact (its latest flag), the latest flag first and
    /// the highest contact id first among flags at the same instant; at most `limit` rows,
    /// starting after `after`. `next` is set when more rows follow.
    async fn leads(&self, after: Option<LeadCursor>, limit: u32) -> Result<LeadPage>;

    /// Lead flags of one contact, latest first.
    async fn contact_leads(&self, contact: ContactId) -> Result<Vec<Lead>>;
}
