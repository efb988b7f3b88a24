//! What goes into and comes out of the store, beyond the domain types.

use rapport_domain::{Labels, Post, PostId, TopicId};
use serde::Serialize;

/// A post on its way in, with what the pipeline worked out about it.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub post: Post,
    pub labels: Option<Labels>,
    pub topics: Vec<TopicId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    Inserted { id: PostId, is_mention: bool },
    Duplicate { id: PostId },
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

/// Row counts of the whole store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub posts: u64,
    pub conversations: u64,
    pub contacts: u64,
    pub identities: u64,
    pub own_accounts: u64,
    pub topics: u64,
    pub matches: u64,
    pub mentions: u64,
}
