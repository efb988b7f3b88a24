//! Search and backtests: the listening language over stored posts.
//!
//! Both use the full-text index to find candidates (`Query::term_filter`) and the exact matcher
//! to decide, so a search gives exactly the posts a topic with the same query would match.

use crate::{Engine, EngineError, Result, topics::PAGE};
use chrono::NaiveDate;
use rapport_domain::{PostId, StoredPost, TopicOptions};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub id: PostId,
    pub network: String,
    pub native_id: String,
    pub author: String,
    pub created_at: String,
    pub text: String,
}

impl From<&StoredPost> for SearchHit {
    fn from(s: &StoredPost) -> Self {
        Self {
            id: s.id,
            network: s.post.network.to_string(),
            native_id: s.post.native_id.clone(),
            author: s.post.author.handle.clone(),
            created_at: s.post.created_at.to_rfc3339(),
            text: s.post.text.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub query: String,
    /// Every matching post, however many are listed.
    pub count: u64,
    /// The newest matches first, at most the limit asked for.
    pub posts: Vec<SearchHit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Backtest {
    pub query: String,
    pub count: u64,
    /// Posts scanned (candidates from the full-text index).
    pub scanned: u64,
    pub posts: Vec<SearchHit>,
    /// Matches per UTC day, in date order.
    pub per_day: BTreeMap<NaiveDate, u64>,
}

impl Engine {
    /// Runs a query over stored posts; `limit` bounds the posts listed, not the count.
    pub async fn search(&self, query: &str, limit: usize) -> Result<SearchResult> {
        let bt = self
            .run_query(query, TopicOptions::default(), limit)
            .await?;
        Ok(SearchResult {
            query: bt.query,
            count: bt.count,
            posts: bt.posts,
        })
    }

    /// What a topic with this query would have matched among the stored posts.
    pub async fn backtest(
        &self,
        query: &str,
        options: TopicOptions,
        limit: usize,
    ) -> Result<Backtest> {
        self.run_query(query, options, limit).await
    }

    async fn run_query(
        &self,
        query: &str,
        options: TopicOptions,
        limit: usize,
    ) -> Result<Backtest> {
        let parsed = Arc::new(rapport_query::parse(query)?);
        let mut out = Backtest {
            query: query.to_string(),
            count: 0,
            scanned: 0,
            posts: Vec::new(),
            per_day: BTreeMap::new(),
        };
        out.scanned = self
            .each_match(parsed, options, |s| {
                out.count += 1;
                *out.per_day
                    .entry(s.post.created_at.date_naive())
                    .or_default() += 1;
                out.posts.push(SearchHit::from(&s));
                // Keep memory bounded: only the newest `limit` posts are listed.
                if out.posts.len() > limit.saturating_mul(2).max(1024) {
                    newest_first(&mut out.posts, limit);
                }
            })
            .await?;
        newest_first(&mut out.posts, limit);
        Ok(out)
    }

    /// Hands every stored post `parsed` matches to `visit`, in id order, and says how many
    /// posts were checked: full-text candidates first, then the exact matcher, under the
    /// engine's query deadline ([`EngineError::QueryTimeout`] past it).
    pub(crate) async fn each_match(
        &self,
        parsed: Arc<rapport_query::Query>,
        options: TopicOptions,
        mut visit: impl FnMut(StoredPost),
    ) -> Result<u64> {
        let filter = parsed.term_filter();
        let deadline = self
            .config
            .query_deadline
            .map(|limit| (limit, Instant::now() + limit));
        let mut after = None;
        let mut scanned = 0u64;
        loop {
            let page = self
                .store
                .posts()
                .search_candidates(&filter, after, PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            // The exact matcher runs on the blocking pool: a query that makes every candidate
            // expensive must not hold the threads that answer everyone else.
            let (parsed, options) = (parsed.clone(), options.clone());
            let (checked, hits) = tokio::task::spawn_blocking(move || {
                let mut hits = Vec::new();
                let total = page.len();
                for (n, s) in page.into_iter().enumerate() {
                    if deadline.is_some_and(|(_, at)| Instant::now() >= at) {
                        return (n, hits);
                    }
                    if rapport_query::matches(&parsed, &options, &s.post, s.labels.as_ref()) {
                        hits.push(s);
                    }
                }
                (total, hits)
            })
            .await
            .map_err(|e| EngineError::Pipeline(format!("the search stopped: {e}")))?;
            scanned += checked as u64;
            if let Some((limit, at)) = deadline
                && Instant::now() >= at
            {
                return Err(EngineError::QueryTimeout { limit, scanned });
            }
            hits.into_iter().for_each(&mut visit);
        }
        Ok(scanned)
    }
}

pub(crate) fn newest_first(posts: &mut Vec<SearchHit>, limit: usize) {
    posts.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    posts.truncate(limit);
}
