//! Posts read back, labels and matches written, and the figures: one SQL body for both
//! backends. Ingest is the backend's own write path ([`crate::sql::Writer`]).

use crate::posts::PostStore;
use crate::record::{PostRecord, label_columns};
use crate::sql::{Begin, Db, Dialect, QueryBuilder, Row, SqlStore, query, query_scalar};
use crate::{IngestReport, NewPost, Result, Stats, StoreError};
use async_trait::async_trait;
use rapport_domain::{Labels, PostId, PostKey, StoredPost, TermFilter, TopicId};

/// `SELECT` of every post column, joined with the author's identity for the contact id.
macro_rules! post_select {
    ($($rest:literal),*) => {
        concat!(
            "SELECT p.id, p.network, p.native_id, p.author_handle, p.author_native_id, ",
            "p.author_display_name, p.author_followers, p.author_own, p.text, p.created_at, ",
            "p.lang, p.reply_to, p.reply_to_handle, p.root_id, p.mentions, p.hashtags, ",
            "p.cashtags, p.links, p.likes, p.reposts, p.replies, p.quotes, p.raw, ",
            "p.conversation_id, p.identity_id, i.contact_id, p.sentiment, p.sentiment_score, ",
            "p.intents, p.label_lang, p.urgency, p.is_mention, p.from_own_account ",
            "FROM posts p JOIN identities i ON i.id = p.identity_id ",
            $($rest),*
        )
    };
}
pub(crate) use post_select;

pub(crate) fn decode(r: &Row) -> Result<StoredPost> {
    PostRecord {
        id: r.try_get("id")?,
        network: r.try_get("network")?,
        native_id: r.try_get("native_id")?,
        author_handle: r.try_get("author_handle")?,
        author_native_id: r.try_get("author_native_id")?,
        author_display_name: r.try_get("author_display_name")?,
        author_followers: r.try_get("author_followers")?,
        author_own: r.try_get("author_own")?,
        text: r.try_get("text")?,
        created_at: r.try_get("created_at")?,
        lang: r.try_get("lang")?,
        reply_to: r.try_get("reply_to")?,
        reply_to_handle: r.try_get("reply_to_handle")?,
        root_id: r.try_get("root_id")?,
        mentions: r.try_get("mentions")?,
        hashtags: r.try_get("hashtags")?,
        cashtags: r.try_get("cashtags")?,
        links: r.try_get("links")?,
        likes: r.try_get("likes")?,
        reposts: r.try_get("reposts")?,
        replies: r.try_get("replies")?,
        quotes: r.try_get("quotes")?,
        raw: r.try_get("raw")?,
        conversation_id: r.try_get("conversation_id")?,
        identity_id: r.try_get("identity_id")?,
        contact_id: r.try_get("contact_id")?,
        sentiment: r.try_get("sentiment")?,
        sentiment_score: r.try_get("sentiment_score")?,
        intents: r.try_get("intents")?,
        label_lang: r.try_get("label_lang")?,
        urgency: r.try_get("urgency")?,
        is_mention: r.try_get("is_mention")?,
        from_own_account: r.try_get("from_own_account")?,
    }
    .into_stored()
}

pub(crate) fn decode_all(rows: Vec<Row>) -> Result<Vec<StoredPost>> {
    rows.iter().map(decode).collect()
}

async fn scan(pool: &dyn Db, after: Option<PostId>, limit: u32) -> Result<Vec<StoredPost>> {
    let rows = query(post_select!("WHERE p.id > $1 ORDER BY p.id LIMIT $2"))
        .bind(after.map_or(0, |a| a.0))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    decode_all(rows)
}

#[async_trait]
impl<D: Dialect> PostStore for SqlStore<D> {
    async fn ingest(&self, batch: Vec<NewPost>) -> Result<IngestReport> {
        self.writer().ingest(batch).await
    }

    async fn set_labels(&self, labels: &[(PostId, Labels)]) -> Result<()> {
        let mut tx = self.pool().begin(Begin::Write).await?;
        for (id, l) in labels {
            let (sentiment, score, intents, lang, urgency) = label_columns(Some(l));
            let n = query(
                "UPDATE posts SET sentiment = $1, sentiment_score = $2, intents = $3, \
                 label_lang = $4, urgency = $5 WHERE id = $6",
            )
            .bind(sentiment)
            .bind(score)
            .bind(intents)
            .bind(lang)
            .bind(urgency)
            .bind(id.0)
            .execute(&mut tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!("post {id}")));
            }
        }
        tx.commit().await
    }

    async fn add_matches(&self, matches: &[(PostId, TopicId)]) -> Result<u64> {
        if matches.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool().begin(Begin::Write).await?;
        let mut added = 0;
        for chunk in matches.chunks(10_000) {
            let mut qb = QueryBuilder::new("INSERT INTO post_topics (post_id, topic_id) ");
            qb.push_values(chunk, |mut b, (p, t)| {
                b.push_bind(p.0).push_bind(t.0);
            });
            qb.push(" ON CONFLICT DO NOTHING");
            added += qb.build().execute(&mut tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn post(&self, id: PostId) -> Result<Option<StoredPost>> {
        let row = query(post_select!("WHERE p.id = $1"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(decode).transpose()
    }

    async fn post_by_key(&self, key: &PostKey) -> Result<Option<StoredPost>> {
        let row = query(post_select!("WHERE p.network = $1 AND p.native_id = $2"))
            .bind(key.network.as_str())
            .bind(&key.native_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(decode).transpose()
    }

    async fn scan_posts(&self, after: Option<PostId>, limit: u32) -> Result<Vec<StoredPost>> {
        scan(self.pool(), after, limit).await
    }

    async fn search_candidates(
        &self,
        filter: &TermFilter,
        after: Option<PostId>,
        limit: u32,
    ) -> Result<Vec<StoredPost>> {
        let Some(expr) = D::text_query(filter) else {
            return scan(self.pool(), after, limit).await;
        };
        let rows = query(format!("{} {} LIMIT $3", post_select!(), D::TEXT_MATCH))
            .bind(expr)
            .bind(after.map_or(0, |a| a.0))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        decode_all(rows)
    }

    async fn post_topics(&self, id: PostId) -> Result<Vec<TopicId>> {
        let ids: Vec<i64> =
            query_scalar("SELECT topic_id FROM post_topics WHERE post_id = $1 ORDER BY topic_id")
                .bind(id.0)
                .fetch_all(self.pool())
                .await?;
        Ok(ids.into_iter().map(TopicId).collect())
    }

    async fn topic_posts(&self, topic: TopicId, limit: u32) -> Result<Vec<StoredPost>> {
        let rows = query(post_select!(
            "JOIN post_topics pt ON pt.post_id = p.id WHERE pt.topic_id = $1 ",
            "ORDER BY p.created_at DESC, p.id DESC LIMIT $2"
        ))
        .bind(topic.0)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        decode_all(rows)
    }

    async fn mentions(&self, limit: u32) -> Result<Vec<StoredPost>> {
        let rows = query(post_select!(
            "WHERE p.is_mention ORDER BY p.created_at DESC, p.id DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        decode_all(rows)
    }

    async fn stats(&self) -> Result<Stats> {
        let counts = query(crate::model::STATS_SQL)
            .fetch_one(self.pool())
            .await?;
        let counts: Vec<i64> = (0..counts.len())
            .map(|i| counts.try_get(i))
            .collect::<Result<_>>()?;
        let by_status = query(crate::model::CASES_BY_STATUS_SQL)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<(String, i64)>>>()?;
        crate::model::stats_from_rows(&counts, by_status)
    }
}
