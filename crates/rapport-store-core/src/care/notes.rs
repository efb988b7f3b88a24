//! The `NoteStore` capability.

use super::*;

/// Internal notes on cases and the saved replies agents answer with.
#[async_trait]
pub trait NoteStore: Send + Sync {
    /// Stores a note and its `NoteAdded` event in one transaction.
    async fn add_note(
        &self,
        case: CaseId,
        author: UserId,
        body: &str,
        event: &CaseEvent,
    ) -> Result<Note>;

    async fn notes(&self, case: CaseId) -> Result<Vec<Note>>;

    /// Notes on every case of a contact, oldest first.
    async fn contact_notes(&self, contact: ContactId) -> Result<Vec<Note>>;

    /// Adds or replaces the saved reply of that name; `Conflict` when another reply has the
    /// shortcut.
    async fn put_saved_reply(
        &self,
        name: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> Result<SavedReply>;

    async fn saved_reply(&self, name: &str) -> Result<Option<SavedReply>>;

    async fn saved_replies(&self) -> Result<Vec<SavedReply>>;

    async fn remove_saved_reply(&self, name: &str) -> Result<bool>;
}
