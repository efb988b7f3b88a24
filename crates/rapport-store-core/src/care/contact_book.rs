//! The `ContactBookStore` capability.

use super::*;

/// The CRM side of contacts: the contact list, their fields, merges and splits.
#[async_trait]
pub trait ContactBookStore: Send + Sync {
    /// One page of the contact list: contacts not merged into another, filtered by text,
    /// stage, tag and (by default) leaving the company's own accounts out, in the query's
    /// order, with their identities, fields and figures. `Invalid` for a limit outside 1 to
    /// 500 or a cursor of another sort.
    async fn contacts(&self, query: &ContactQuery) -> Result<ContactPage>;

    /// `None` for an unknown contact; a contact without fields yet has empty ones.
    async fn contact_fields(&self, contact: ContactId) -> Result<Option<ContactFields>>;

    /// Replaces the fields (and the contact's name); `merged_into` is ignored.
    async fn set_contact_fields(&self, contact: ContactId, fields: &ContactFields) -> Result<()>;

    /// Moves every identity, case and lead of `absorb` to `keep`; fields `keep` lacks are
    /// taken from `absorb`, tags are joined; `absorb` is marked as merged into `keep`.
    async fn merge_contacts(&self, keep: ContactId, absorb: ContactId) -> Result<()>;

    /// Moves an identity to a new contact named `name`, with the cases opened from its posts
    /// and its leads; returns the new contact.
    async fn split_identity(&self, identity: IdentityId, name: &str) -> Result<ContactId>;
}
