//! What the ingest path hands the store and gets back for each post.

use crate::{Labels, Post, PostId, TopicId};

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
