//! `PublicationStore` once for both backends: one SQL body per query (times are microseconds
//! on both).

use super::PublicationStore;
use crate::care::{micros, time};
use crate::posts::sql::{decode_all, post_select};
use crate::sql::{Begin, Db, Dialect, QueryBuilder, Row, SqlStore, Tx, query, query_scalar};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::publication::{
    NewPublication, Publication, PublicationId, PublicationQuery, PublicationStatus, Variant,
};
use rapport_domain::publish::PublishEntry;
use rapport_domain::{ChannelId, StoredPost, UserId};
use std::collections::HashMap;

const COLUMNS: &str = "id, author, body, status, scheduled_for, time_zone, reviewer, \
     review_comment, released_at, published_at, created_at, updated_at, version";

fn decode(r: &Row, variants: Vec<Variant>) -> Result<Publication> {
    let status: String = r.try_get("status")?;
    let opt_time = |column: &str| -> Result<Option<DateTime<Utc>>> {
        r.try_get::<Option<i64>, _>(column)?
            .map(|v| time(v, column))
            .transpose()
    };
    Ok(Publication {
        id: PublicationId(r.try_get("id")?),
        author: UserId(r.try_get("author")?),
        body: r.try_get("body")?,
        status: status
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("column status: {e}")))?,
        scheduled_for: opt_time("scheduled_for")?,
        time_zone: r.try_get("time_zone")?,
        variants,
        reviewer: r.try_get::<Option<i64>, _>("reviewer")?.map(UserId),
        review_comment: r.try_get("review_comment")?,
        released_at: opt_time("released_at")?,
        published_at: opt_time("published_at")?,
        created_at: time(r.try_get("created_at")?, "created_at")?,
        updated_at: time(r.try_get("updated_at")?, "updated_at")?,
        version: r.try_get("version")?,
    })
}

fn decode_variant(r: &Row) -> Result<Variant> {
    let network: String = r.try_get("network")?;
    let parts: String = r.try_get("parts")?;
    Ok(Variant {
        channel: r.try_get::<Option<i64>, _>("channel_id")?.map(ChannelId),
        channel_name: r.try_get("channel_name")?,
        network: crate::record::network(&network)?,
        text: r.try_get("text")?,
        parts: serde_json::from_str(&parts)
            .map_err(|e| StoreError::Corrupt(format!("column parts: {e}")))?,
    })
}

/// Reads the rows' publications with their variants (one query for all the variants).
async fn with_variants(pool: &dyn Db, rows: Vec<Row>) -> Result<Vec<Publication>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64, _>("id"))
        .collect::<Result<_>>()?;
    let mut q = QueryBuilder::new(
        "SELECT publication_id, position, channel_id, channel_name, network, text, parts \
         FROM publication_variants WHERE publication_id IN (",
    );
    let mut list = q.separated(", ");
    for id in &ids {
        list.push_bind(*id);
    }
    q.push(") ORDER BY publication_id, position");
    let mut variants: HashMap<i64, Vec<Variant>> = HashMap::new();
    for r in q.build().fetch_all(pool).await? {
        variants
            .entry(r.try_get("publication_id")?)
            .or_default()
            .push(decode_variant(&r)?);
    }
    rows.iter()
        .zip(ids)
        .map(|(r, id)| decode(r, variants.remove(&id).unwrap_or_default()))
        .collect()
}

async fn by_id(pool: &dyn Db, id: PublicationId) -> Result<Option<Publication>> {
    let rows = query(format!("SELECT {COLUMNS} FROM publications WHERE id = $1"))
        .bind(id.0)
        .fetch_all(pool)
        .await?;
    Ok(with_variants(pool, rows).await?.into_iter().next())
}

async fn write_variants(tx: &mut dyn Tx, id: PublicationId, variants: &[Variant]) -> Result<()> {
    query("DELETE FROM publication_variants WHERE publication_id = $1")
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    if variants.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::new(
        "INSERT INTO publication_variants \
         (publication_id, position, channel_id, channel_name, network, text, parts) ",
    );
    q.push_values(variants.iter().enumerate(), |mut row, (i, v)| {
        row.push_bind(id.0)
            .push_bind(i as i64)
            .push_bind(v.channel.map(|c| c.0))
            .push_bind(v.channel_name.clone())
            .push_bind(v.network.as_str())
            .push_bind(v.text.clone())
            .push_bind(serde_json::to_string(&v.parts).expect("strings serialize"));
    });
    q.build().execute(&mut *tx).await?;
    Ok(())
}

#[async_trait]
impl<D: Dialect> PublicationStore for SqlStore<D> {
    async fn create_publication(&self, new: &NewPublication) -> Result<Publication> {
        let at = micros(new.created_at);
        let mut tx = self.pool().begin(Begin::Write).await?;
        let id: i64 = query_scalar(
            "INSERT INTO publications (author, body, status, scheduled_for, time_zone, \
             created_at, updated_at, version) VALUES ($1, $2, 'draft', $3, $4, $5, $5, 1) \
             RETURNING id",
        )
        .bind(new.author.0)
        .bind(&new.body)
        .bind(new.scheduled_for.map(micros))
        .bind(&new.time_zone)
        .bind(at)
        .fetch_one(&mut tx)
        .await?;
        write_variants(&mut *tx, PublicationId(id), &new.variants).await?;
        tx.commit().await?;
        by_id(self.pool(), PublicationId(id))
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("publication {id}")))
    }

    async fn publication(&self, id: PublicationId) -> Result<Option<Publication>> {
        by_id(self.pool(), id).await
    }

    async fn save_publication(&self, p: &Publication) -> Result<Publication> {
        if matches!(
            p.status,
            PublicationStatus::Publishing
                | PublicationStatus::Published
                | PublicationStatus::Failed
        ) {
            return Err(StoreError::Invalid(format!(
                "a publication becomes {} only by its release",
                p.status
            )));
        }
        let mut tx = self.pool().begin(Begin::Write).await?;
        // Only an unreleased publication is saved this way: its release owns it after.
        let saved = query(
            "UPDATE publications SET body = $3, status = $4, scheduled_for = $5, time_zone = $6, \
             reviewer = $7, review_comment = $8, updated_at = $9, version = version + 1 \
             WHERE id = $1 AND version = $2 AND status IN ('draft', 'in_review', 'scheduled')",
        )
        .bind(p.id.0)
        .bind(p.version)
        .bind(&p.body)
        .bind(p.status.as_str())
        .bind(p.scheduled_for.map(micros))
        .bind(&p.time_zone)
        .bind(p.reviewer.map(|u| u.0))
        .bind(p.review_comment.clone())
        .bind(micros(p.updated_at))
        .execute(&mut tx)
        .await?
        .rows_affected();
        if saved == 0 {
            drop(tx);
            return Err(match by_id(self.pool(), p.id).await? {
                None => StoreError::NotFound(format!("publication {}", p.id)),
                Some(now) => StoreError::Conflict(format!(
                    "publication {} is {} at version {}, not at version {}",
                    p.id, now.status, now.version, p.version
                )),
            });
        }
        write_variants(&mut *tx, p.id, &p.variants).await?;
        tx.commit().await?;
        by_id(self.pool(), p.id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("publication {}", p.id)))
    }

    async fn delete_publication(&self, id: PublicationId) -> Result<bool> {
        let done =
            query("DELETE FROM publications WHERE id = $1 AND status IN ('draft', 'in_review')")
                .bind(id.0)
                .execute(self.pool())
                .await?
                .rows_affected();
        if done == 0
            && let Some(p) = by_id(self.pool(), id).await?
        {
            return Err(StoreError::Conflict(format!(
                "publication {id} is {}: only a draft or one in review can be removed",
                p.status
            )));
        }
        Ok(done > 0)
    }

    async fn publications(&self, q: &PublicationQuery) -> Result<Vec<Publication>> {
        let mut b = QueryBuilder::new(format!("SELECT {COLUMNS} FROM publications WHERE 1 = 1"));
        if !q.statuses.is_empty() {
            b.push(" AND status IN (");
            let mut list = b.separated(", ");
            for s in &q.statuses {
                list.push_bind(s.as_str());
            }
            b.push(")");
        }
        let ranged = q.from.is_some() || q.until.is_some();
        if let Some(from) = q.from {
            b.push(" AND COALESCE(scheduled_for, released_at) >= ")
                .push_bind(micros(from));
        }
        if let Some(until) = q.until {
            b.push(" AND COALESCE(scheduled_for, released_at) < ")
                .push_bind(micros(until));
        }
        if let Some(before) = q.before {
            b.push(" AND id < ").push_bind(before.0);
        }
        b.push(if ranged {
            " ORDER BY COALESCE(scheduled_for, released_at), id"
        } else {
            " ORDER BY id DESC"
        });
        b.push(" LIMIT ").push_bind(i64::from(q.limit));
        let rows = b.build().fetch_all(self.pool()).await?;
        with_variants(self.pool(), rows).await
    }

    async fn release_due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<PublicationId>> {
        let due: Vec<i64> = query_scalar(
            "SELECT id FROM publications WHERE status = 'scheduled' \
             AND (scheduled_for IS NULL OR scheduled_for <= $1) \
             ORDER BY scheduled_for, id LIMIT $2",
        )
        .bind(micros(now))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        let mut released = Vec::new();
        for id in due {
            if release_one(self.pool(), PublicationId(id), now).await? {
                released.push(PublicationId(id));
            }
        }
        Ok(released)
    }

    async fn settle_publication(
        &self,
        id: PublicationId,
        at: DateTime<Utc>,
    ) -> Result<Option<Publication>> {
        // One statement, so two publishers finishing parts at once cannot settle it wrong.
        query(
            "UPDATE publications SET \
               status = CASE \
                 WHEN NOT EXISTS (SELECT 1 FROM outbox o WHERE o.publication_id = publications.id) \
                   THEN 'failed' \
                 WHEN NOT EXISTS (SELECT 1 FROM outbox o WHERE o.publication_id = publications.id \
                                  AND o.status <> 'sent') THEN 'published' \
                 WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.publication_id = publications.id \
                              AND o.status = 'failed') THEN 'failed' \
                 ELSE 'publishing' END, \
               published_at = CASE \
                 WHEN NOT EXISTS (SELECT 1 FROM outbox o WHERE o.publication_id = publications.id \
                                  AND o.status <> 'sent') \
                 THEN (SELECT MAX(o.sent_at) FROM outbox o WHERE o.publication_id = publications.id) \
                 ELSE NULL END, \
               updated_at = $2, version = version + 1 \
             WHERE id = $1 AND status IN ('publishing', 'published', 'failed')",
        )
        .bind(id.0)
        .bind(micros(at))
        .execute(self.pool())
        .await?;
        by_id(self.pool(), id).await
    }

    async fn publication_entries(&self, ids: &[PublicationId]) -> Result<Vec<PublishEntry>> {
        crate::publish::entries_of_publications(self.pool(), ids).await
    }

    async fn publication_replies(&self, id: PublicationId, limit: u32) -> Result<Vec<StoredPost>> {
        let rows = query(post_select!(
            "WHERE p.conversation_id IN (SELECT pub.conversation_id FROM outbox o \
               JOIN posts pub ON pub.network = o.network AND pub.native_id = o.sent_native_id \
               WHERE o.publication_id = $1) \
             AND NOT p.from_own_account \
             ORDER BY p.created_at, p.id LIMIT $2"
        ))
        .bind(id.0)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        decode_all(rows)
    }
}

/// Releases one publication if it is still scheduled: its status and its entries commit
/// together.
async fn release_one(pool: &dyn Db, id: PublicationId, now: DateTime<Utc>) -> Result<bool> {
    let at = micros(now);
    let mut tx = pool.begin(Begin::Write).await?;
    let moved = query(
        "UPDATE publications SET status = 'publishing', released_at = $2, updated_at = $2, \
         version = version + 1 WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id.0)
    .bind(at)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if moved == 0 {
        // Released by another scheduler, or taken off the schedule, since it was read.
        return Ok(false);
    }
    let author: i64 = query_scalar("SELECT author FROM publications WHERE id = $1")
        .bind(id.0)
        .fetch_one(&mut tx)
        .await?;
    let variants = query(
        "SELECT position, channel_id, network, parts FROM publication_variants \
         WHERE publication_id = $1 AND channel_id IS NOT NULL ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(&mut tx)
    .await?;
    for v in &variants {
        let position: i64 = v.try_get("position")?;
        let channel: i64 = v.try_get("channel_id")?;
        let network: String = v.try_get("network")?;
        let parts: Vec<String> = serde_json::from_str(&v.try_get::<String, _>("parts")?)
            .map_err(|e| StoreError::Corrupt(format!("column parts: {e}")))?;
        let mut previous: Option<i64> = None;
        for (i, text) in parts.iter().enumerate() {
            let part = i as i64 + 1;
            let entry: i64 = query_scalar(
                "INSERT INTO outbox (case_id, network, in_reply_to, body, author, \
                 idempotency_key, status, attempts, created_at, updated_at, channel_id, \
                 not_before, publication_id, variant, part, after_entry) \
                 VALUES (NULL, $1, NULL, $2, $3, $4, 'queued', 0, $5, $5, $6, $5, $7, $8, $9, $10) \
                 RETURNING id",
            )
            .bind(network.as_str())
            .bind(text.as_str())
            .bind(author)
            .bind(format!("publication:{}:{position}:{part}", id.0))
            .bind(at)
            .bind(channel)
            .bind(id.0)
            .bind(position)
            .bind(part)
            .bind(previous)
            .fetch_one(&mut tx)
            .await?;
            previous = Some(entry);
        }
    }
    tx.commit().await?;
    Ok(true)
}
