//! The reports' queries: one SQL body for both backends.

use super::ReportStore;
use super::listening;
use crate::Result;
use crate::sql::{Dialect, SqlStore, query};
use async_trait::async_trait;
use rapport_domain::care::{AccountResponse, middle_median};
use rapport_domain::listening::{
    AuthorOrder, AuthorRow, Bucket, Counts, IntentMix, ListeningFilter, SentimentCounts,
};
use rapport_domain::{SentimentLabel, StoredPost, TopicId};

/// Per own account: the posts addressed to it (`addressed`: mentions and replies to its posts,
/// a post doing both once), the delay to its first direct reply to each (`firsts`), and the one
/// or two middle delays of those in order (`middle`), whose mean is the median. The window
/// functions keep the median in the database: no delay list travels to the engine.
fn account_responses_sql<D: Dialect>() -> String {
    let created = D::CREATED_MICROS;
    format!(
        "WITH own AS ( \
           SELECT id, network, handle_key, handle FROM identities WHERE own_account \
         ), addressed AS ( \
           SELECT o.id AS account, p.id AS post_id, p.network, p.native_id, {created} AS at \
           FROM own o \
           JOIN post_mentions m ON m.network = o.network AND m.handle_key = o.handle_key \
           JOIN posts p ON p.id = m.post_id \
           JOIN identities a ON a.id = p.identity_id \
           WHERE NOT a.own_account \
           UNION \
           SELECT o.id, p.id, p.network, p.native_id, {created} \
           FROM own o \
           JOIN posts parent ON parent.identity_id = o.id \
           JOIN posts p ON p.network = parent.network AND p.reply_to = parent.native_id \
           JOIN identities a ON a.id = p.identity_id \
           WHERE NOT a.own_account \
         ), firsts AS ( \
           SELECT ad.account, ad.post_id, MIN({created}) - ad.at AS delay \
           FROM addressed ad \
           JOIN posts p ON p.network = ad.network AND p.reply_to = ad.native_id \
             AND p.identity_id = ad.account \
           GROUP BY ad.account, ad.post_id, ad.at \
         ), ranked AS ( \
           SELECT account, delay, \
             ROW_NUMBER() OVER (PARTITION BY account ORDER BY delay) AS rn, \
             COUNT(*) OVER (PARTITION BY account) AS n \
           FROM firsts \
         ), inbound AS ( \
           SELECT account, COUNT(*) AS n FROM addressed GROUP BY account \
         ), middle AS ( \
           SELECT account, MAX(n) AS answered, MIN(delay) AS lo, MAX(delay) AS hi \
           FROM ranked WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2 GROUP BY account \
         ) \
         SELECT o.network, o.handle, \
           CAST(COALESCE(i.n, 0) AS BIGINT) AS inbound, \
           CAST(COALESCE(m.answered, 0) AS BIGINT) AS answered, \
           CAST(m.lo AS BIGINT) AS lo, CAST(m.hi AS BIGINT) AS hi \
         FROM own o \
         LEFT JOIN inbound i ON i.account = o.id \
         LEFT JOIN middle m ON m.account = o.id \
         ORDER BY inbound DESC, o.network, o.handle_key"
    )
}

#[async_trait]
impl<D: Dialect> ReportStore for SqlStore<D> {
    async fn account_responses(&self) -> Result<Vec<AccountResponse>> {
        let rows = query(account_responses_sql::<D>())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let network: String = r.try_get("network")?;
                let inbound: i64 = r.try_get("inbound")?;
                let answered: i64 = r.try_get("answered")?;
                let lo: Option<i64> = r.try_get("lo")?;
                let hi: Option<i64> = r.try_get("hi")?;
                Ok(AccountResponse {
                    network: crate::record::network(&network)?,
                    handle: r.try_get("handle")?,
                    inbound: inbound as u64,
                    answered: answered as u64,
                    median_reply: lo.zip(hi).map(|(lo, hi)| middle_median(lo, hi)),
                })
            })
            .collect()
    }

    async fn listening_volume(
        &self,
        filter: &ListeningFilter,
        bucket: Bucket,
    ) -> Result<Vec<(i64, Option<SentimentLabel>, u64)>> {
        listening::volume::<D>(self.pool(), filter, bucket).await
    }

    async fn listening_topics(
        &self,
        filter: &ListeningFilter,
    ) -> Result<Vec<(TopicId, String, SentimentCounts)>> {
        listening::topics::<D>(self.pool(), filter).await
    }

    async fn listening_intents(&self, filter: &ListeningFilter) -> Result<IntentMix> {
        listening::intents::<D>(self.pool(), filter).await
    }

    async fn listening_authors(
        &self,
        filter: &ListeningFilter,
        order: AuthorOrder,
        limit: u32,
    ) -> Result<Vec<AuthorRow>> {
        listening::authors::<D>(self.pool(), filter, order, limit).await
    }

    async fn listening_hashtags(&self, filter: &ListeningFilter, limit: u32) -> Result<Counts> {
        listening::hashtags::<D>(self.pool(), filter, limit).await
    }

    async fn listening_texts(&self, filter: &ListeningFilter, limit: u32) -> Result<Vec<String>> {
        listening::texts::<D>(self.pool(), filter, limit).await
    }

    async fn listening_posts(
        &self,
        filter: &ListeningFilter,
        limit: u32,
        offset: u32,
    ) -> Result<(u64, Vec<StoredPost>)> {
        listening::posts::<D>(self.pool(), filter, limit, offset).await
    }
}
