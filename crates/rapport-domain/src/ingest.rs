//! What the ingest path hands the store and gets back for each post.

use crate::{ContactId, ConversationId, IdentityId, Labels, Post, PostId, TopicId};

/// A post on its way in, with what the pipeline worked out about it.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub post: Post,
    pub labels: Option<Labels>,
    pub topics: Vec<TopicId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// A new post, with where the store placed it: what routing needs besides the post
    /// itself, so the pipeline routes its own batch without reading it back.
    Inserted {
        id: PostId,
        is_mention: bool,
        /// The conversation it is in after this batch's merges.
        conversation_id: ConversationId,
        identity_id: IdentityId,
        contact_id: ContactId,
        /// Its author is one of the company's own accounts.
        from_own_account: bool,
    },
    Duplicate {
        id: PostId,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub outcomes: Vec<IngestOutcome>,
}

impl IngestReport {
    pub fn inserted(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, IngestOutcome::Inserted { .. }))
            .count()
    }

    pub fn duplicates(&self) -> usize {
        self.outcomes.len() - self.inserted()
    }
}
