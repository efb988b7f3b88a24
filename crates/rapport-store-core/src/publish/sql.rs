//! `PublishStore` once for both backends: one SQL body per query (times are microseconds and
//! flags integers on both).

use crate::care::{OutboxEntry, ReplyId, ReplyStatus, micros, time};
use crate::channels::ChannelId;
use crate::publish::*;
use crate::sql::{Dialect, QueryBuilder, Row as DbRow, SqlStore, query, query_scalar};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{CaseId, Network, PostId, PublicationId, UserId};

type Pool = dyn crate::sql::Db;

const ENTRY_COLUMNS: &str = "id, case_id, network, in_reply_to, body, author, idempotency_key, \
     status, attempts, last_error, sent_native_id, created_at, updated_at, channel_id, \
     publish_key, not_before, lease_until, reconcile, first_attempt_at, sent_url, sent_at, \
     publication_id, variant, part, after_entry";

/// What `claim_next` may take: due queued or unknown entries, and sending ones whose holder's
/// lease ran out (`$3` is now).
const CLAIMABLE: &str = "((status IN ('queued', 'unknown') AND not_before <= $3) \
     OR (status = 'sending' AND lease_until < $3))";

fn decode_entry(r: &DbRow) -> Result<PublishEntry> {
    let status: String = r.try_get("status")?;
    let network: String = r.try_get("network")?;
    let opt_time = |column: &str| -> Result<Option<DateTime<Utc>>> {
        r.try_get::<Option<i64>, _>(column)?
            .map(|v| time(v, column))
            .transpose()
    };
    let entry = OutboxEntry {
        id: ReplyId(r.try_get("id")?),
        case_id: r.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        network: network
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("outbox network '{network}'")))?,
        in_reply_to: r.try_get::<Option<i64>, _>("in_reply_to")?.map(PostId),
        body: r.try_get("body")?,
        author: UserId(r.try_get("author")?),
        idempotency_key: r.try_get("idempotency_key")?,
        status: status
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("column status: {e}")))?,
        attempts: r.try_get::<i64, _>("attempts")?.clamp(0, u32::MAX as i64) as u32,
        last_error: r.try_get("last_error")?,
        sent_native_id: r.try_get("sent_native_id")?,
        created_at: time(r.try_get("created_at")?, "created_at")?,
        updated_at: time(r.try_get("updated_at")?, "updated_at")?,
    };
    Ok(PublishEntry {
        entry,
        channel: r.try_get::<Option<i64>, _>("channel_id")?.map(ChannelId),
        publish_key: r.try_get("publish_key")?,
        not_before: time(r.try_get("not_before")?, "not_before")?,
        lease_until: opt_time("lease_until")?,
        reconcile: r.try_get::<i64, _>("reconcile")? != 0,
        first_attempt_at: opt_time("first_attempt_at")?,
        sent_url: r.try_get("sent_url")?,
        sent_at: opt_time("sent_at")?,
        publication: r
            .try_get::<Option<i64>, _>("publication_id")?
            .map(PublicationId),
        variant: r
            .try_get::<Option<i64>, _>("variant")?
            .map(|v| v.clamp(0, u32::MAX as i64) as u32),
        part: r
            .try_get::<Option<i64>, _>("part")?
            .map(|v| v.clamp(0, u32::MAX as i64) as u32),
        after_entry: r.try_get::<Option<i64>, _>("after_entry")?.map(ReplyId),
    })
}

async fn entry_by_id(pool: &Pool, id: ReplyId) -> Result<Option<PublishEntry>> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE id = $1");
    query(sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(decode_entry)
        .transpose()
}

/// The entries of these publications, in publication, variant and part order: one query for
/// a whole list page.
pub(crate) async fn entries_of_publications(
    pool: &Pool,
    ids: &[PublicationId],
) -> Result<Vec<PublishEntry>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::new(format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox WHERE publication_id IN ("
    ));
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
    q.push(") ORDER BY publication_id, variant, part, id");
    let rows = q.build().fetch_all(pool).await?;
    rows.iter().map(decode_entry).collect()
}

async fn existing(pool: &Pool, id: ReplyId) -> Result<PublishEntry> {
    entry_by_id(pool, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("outbox entry {id}")))
}

#[async_trait]
impl<D: Dialect> PublishStore for SqlStore<D> {
    async fn claim_next(
        &self,
        network: Network,
        channel: ChannelId,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        fresh_key: &str,
    ) -> Result<Option<PublishEntry>> {
        // The subquery picks a candidate; the outer WHERE checks it again, so of two
        // publishers racing for one entry only the first update matches (PostgreSQL re-reads
        // the row after the first one's lock; SQLite has one writer).
        let sql = format!(
            "UPDATE outbox SET \
               reconcile = CASE WHEN status IN ('sending', 'unknown') THEN 1 ELSE reconcile END, \
               status = 'sending', channel_id = $2, lease_until = $4, \
               publish_key = COALESCE(publish_key, $5), \
               first_attempt_at = COALESCE(first_attempt_at, $3), \
               attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT c.id FROM outbox c \
                 WHERE c.network = $1 AND {CLAIMABLE} \
                   AND (c.channel_id = $2 OR (c.channel_id IS NULL AND c.publication_id IS NULL)) \
                   AND (c.after_entry IS NULL OR EXISTS (SELECT 1 FROM outbox done \
                        WHERE done.id = c.after_entry AND done.status = 'sent')) \
                 ORDER BY c.not_before, c.id LIMIT 1) \
               AND {CLAIMABLE} \
             RETURNING id"
        );
        let id: Option<i64> = query_scalar::<i64>(sql)
            .bind(network.as_str())
            .bind(channel.0)
            .bind(micros(now))
            .bind(micros(now + lease))
            .bind(fresh_key)
            .fetch_optional(self.pool())
            .await?;
        match id {
            Some(id) => Ok(Some(existing(self.pool(), ReplyId(id)).await?)),
            None => Ok(None),
        }
    }

    async fn finish(
        &self,
        id: ReplyId,
        outcome: &PublishOutcome,
        at: DateTime<Utc>,
    ) -> Result<PublishEntry> {
        let at_us = micros(at);
        let query = match outcome {
            PublishOutcome::Sent { native_id, url } => query(
                "UPDATE outbox SET status = 'sent', sent_native_id = $2, sent_url = $3, \
                 sent_at = $4, last_error = NULL, lease_until = NULL, updated_at = $4 \
                 WHERE id = $1 AND status = 'sending'",
            )
            .bind(id.0)
            .bind(native_id)
            .bind(url)
            .bind(at_us),
            PublishOutcome::Retry { reason, retry_at } => query(
                "UPDATE outbox SET status = 'queued', last_error = $2, not_before = $3, \
                 lease_until = NULL, updated_at = $4 WHERE id = $1 AND status = 'sending'",
            )
            .bind(id.0)
            .bind(reason)
            .bind(micros(*retry_at))
            .bind(at_us),
            PublishOutcome::Unknown { reason, retry_at } => query(
                "UPDATE outbox SET status = 'unknown', reconcile = 1, last_error = $2, \
                 not_before = $3, lease_until = NULL, updated_at = $4 \
                 WHERE id = $1 AND status = 'sending'",
            )
            .bind(id.0)
            .bind(reason)
            .bind(micros(*retry_at))
            .bind(at_us),
            PublishOutcome::Failed { reason } => query(
                "UPDATE outbox SET status = 'failed', last_error = $2, lease_until = NULL, \
                 updated_at = $3 WHERE id = $1 AND status = 'sending'",
            )
            .bind(id.0)
            .bind(reason)
            .bind(at_us),
        };
        let done = query.execute(self.pool()).await?.rows_affected();
        let entry = existing(self.pool(), id).await?;
        if done == 0 {
            return Err(StoreError::Conflict(format!(
                "outbox entry {id} is {}, not sending",
                entry.entry.status.as_str()
            )));
        }
        Ok(entry)
    }

    async fn resend(&self, id: ReplyId, body: &str, at: DateTime<Utc>) -> Result<PublishEntry> {
        if body.trim().is_empty() {
            return Err(StoreError::Invalid("the reply is empty".into()));
        }
        let done = query(
            "UPDATE outbox SET status = 'queued', body = $2, last_error = NULL, not_before = 0, \
             updated_at = $3 WHERE id = $1 AND status = 'failed'",
        )
        .bind(id.0)
        .bind(body)
        .bind(micros(at))
        .execute(self.pool())
        .await?
        .rows_affected();
        let entry = existing(self.pool(), id).await?;
        if done == 0 {
            return Err(StoreError::Conflict(format!(
                "outbox entry {id} is {}: only a failed reply can be sent again",
                entry.entry.status.as_str()
            )));
        }
        Ok(entry)
    }

    async fn publish_entry(&self, id: ReplyId) -> Result<Option<PublishEntry>> {
        entry_by_id(self.pool(), id).await
    }

    async fn case_publish_entries(&self, case: CaseId) -> Result<Vec<PublishEntry>> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE case_id = $1 ORDER BY id");
        let rows = query(sql).bind(case.0).fetch_all(self.pool()).await?;
        rows.iter().map(decode_entry).collect()
    }

    async fn publish_entries(
        &self,
        status: Option<ReplyStatus>,
        after: Option<ReplyId>,
        limit: u32,
    ) -> Result<Vec<PublishEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE ($1 = '' OR status = $1) AND id > $2 \
             ORDER BY id LIMIT $3"
        );
        let rows = query(sql)
            .bind(status.map_or("", ReplyStatus::as_str))
            .bind(after.map_or(0, |a| a.0))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(decode_entry).collect()
    }

    async fn entry_by_native(
        &self,
        network: Network,
        native_id: &str,
    ) -> Result<Option<PublishEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE network = $1 AND sent_native_id = $2 \
             ORDER BY id LIMIT 1"
        );
        query(sql)
            .bind(network.as_str())
            .bind(native_id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(decode_entry)
            .transpose()
    }

    async fn sent_native_ids(
        &self,
        channel: ChannelId,
        since: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        Ok(query_scalar::<String>(
            "SELECT sent_native_id FROM outbox WHERE channel_id = $1 AND sent_at >= $2 \
             AND sent_native_id IS NOT NULL ORDER BY id",
        )
        .bind(channel.0)
        .bind(micros(since))
        .fetch_all(self.pool())
        .await?)
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts> {
        let rows = query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
            .fetch_all(self.pool())
            .await?;
        let mut counts = OutboxCounts::default();
        for row in rows {
            let (status, n): (String, i64) = (row.try_get("status")?, row.try_get("n")?);
            let n = n.max(0) as u64;
            match status.as_str() {
                "queued" => counts.queued = n,
                "sending" => counts.sending = n,
                "sent" => counts.sent = n,
                "failed" => counts.failed = n,
                "unknown" => counts.unknown = n,
                other => return Err(StoreError::Corrupt(format!("outbox status '{other}'"))),
            }
        }
        Ok(counts)
    }
}
