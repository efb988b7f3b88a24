//! Listening topics and how many posts each matched.

mod sql;

use crate::Result;
use async_trait::async_trait;
use rapport_domain::{Topic, TopicId, TopicOptions};

/// Listening topics and how many posts each matched.
#[async_trait]
pub trait TopicStore: Send + Sync {
    /// Adds a topic; `StoreError::Conflict` when the name is taken.
    async fn add_topic(&self, name: &str, query: &str, options: &TopicOptions) -> Result<Topic>;

    /// Changes a topic's query/options; its stored matches are dropped (the engine rebuilds
    /// them).
    async fn update_topic(&self, id: TopicId, query: &str, options: &TopicOptions)
    -> Result<Topic>;

    async fn topics(&self) -> Result<Vec<Topic>>;

    async fn topic_by_name(&self, name: &str) -> Result<Option<Topic>>;

    /// Removes a topic and its matches; `false` when there was no such topic.
    async fn remove_topic(&self, name: &str) -> Result<bool>;

    /// Number of stored matches per topic.
    async fn topic_match_counts(&self) -> Result<Vec<(TopicId, u64)>>;
}
