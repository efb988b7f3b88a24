//! Identities, contacts and own accounts on SQLite.

use rapport_domain::Network;
use rapport_store_core::plan::{Key, handle_key};
use rapport_store_core::{Result, StoreError};
use serde_json::json;
use sqlx::{SqliteConnection, SqlitePool};

/// Marks what follows from identities becoming own accounts: their posts are from own
/// accounts, and posts mentioning them or replying to their posts are mentions.
pub(super) async fn mark_own(tx: &mut SqliteConnection, newly_own: &[(i64, Key)]) -> Result<()> {
    if newly_own.is_empty() {
        return Ok(());
    }
    let list: Vec<_> = newly_own
        .iter()
        .map(|(id, (net, key))| json!([id, net.as_str(), key]))
        .collect();
    let list = serde_json::Value::from(list).to_string();
    sqlx::query(
        "UPDATE posts SET from_own_account = 1 WHERE NOT from_own_account \
         AND identity_id IN (SELECT value ->> 0 FROM json_each(?1))",
    )
    .bind(&list)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE posts SET is_mention = 1 WHERE NOT is_mention AND id IN ( \
           SELECT pm.post_id FROM json_each(?1) k \
           JOIN post_mentions pm ON pm.network = k.value ->> 1 AND pm.handle_key = k.value ->> 2)",
    )
    .bind(&list)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE posts SET is_mention = 1 WHERE NOT is_mention AND id IN ( \
           SELECT c.id FROM json_each(?1) k \
           JOIN posts par ON par.identity_id = k.value ->> 0 \
           JOIN posts c ON c.network = par.network AND c.reply_to = par.native_id)",
    )
    .bind(&list)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Undoes [`mark_own`] for one identity, working each affected post's mark out again.
async fn unmark_own(tx: &mut SqliteConnection, id: i64, net: Network, key: &str) -> Result<()> {
    sqlx::query("UPDATE posts SET from_own_account = 0 WHERE identity_id = ?1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE posts SET is_mention = ( \
           EXISTS (SELECT 1 FROM post_mentions pm JOIN identities i \
                     ON i.network = pm.network AND i.handle_key = pm.handle_key \
                   WHERE pm.post_id = posts.id AND i.own_account) \
           OR EXISTS (SELECT 1 FROM posts par JOIN identities i ON i.id = par.identity_id \
                   WHERE par.network = posts.network AND par.native_id = posts.reply_to \
                     AND i.own_account)) \
         WHERE is_mention AND id IN ( \
           SELECT post_id FROM post_mentions WHERE network = ?2 AND handle_key = ?3 \
           UNION \
           SELECT c.id FROM posts par JOIN posts c \
             ON c.network = par.network AND c.reply_to = par.native_id \
           WHERE par.identity_id = ?1)",
    )
    .bind(id)
    .bind(net.as_str())
    .bind(key)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub(super) async fn set_own_account(
    pool: &SqlitePool,
    net: Network,
    handle: &str,
    own: bool,
) -> Result<()> {
    let key = handle_key(handle);
    if key.is_empty() {
        return Err(StoreError::Invalid(format!(
            "own account on {net}: empty handle"
        )));
    }
    let shown = handle.trim().trim_start_matches('@');
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let found: Option<(i64, bool)> = sqlx::query_as(
        "SELECT id, own_account FROM identities WHERE network = ?1 AND handle_key = ?2",
    )
    .bind(net.as_str())
    .bind(&key)
    .fetch_optional(&mut *tx)
    .await?;
    let (id, was) = match found {
        Some(f) => f,
        None => {
            let contact: i64 =
                sqlx::query_scalar("INSERT INTO contacts (name) VALUES (?1) RETURNING id")
                    .bind(shown)
                    .fetch_one(&mut *tx)
                    .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO identities (contact_id, network, handle_key, handle, own_account) \
                 VALUES (?1, ?2, ?3, ?4, 0) RETURNING id",
            )
            .bind(contact)
            .bind(net.as_str())
            .bind(&key)
            .bind(shown)
            .fetch_one(&mut *tx)
            .await?;
            (id, false)
        }
    };
    if was != own {
        sqlx::query("UPDATE identities SET own_account = ?1 WHERE id = ?2")
            .bind(own)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if own {
            mark_own(&mut tx, &[(id, (net, key))]).await?;
        } else {
            unmark_own(&mut tx, id, net, &key).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
