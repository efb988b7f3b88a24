//! Ingest on SQLite: one `BEGIN IMMEDIATE` transaction per batch, three keyed look-ups, the
//! shared plan, then multi-row inserts (statements are cached by text, so every full chunk
//! reuses one prepared statement).

use super::accounts::mark_own;
use rapport_store_core::plan::{self, IdentityRow, Ids, Input, Key, Lookups, PostHit, Writes};
use rapport_store_core::record::{label_columns, list_json, network};
use rapport_store_core::{IngestReport, NewPost, Result};
use serde_json::json;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

/// SQLite allows 32,766 bound values per statement; stay below it.
const MAX_BINDS: usize = 30_000;

pub(super) async fn ingest(pool: &SqlitePool, batch: Vec<NewPost>) -> Result<IngestReport> {
    if batch.is_empty() {
        return Ok(IngestReport::default());
    }
    let input = Input::new(batch)?;
    // IMMEDIATE takes the write lock up front, so the reads below and the ids handed out
    // after them cannot be overtaken by another writer.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let lookups = lookups(&mut tx, &input).await?;
    let planned = plan::plan(&input, lookups);
    let max: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM contacts), \
                (SELECT COALESCE(MAX(id), 0) FROM identities), \
                (SELECT COALESCE(MAX(id), 0) FROM conversations), \
                (SELECT COALESCE(MAX(id), 0) FROM posts)",
    )
    .fetch_one(&mut *tx)
    .await?;
    let ids = Ids::after([max.0, max.1, max.2, max.3], planned.counts);
    let writes = planned.resolve(&input, &ids);
    write(&mut tx, &writes).await?;
    tx.commit().await?;
    Ok(writes.report)
}

pub(super) fn keys_json(keys: &[Key]) -> String {
    let pairs: Vec<(&str, &str)> = keys.iter().map(|(n, k)| (n.as_str(), k.as_str())).collect();
    serde_json::to_string(&pairs).expect("string pairs always serialize")
}

async fn lookups(tx: &mut SqliteConnection, input: &Input) -> Result<Lookups> {
    let mut lk = Lookups::default();
    let rows = sqlx::query(
        "SELECT p.network, p.native_id, p.id, p.identity_id, i.own_account \
         FROM json_each(?1) k \
         JOIN posts p ON p.network = k.value ->> 0 AND p.native_id = k.value ->> 1 \
         JOIN identities i ON i.id = p.identity_id",
    )
    .bind(keys_json(&input.post_keys()))
    .fetch_all(&mut *tx)
    .await?;
    for r in rows {
        let key = (network(r.try_get("network")?)?, r.try_get("native_id")?);
        let hit = PostHit {
            id: r.try_get("id")?,
            identity_id: r.try_get("identity_id")?,
            identity_own: r.try_get("own_account")?,
        };
        lk.posts.insert(key, hit);
    }

    let rows = sqlx::query(
        "SELECT i.id, i.contact_id, i.network, i.handle_key, i.handle, i.native_id, \
                i.display_name, i.followers, i.own_account \
         FROM json_each(?1) k \
         JOIN identities i ON i.network = k.value ->> 0 AND i.handle_key = k.value ->> 1",
    )
    .bind(keys_json(&input.identity_keys()))
    .fetch_all(&mut *tx)
    .await?;
    for r in rows {
        let row = IdentityRow {
            id: r.try_get("id")?,
            contact_id: r.try_get("contact_id")?,
            network: network(r.try_get("network")?)?,
            handle_key: r.try_get("handle_key")?,
            handle: r.try_get("handle")?,
            native_id: r.try_get("native_id")?,
            display_name: r.try_get("display_name")?,
            followers: r.try_get("followers")?,
            own: r.try_get("own_account")?,
        };
        lk.identities
            .insert((row.network, row.handle_key.clone()), row);
    }

    // Every stored post touching a node is in the same conversation, so one hit per way of
    // touching it is enough.
    let rows = sqlx::query(
        "WITH k (network, node) AS (SELECT value ->> 0, value ->> 1 FROM json_each(?1)) \
         SELECT * FROM (SELECT k.network, k.node, \
           (SELECT conversation_id FROM posts WHERE network = k.network AND native_id = k.node) AS a, \
           (SELECT conversation_id FROM posts WHERE network = k.network AND reply_to = k.node LIMIT 1) AS b, \
           (SELECT conversation_id FROM posts WHERE network = k.network AND root_id = k.node LIMIT 1) AS c \
           FROM k) WHERE a IS NOT NULL OR b IS NOT NULL OR c IS NOT NULL",
    )
    .bind(keys_json(&input.node_keys()))
    .fetch_all(&mut *tx)
    .await?;
    for r in rows {
        let key: Key = (network(r.try_get("network")?)?, r.try_get("node")?);
        for col in ["a", "b", "c"] {
            if let Some(conv) = r.try_get::<Option<i64>, _>(col)? {
                lk.node_convs.push((key.clone(), conv));
            }
        }
    }
    Ok(lk)
}

async fn write(tx: &mut SqliteConnection, w: &Writes<'_>) -> Result<()> {
    for chunk in w.contacts.chunks(MAX_BINDS / 2) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO contacts (id, name) ");
        qb.push_values(chunk, |mut b, (id, name)| {
            b.push_bind(*id).push_bind(name.as_str());
        });
        qb.build().execute(&mut *tx).await?;
    }
    for chunk in w.new_identities.chunks(MAX_BINDS / 9) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO identities (id, contact_id, network, handle_key, handle, native_id, \
             display_name, followers, own_account) ",
        );
        qb.push_values(chunk, |mut b, i| {
            b.push_bind(i.id)
                .push_bind(i.contact_id)
                .push_bind(i.network.as_str())
                .push_bind(i.handle_key.as_str())
                .push_bind(i.handle.as_str())
                .push_bind(i.native_id.as_deref())
                .push_bind(i.display_name.as_deref())
                .push_bind(i.followers)
                .push_bind(i.own);
        });
        qb.build().execute(&mut *tx).await?;
    }
    if !w.changed_identities.is_empty() {
        let rows: Vec<_> = w
            .changed_identities
            .iter()
            .map(|i| {
                json!([
                    i.id,
                    i.handle,
                    i.native_id,
                    i.display_name,
                    i.followers,
                    i.own
                ])
            })
            .collect();
        sqlx::query(
            "UPDATE identities SET handle = u.value ->> 1, native_id = u.value ->> 2, \
             display_name = u.value ->> 3, followers = u.value ->> 4, own_account = u.value ->> 5 \
             FROM json_each(?1) u WHERE identities.id = u.value ->> 0",
        )
        .bind(serde_json::Value::from(rows).to_string())
        .execute(&mut *tx)
        .await?;
    }
    for chunk in w.conversations.chunks(MAX_BINDS / 2) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO conversations (id, network) ");
        qb.push_values(chunk, |mut b, (id, net)| {
            b.push_bind(*id).push_bind(net.as_str());
        });
        qb.build().execute(&mut *tx).await?;
    }
    for (from, into) in &w.merges {
        sqlx::query("UPDATE posts SET conversation_id = ?1 WHERE conversation_id = ?2")
            .bind(into)
            .bind(from)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE conversations SET merged_into = ?1, root_post_id = NULL WHERE id = ?2 OR merged_into = ?2")
            .bind(into)
            .bind(from)
            .execute(&mut *tx)
            .await?;
    }
    insert_posts(tx, w).await?;
    for chunk in w.mentions.chunks(MAX_BINDS / 3) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO post_mentions (post_id, network, handle_key) ",
        );
        qb.push_values(chunk, |mut b, (id, net, key)| {
            b.push_bind(*id)
                .push_bind(net.as_str())
                .push_bind(key.as_str());
        });
        qb.build().execute(&mut *tx).await?;
    }
    for chunk in w.matches.chunks(MAX_BINDS / 2) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO post_topics (post_id, topic_id) ");
        qb.push_values(chunk, |mut b, (post, topic)| {
            b.push_bind(*post).push_bind(*topic);
        });
        qb.build().execute(&mut *tx).await?;
    }
    mark_own(tx, &w.newly_own).await?;
    if !w.own_post_keys.is_empty() {
        sqlx::query(
            "UPDATE posts SET is_mention = 1 WHERE NOT is_mention AND id IN ( \
               SELECT c.id FROM json_each(?1) k \
               JOIN posts c ON c.network = k.value ->> 0 AND c.reply_to = k.value ->> 1)",
        )
        .bind(keys_json(&w.own_post_keys))
        .execute(&mut *tx)
        .await?;
    }
    if !w.check_roots.is_empty() {
        sqlx::query(
            "UPDATE conversations SET root_post_id = ( \
               SELECT p.id FROM posts p WHERE p.conversation_id = conversations.id \
               AND (p.reply_to IS NULL OR NOT EXISTS ( \
                 SELECT 1 FROM posts q WHERE q.network = p.network AND q.native_id = p.reply_to)) \
               ORDER BY p.created_at, p.id LIMIT 1) \
             WHERE id IN (SELECT value FROM json_each(?1))",
        )
        .bind(serde_json::to_string(&w.check_roots).expect("ids serialize"))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn insert_posts(tx: &mut SqliteConnection, w: &Writes<'_>) -> Result<()> {
    const COLUMNS: usize = 32;
    for chunk in w.posts.chunks(MAX_BINDS / COLUMNS) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO posts (id, network, native_id, identity_id, conversation_id, \
             author_handle, author_native_id, author_display_name, author_followers, author_own, \
             text, created_at, lang, reply_to, reply_to_handle, root_id, mentions, hashtags, \
             cashtags, links, likes, reposts, replies, quotes, raw, sentiment, sentiment_score, \
             intents, label_lang, urgency, is_mention, from_own_account) ",
        );
        qb.push_values(chunk, |mut b, r| {
            let p = r.post;
            let (sentiment, score, intents, label_lang, urgency) = label_columns(r.labels);
            b.push_bind(r.id)
                .push_bind(p.network.as_str())
                .push_bind(p.native_id.as_str())
                .push_bind(r.identity_id)
                .push_bind(r.conversation_id)
                .push_bind(p.author.handle.as_str())
                .push_bind(p.author.native_id.as_deref())
                .push_bind(p.author.display_name.as_deref())
                .push_bind(p.author.followers.map(plan::clamp))
                .push_bind(p.author.own_account)
                .push_bind(p.text.as_str())
                .push_bind(p.created_at.timestamp_micros())
                .push_bind(p.lang.as_deref())
                .push_bind(p.reply_to.as_deref())
                .push_bind(p.reply_to_handle.as_deref())
                .push_bind(p.root_id.as_deref())
                .push_bind(list_json(&p.mentions))
                .push_bind(list_json(&p.hashtags))
                .push_bind(list_json(&p.cashtags))
                .push_bind(list_json(&p.links))
                .push_bind(plan::clamp(p.engagement.likes))
                .push_bind(plan::clamp(p.engagement.reposts))
                .push_bind(plan::clamp(p.engagement.replies))
                .push_bind(plan::clamp(p.engagement.quotes))
                .push_bind(p.raw.as_str())
                .push_bind(sentiment)
                .push_bind(score)
                .push_bind(intents)
                .push_bind(label_lang)
                .push_bind(urgency)
                .push_bind(r.is_mention)
                .push_bind(r.from_own_account);
        });
        qb.build().execute(&mut *tx).await?;
    }
    Ok(())
}
