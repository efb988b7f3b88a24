//! `ChannelStore` once for both backends: one SQL body per query (times are microseconds and
//! flags integers on both).

use crate::care::{micros, time};
use crate::channels::*;
use crate::sql::{Dialect, Row as DbRow, SqlStore, query, query_scalar};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{Network, PostKey};

type Pool = dyn crate::sql::Db;

const CHANNEL_COLUMNS: &str = "id, name, network, config, secret, enabled, state, last_error, \
     last_error_at, checkpoint, checkpoint_at, created_at";

fn decode_channel(r: &DbRow) -> Result<Channel> {
    let network: String = r.try_get("network")?;
    let state: String = r.try_get("state")?;
    let opt_time = |column: &str| -> Result<Option<DateTime<Utc>>> {
        r.try_get::<Option<i64>, _>(column)?
            .map(|v| time(v, column))
            .transpose()
    };
    Ok(Channel {
        id: ChannelId(r.try_get("id")?),
        name: r.try_get("name")?,
        network: network
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("channel network '{network}'")))?,
        config: r.try_get("config")?,
        secret: r.try_get("secret")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        state: state.parse().map_err(StoreError::Corrupt)?,
        last_error: r.try_get("last_error")?,
        last_error_at: opt_time("last_error_at")?,
        checkpoint: r.try_get("checkpoint")?,
        checkpoint_at: opt_time("checkpoint_at")?,
        created_at: time(r.try_get("created_at")?, "created_at")?,
    })
}

async fn channel_by_name(pool: &Pool, name: &str) -> Result<Option<Channel>> {
    let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE name = $1");
    query(sql)
        .bind(name)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(decode_channel)
        .transpose()
}

#[async_trait]
impl<D: Dialect> ChannelStore for SqlStore<D> {
    async fn add_channel(&self, channel: &NewChannel) -> Result<Channel> {
        let name = channel.name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("channel name is empty".into()));
        }
        let id: Option<i64> = query_scalar::<i64>(
            "INSERT INTO channels (name, network, config, secret, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(channel.network.as_str())
        .bind(&channel.config)
        .bind(&channel.secret)
        .bind(micros(channel.created_at))
        .fetch_optional(self.pool())
        .await?;
        if id.is_none() {
            return Err(StoreError::Conflict(format!(
                "a channel named '{name}' exists"
            )));
        }
        channel_by_name(self.pool(), name)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("channel '{name}'")))
    }

    async fn list_channels(&self) -> Result<Vec<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels ORDER BY name");
        let rows = query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(decode_channel).collect()
    }

    async fn channel(&self, name: &str) -> Result<Option<Channel>> {
        channel_by_name(self.pool(), name).await
    }

    async fn remove_channel(&self, name: &str) -> Result<bool> {
        // Gaps go with their channel (ON DELETE CASCADE).
        let done = query("DELETE FROM channels WHERE name = $1")
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_channel_enabled(&self, id: ChannelId, enabled: bool) -> Result<()> {
        query("UPDATE channels SET enabled = $2 WHERE id = $1")
            .bind(id.0)
            .bind(i64::from(enabled))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn set_channel_state(
        &self,
        id: ChannelId,
        state: ChannelState,
        error: Option<(&str, DateTime<Utc>)>,
    ) -> Result<()> {
        let query = match error {
            Some((error, at)) => query(
                "UPDATE channels SET state = $2, last_error = $3, last_error_at = $4 WHERE id = $1",
            )
            .bind(id.0)
            .bind(state.as_str())
            .bind(error)
            .bind(micros(at)),
            None => query("UPDATE channels SET state = $2 WHERE id = $1")
                .bind(id.0)
                .bind(state.as_str()),
        };
        query.execute(self.pool()).await?;
        Ok(())
    }

    async fn save_checkpoint(
        &self,
        id: ChannelId,
        checkpoint: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        query("UPDATE channels SET checkpoint = $2, checkpoint_at = $3 WHERE id = $1")
            .bind(id.0)
            .bind(checkpoint)
            .bind(micros(at))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn record_gap(&self, gap: &ChannelGap) -> Result<()> {
        query(
            "INSERT INTO channel_gaps (channel_id, from_at, to_at, reason, recorded_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(gap.channel.0)
        .bind(micros(gap.from))
        .bind(micros(gap.to))
        .bind(&gap.reason)
        .bind(micros(gap.recorded_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn gaps(&self, id: ChannelId, limit: u32) -> Result<Vec<ChannelGap>> {
        let rows = query(
            "SELECT from_at, to_at, reason, recorded_at FROM channel_gaps \
             WHERE channel_id = $1 ORDER BY from_at DESC, id DESC LIMIT $2",
        )
        .bind(id.0)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ChannelGap {
                    channel: id,
                    from: time(r.try_get("from_at")?, "from_at")?,
                    to: time(r.try_get("to_at")?, "to_at")?,
                    reason: r.try_get("reason")?,
                    recorded_at: time(r.try_get("recorded_at")?, "recorded_at")?,
                })
            })
            .collect()
    }

    async fn add_reads(&self, id: ChannelId, month: &str, reads: u64) -> Result<u64> {
        let total: i64 = query_scalar::<i64>(
            "INSERT INTO channel_reads (channel_id, month, reads) VALUES ($1, $2, $3) \
             ON CONFLICT (channel_id, month) \
             DO UPDATE SET reads = channel_reads.reads + excluded.reads RETURNING reads",
        )
        .bind(id.0)
        .bind(month)
        .bind(i64::try_from(reads).unwrap_or(i64::MAX))
        .fetch_one(self.pool())
        .await?;
        Ok(total.max(0) as u64)
    }

    async fn reads(&self, id: ChannelId, month: &str) -> Result<u64> {
        let total: Option<i64> = query_scalar::<i64>(
            "SELECT reads FROM channel_reads WHERE channel_id = $1 AND month = $2",
        )
        .bind(id.0)
        .bind(month)
        .fetch_optional(self.pool())
        .await?;
        Ok(total.unwrap_or(0).max(0) as u64)
    }
}

/// Empties one post the network deleted (as an erasure empties a post: the network took it
/// back, so do we), its text taken out of its cases' search first. `false` when it was marked
/// already. Each step is idempotent, so a crash between them is made good by the next event.
async fn forget_post<D: Dialect>(store: &SqlStore<D>, post: i64, at: i64) -> Result<bool> {
    query(D::FORGET_CASE_TEXT)
        .bind(post)
        .execute(store.pool())
        .await?;
    let done = query(crate::privacy::empty_posts_sql::<D>(
        "id = $2 AND deleted_at IS NULL",
    ))
    .bind(at)
    .bind(post)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

#[async_trait]
impl<D: Dialect> DeletionStore for SqlStore<D> {
    async fn mark_deleted(&self, keys: &[PostKey], at: DateTime<Utc>) -> Result<u64> {
        let mut marked = 0;
        for key in keys {
            let post: Option<i64> = query_scalar(
                "SELECT id FROM posts WHERE network = $1 AND native_id = $2 \
                 AND deleted_at IS NULL",
            )
            .bind(key.network.as_str())
            .bind(&key.native_id)
            .fetch_optional(self.pool())
            .await?;
            if let Some(post) = post
                && forget_post(self, post, micros(at)).await?
            {
                marked += 1;
            }
        }
        Ok(marked)
    }

    async fn mark_author_deleted(
        &self,
        network: Network,
        native_id: &str,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        let posts: Vec<i64> = query_scalar(
            "SELECT p.id FROM posts p JOIN identities i ON i.id = p.identity_id \
             WHERE i.network = $1 AND i.native_id = $2 AND p.deleted_at IS NULL ORDER BY p.id",
        )
        .bind(network.as_str())
        .bind(native_id)
        .fetch_all(self.pool())
        .await?;
        let mut marked = 0;
        for post in posts {
            if forget_post(self, post, micros(at)).await? {
                marked += 1;
            }
        }
        Ok(marked)
    }

    async fn deleted_at(&self, key: &PostKey) -> Result<Option<DateTime<Utc>>> {
        let at: Option<Option<i64>> = query_scalar::<Option<i64>>(
            "SELECT deleted_at FROM posts WHERE network = $1 AND native_id = $2",
        )
        .bind(key.network.as_str())
        .bind(&key.native_id)
        .fetch_optional(self.pool())
        .await?;
        at.flatten().map(|v| time(v, "deleted_at")).transpose()
    }
}
