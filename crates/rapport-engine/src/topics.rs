//! Listening topics: add (with a backfill over stored posts), list, edit, remove.

use crate::{Engine, EngineError, Result, SearchHit};
use rapport_domain::{PostId, Topic, TopicId, TopicOptions};
use rapport_query::Matcher;
use serde::Serialize;
use std::collections::HashMap;

/// Posts read per page when walking the store.
pub(crate) const PAGE: u32 = 5_000;

#[derive(Debug, Clone, Serialize)]
pub struct TopicInfo {
    #[serde(flatten)]
    pub topic: Topic,
    /// Stored posts that matched it.
    pub matches: u64,
}

fn check_name(name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || n > 100 || name.chars().any(char::is_control) || name.trim() != name {
        return Err(EngineError::BadTopicName(name.to_string()));
    }
    Ok(())
}

impl Engine {
    /// Stores a topic after checking its query, then records its matches among the posts already
    /// stored, as listening tools do when a new query starts (history is part of the answer).
    /// Returns the topic and how many stored posts it matched.
    pub async fn add_topic(
        &self,
        name: &str,
        query: &str,
        options: TopicOptions,
    ) -> Result<(Topic, u64)> {
        check_name(name)?;
        let parsed = rapport_query::parse(query)?;
        if self.store.topics().topic_by_name(name).await?.is_some() {
            return Err(EngineError::TopicExists(name.to_string()));
        }
        let topic = self.store.topics().add_topic(name, query, &options).await?;
        let matcher = Matcher::new([(topic.id, parsed, options)]);
        let backfilled = self.backfill(std::sync::Arc::new(matcher)).await?;
        self.topics.reload(self.store.as_ref()).await?;
        Ok((topic, backfilled))
    }

    /// Changes a topic's query; its matches are rebuilt from the stored posts.
    pub async fn update_topic(
        &self,
        name: &str,
        query: &str,
        options: TopicOptions,
    ) -> Result<(Topic, u64)> {
        let parsed = rapport_query::parse(query)?;
        let existing = self
            .store
            .topics()
            .topic_by_name(name)
            .await?
            .ok_or_else(|| EngineError::NoSuchTopic(name.to_string()))?;
        let topic = self
            .store
            .topics()
            .update_topic(existing.id, query, &options)
            .await?;
        let matcher = Matcher::new([(topic.id, parsed, options)]);
        let backfilled = self.backfill(std::sync::Arc::new(matcher)).await?;
        self.topics.reload(self.store.as_ref()).await?;
        Ok((topic, backfilled))
    }

    pub async fn remove_topic(&self, name: &str) -> Result<()> {
        if !self.store.topics().remove_topic(name).await? {
            return Err(EngineError::NoSuchTopic(name.to_string()));
        }
        self.topics.reload(self.store.as_ref()).await?;
        Ok(())
    }

    /// The topics alone, for lists that show their names: [`Engine::topics`] also counts
    /// every topic's matches, a pass over all of them.
    pub async fn topic_list(&self) -> Result<Vec<Topic>> {
        Ok(self.store.topics().topics().await?)
    }

    pub async fn topics(&self) -> Result<Vec<TopicInfo>> {
        let counts: HashMap<TopicId, u64> = self
            .store
            .topics()
            .topic_match_counts()
            .await?
            .into_iter()
            .collect();
        Ok(self
            .store
            .topics()
            .topics()
            .await?
            .into_iter()
            .map(|topic| TopicInfo {
                matches: counts.get(&topic.id).copied().unwrap_or(0),
                topic,
            })
            .collect())
    }

    /// A topic's match count and its newest matching posts.
    pub async fn topic_posts(&self, name: &str, limit: u32) -> Result<(u64, Vec<SearchHit>)> {
        let topic = self
            .store
            .topics()
            .topic_by_name(name)
            .await?
            .ok_or_else(|| EngineError::NoSuchTopic(name.to_string()))?;
        let total = self
            .store
            .topics()
            .topic_match_counts()
            .await?
            .into_iter()
            .find(|(id, _)| *id == topic.id)
            .map_or(0, |(_, n)| n);
        let posts = self.store.posts().topic_posts(topic.id, limit).await?;
        Ok((total, posts.iter().map(SearchHit::from).collect()))
    }

    /// Matches every stored post against `matcher` and records the matches. Matching runs on
    /// the blocking pool, a page at a time, so a topic saved from the UI never holds one of the
    /// threads that answer every other request.
    async fn backfill(&self, matcher: std::sync::Arc<Matcher>) -> Result<u64> {
        let mut after: Option<PostId> = None;
        let mut total = 0;
        loop {
            let page = self.store.posts().scan_posts(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            let matcher = matcher.clone();
            let pairs = tokio::task::spawn_blocking(move || {
                let mut found = Vec::new();
                let mut pairs = Vec::new();
                for stored in &page {
                    found.clear();
                    matcher.match_post(&stored.post, stored.labels.as_ref(), &mut found);
                    pairs.extend(found.iter().map(|t| (stored.id, *t)));
                }
                pairs
            })
            .await
            .map_err(|e| EngineError::Pipeline(format!("matching stopped: {e}")))?;
            if !pairs.is_empty() {
                total += self.store.posts().add_matches(&pairs).await?;
            }
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn topic_names_are_checked() {
        assert!(check_name("Apple support").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name(" padded").is_err());
        assert!(check_name("bad\nname").is_err());
        assert!(check_name(&"x".repeat(101)).is_err());
    }
}
