//! Identities, contacts, own accounts and conversations.

mod sql;

use crate::Result;
use async_trait::async_trait;
use rapport_domain::{Contact, ConversationId, Identity, Network, PostId, StoredPost};

/// Identities, their contacts and own accounts, and conversations, as ingest placed them.
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// Looks an identity up by network and handle (case-insensitive, without `@`).
    async fn identity(&self, network: Network, handle: &str) -> Result<Option<Identity>>;

    async fn contact(&self, id: rapport_domain::ContactId) -> Result<Option<Contact>>;

    /// The posts written by any identity of the contact, oldest first: the newest `limit` of
    /// them, so a long history shows its recent end.
    async fn contact_timeline(
        &self,
        id: rapport_domain::ContactId,
        limit: u32,
    ) -> Result<Vec<StoredPost>>;

    /// Marks (or unmarks) an account as one of the company's own, creating the identity (and
    /// its contact) when unknown, and re-marks stored posts that mention or reply to it.
    async fn set_own_account(&self, network: Network, handle: &str, own: bool) -> Result<()>;

    async fn own_accounts(&self) -> Result<Vec<Identity>>;

    /// Every post of a conversation, oldest first. An id whose conversation was merged into
    /// another leads to the one that absorbed it.
    async fn conversation(&self, id: ConversationId) -> Result<Vec<StoredPost>>;

    /// The root of a conversation: its earliest stored ancestor (the oldest post whose parent
    /// is not stored). Follows merges like [`ContactStore::conversation`]; `None` for an unknown id.
    async fn conversation_root(&self, id: ConversationId) -> Result<Option<PostId>>;
}
