//! The listening reports: what people say, over any period, topics, networks and languages.
//! The store counts under one [`ListeningFilter`]; the domain fills, divides and ranks; and
//! [`Engine::listening_posts`] lists the posts behind any figure from the same filter.

use crate::{Engine, EngineError, Result, SearchHit};
use rapport_domain::listening::{
    AuthorOrder, AuthorRow, Bucket, Counts, IntentMix, ListeningFilter, SentimentCounts, Share,
    Trend, VolumePoint, fill_buckets, post_terms, share_of_voice, trending,
};
use rapport_domain::{Topic, TopicId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The newest posts of each period whose words are counted for the trending terms: counting
/// words needs the texts, and this bounds what a report reads. Hashtags are counted over every
/// post by the store.
pub const TERM_SAMPLE: u32 = 20_000;
/// Hashtags read per period to compare.
const HASHTAG_ROWS: u32 = 5_000;
/// A term or hashtag trends only with at least this many posts in the period.
pub const TREND_MIN: u64 = 3;

/// Every listening figure of one filter.
#[derive(Debug, Clone, Serialize)]
pub struct ListeningReport {
    pub filter: ListeningFilter,
    pub bucket: Bucket,
    /// Posts per bucket, by sentiment; every bucket of the period, empty ones at zero.
    pub volume: Vec<VolumePoint>,
    /// The period's posts by sentiment.
    pub totals: SentimentCounts,
    /// `(positive - negative) / labelled` over the period; `None` without labelled posts.
    pub net_sentiment: Option<f64>,
    pub share_of_voice: Vec<Share>,
    pub intents: IntentMix,
    pub authors_by_volume: Vec<AuthorRow>,
    pub authors_by_reach: Vec<AuthorRow>,
    pub trending: Trending,
}

/// Terms and hashtags that rose against the previous period of equal length.
#[derive(Debug, Clone, Serialize)]
pub struct Trending {
    pub terms: Vec<Trend>,
    pub hashtags: Vec<Trend>,
    /// Posts whose words were counted in the period, and in the one before (at most
    /// [`TERM_SAMPLE`] each, the newest).
    pub terms_sampled: u64,
    pub previous_terms_sampled: u64,
    /// Whether the term counts cover every post of both periods.
    pub terms_complete: bool,
}

/// The posts behind a figure.
#[derive(Debug, Clone, Serialize)]
pub struct ListeningPosts {
    pub count: u64,
    pub posts: Vec<SearchHit>,
}

impl Engine {
    /// Topic ids for names, refusing a name no topic has.
    pub async fn topic_ids(&self, names: &[String]) -> Result<Vec<TopicId>> {
        let topics = self.store.topics().topics().await?;
        names
            .iter()
            .map(|n| {
                topics
                    .iter()
                    .find(|t| t.name.eq_ignore_ascii_case(n))
                    .map(|t| t.id)
                    .ok_or_else(|| EngineError::NoSuchTopic(n.clone()))
            })
            .collect()
    }

    /// Every listening figure of `filter`, its buckets `bucket` long.
    pub async fn listening_report(
        &self,
        filter: &ListeningFilter,
        bucket: Bucket,
        top: u32,
    ) -> Result<ListeningReport> {
        let volume = self.listening_volume(filter, bucket).await?;
        let mut totals = SentimentCounts::default();
        for p in &volume {
            totals.merge(&p.counts);
        }
        Ok(ListeningReport {
            filter: filter.clone(),
            bucket,
            net_sentiment: totals.net(),
            totals,
            volume,
            share_of_voice: self.listening_share(filter).await?,
            intents: self.listening_intents(filter).await?,
            authors_by_volume: self
                .listening_authors(filter, AuthorOrder::Volume, top)
                .await?,
            authors_by_reach: self
                .listening_authors(filter, AuthorOrder::Reach, top)
                .await?,
            trending: self.listening_trending(filter, top as usize).await?,
        })
    }

    /// Posts per bucket and sentiment over the filter's period, every bucket listed.
    pub async fn listening_volume(
        &self,
        filter: &ListeningFilter,
        bucket: Bucket,
    ) -> Result<Vec<VolumePoint>> {
        check(filter, bucket)?;
        let rows = self
            .store
            .reports()
            .listening_volume(filter, bucket)
            .await?;
        Ok(fill_buckets(filter, bucket, &rows))
    }

    /// Share of voice between the filter's topics (every topic when it names none), each
    /// compared topic listed, those without a post at zero.
    pub async fn listening_share(&self, filter: &ListeningFilter) -> Result<Vec<Share>> {
        check(filter, Bucket::Week)?;
        let counted = self.store.reports().listening_topics(filter).await?;
        let topics: Vec<Topic> = self.store.topics().topics().await?;
        let rows = topics
            .into_iter()
            .filter(|t| filter.topics.is_empty() || filter.topics.contains(&t.id))
            .map(|t| {
                let counts = counted
                    .iter()
                    .find(|c| c.0 == t.id)
                    .map(|c| c.2)
                    .unwrap_or_default();
                (t.id, t.name, counts)
            })
            .collect();
        Ok(share_of_voice(rows))
    }

    /// Posts per intent.
    pub async fn listening_intents(&self, filter: &ListeningFilter) -> Result<IntentMix> {
        check(filter, Bucket::Week)?;
        Ok(self.store.reports().listening_intents(filter).await?)
    }

    /// The top `limit` authors by volume or by reach.
    pub async fn listening_authors(
        &self,
        filter: &ListeningFilter,
        order: AuthorOrder,
        limit: u32,
    ) -> Result<Vec<AuthorRow>> {
        check(filter, Bucket::Week)?;
        Ok(self
            .store
            .reports()
            .listening_authors(filter, order, limit.clamp(1, 500))
            .await?)
    }

    /// The terms and hashtags that rose most against the previous period of equal length.
    pub async fn listening_trending(
        &self,
        filter: &ListeningFilter,
        limit: usize,
    ) -> Result<Trending> {
        check(filter, Bucket::Week)?;
        let before = filter.previous();
        let reports = self.store.reports();
        let (now_texts, before_texts) = (
            reports.listening_texts(filter, TERM_SAMPLE).await?,
            reports.listening_texts(&before, TERM_SAMPLE).await?,
        );
        let complete =
            (now_texts.len() as u32) < TERM_SAMPLE && (before_texts.len() as u32) < TERM_SAMPLE;
        let hashtags_now = reports.listening_hashtags(filter, HASHTAG_ROWS).await?;
        let hashtags_before = reports.listening_hashtags(&before, HASHTAG_ROWS).await?;
        Ok(Trending {
            terms: trending(
                &term_counts(&now_texts),
                &term_counts(&before_texts),
                TREND_MIN,
                limit,
            ),
            hashtags: trending(&hashtags_now, &hashtags_before, TREND_MIN, limit),
            terms_sampled: now_texts.len() as u64,
            previous_terms_sampled: before_texts.len() as u64,
            terms_complete: complete,
        })
    }

    /// The posts behind a figure: those under `filter` (and holding `term`, when given, among
    /// the posts whose words the trending terms counted), newest first, with their count.
    pub async fn listening_posts(
        &self,
        filter: &ListeningFilter,
        term: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<ListeningPosts> {
        check(filter, Bucket::Week)?;
        let limit = limit.clamp(1, 500);
        let reports = self.store.reports();
        let Some(term) = term.map(str::to_lowercase) else {
            let (count, posts) = reports.listening_posts(filter, limit, offset).await?;
            return Ok(ListeningPosts {
                count,
                posts: posts.iter().map(SearchHit::from).collect(),
            });
        };
        // the same newest posts the term counts read, in pages of the store's order
        let mut hits = Vec::new();
        let mut count = 0u64;
        let mut seen = 0u32;
        while seen < TERM_SAMPLE {
            let page = 500.min(TERM_SAMPLE - seen);
            let (_, posts) = reports.listening_posts(filter, page, seen).await?;
            if posts.is_empty() {
                break;
            }
            seen += posts.len() as u32;
            for p in &posts {
                if post_terms(&p.post.text).contains(&term) {
                    if count >= u64::from(offset) && hits.len() < limit as usize {
                        hits.push(SearchHit::from(p));
                    }
                    count += 1;
                }
            }
        }
        Ok(ListeningPosts { count, posts: hits })
    }
}

fn check(filter: &ListeningFilter, bucket: Bucket) -> Result<()> {
    filter
        .check(bucket)
        .map_err(|e| EngineError::InvalidInput(e.to_string()))
}

/// Posts holding each term.
fn term_counts(texts: &[String]) -> Counts {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for t in texts {
        let terms: BTreeSet<String> = post_terms(t);
        for term in terms {
            *counts.entry(term).or_default() += 1;
        }
    }
    counts.into_iter().collect()
}
