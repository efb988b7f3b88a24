//! Internal notes and saved replies.

use super::{NoteId, SavedReplyId};
use crate::{CaseId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An internal note on a case (never published).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: NoteId,
    pub case_id: CaseId,
    pub author: UserId,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedReply {
    pub id: SavedReplyId,
    pub name: String,
    /// A template ([`crate::Template`]), checked by the engine before it is stored.
    pub body: String,
    pub shortcut: Option<String>,
}
