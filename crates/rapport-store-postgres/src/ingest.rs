//! Ingest on PostgreSQL: one transaction per batch, serialized by an advisory lock so the
//! plan's view of the keys holds until commit; look-ups and writes pass whole columns as arrays
//! (`unnest`), so a batch costs a fixed number of round trips whatever its size.

use super::accounts::mark_own;
use chrono::{DateTime, Utc};
use rapport_store_core::plan::{self, IdentityRow, Ids, Input, Key, Lookups, PostHit, Writes};
use rapport_store_core::record::{label_columns, list_json, network};
use rapport_store_core::{IngestReport, NewPost, Result, fts};
use sqlx::{PgConnection, PgPool, Row};
use std::borrow::Cow;

/// Advisory lock key taken by every transaction that creates identities or posts.
pub(super) const WRITE_LOCK: i64 = 0x0072_6170_706f_7274;

pub(super) async fn lock(tx: &mut PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// PostgreSQL text cannot hold NUL; it is kept as U+FFFD instead.
fn pg_text(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(s)
    }
}

pub(super) fn key_columns(keys: &[Key]) -> (Vec<&str>, Vec<&str>) {
    keys.iter().map(|(n, k)| (n.as_str(), k.as_str())).unzip()
}

pub(super) async fn ingest(pool: &PgPool, batch: Vec<NewPost>) -> Result<IngestReport> {
    if batch.is_empty() {
        return Ok(IngestReport::default());
    }
    let input = Input::new(batch)?;
    let mut tx = pool.begin().await?;
    lock(&mut tx).await?;
    let lookups = lookups(&mut tx, &input).await?;
    let planned = plan::plan(&input, lookups);
    let c = planned.counts;
    let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
    let (contacts, identities, conversations, posts): (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>) =
        sqlx::query_as(
            "SELECT ARRAY(SELECT nextval('contacts_id_seq') FROM generate_series(1, $1)), \
                    ARRAY(SELECT nextval('identities_id_seq') FROM generate_series(1, $2)), \
                    ARRAY(SELECT nextval('conversations_id_seq') FROM generate_series(1, $3)), \
                    ARRAY(SELECT nextval('posts_id_seq') FROM generate_series(1, $4))",
        )
        .bind(n(c.contacts))
        .bind(n(c.identities))
        .bind(n(c.conversations))
        .bind(n(c.posts))
        .fetch_one(&mut *tx)
        .await?;
    let ids = Ids {
        contacts,
        identities,
        conversations,
        posts,
    };
    let writes = planned.resolve(&input, &ids);
    write(&mut tx, &writes).await?;
    tx.commit().await?;
    Ok(writes.report)
}

async fn lookups(tx: &mut PgConnection, input: &Input) -> Result<Lookups> {
    let mut lk = Lookups::default();
    let keys = input.post_keys();
    let (nets, ids) = key_columns(&keys);
    let rows = sqlx::query(
        "SELECT p.network, p.native_id, p.id, p.identity_id, i.own_account \
         FROM unnest($1::text[], $2::text[]) AS k (network, native_id) \
         JOIN posts p ON p.network = k.network AND p.native_id = k.native_id \
         JOIN identities i ON i.id = p.identity_id",
    )
    .bind(&nets)
    .bind(&ids)
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

    let keys = input.identity_keys();
    let (nets, handles) = key_columns(&keys);
    let rows = sqlx::query(
        "SELECT i.id, i.contact_id, i.network, i.handle_key, i.handle, i.native_id, \
                i.display_name, i.followers, i.own_account \
         FROM unnest($1::text[], $2::text[]) AS k (network, handle_key) \
         JOIN identities i ON i.network = k.network AND i.handle_key = k.handle_key",
    )
    .bind(&nets)
    .bind(&handles)
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
    let keys = input.node_keys();
    let (nets, nodes) = key_columns(&keys);
    let rows = sqlx::query(
        "SELECT * FROM (SELECT k.network, k.node, \
           (SELECT conversation_id FROM posts WHERE network = k.network AND native_id = k.node) AS a, \
           (SELECT conversation_id FROM posts WHERE network = k.network AND reply_to = k.node LIMIT 1) AS b, \
           (SELECT conversation_id FROM posts WHERE network = k.network AND root_id = k.node LIMIT 1) AS c \
           FROM unnest($1::text[], $2::text[]) AS k (network, node)) s \
         WHERE a IS NOT NULL OR b IS NOT NULL OR c IS NOT NULL",
    )
    .bind(&nets)
    .bind(&nodes)
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

async fn write(tx: &mut PgConnection, w: &Writes<'_>) -> Result<()> {
    if !w.contacts.is_empty() {
        let (ids, names): (Vec<i64>, Vec<&str>) =
            w.contacts.iter().map(|(i, n)| (*i, n.as_str())).unzip();
        sqlx::query(
            "INSERT INTO contacts (id, name) SELECT * FROM unnest($1::bigint[], $2::text[])",
        )
        .bind(&ids)
        .bind(&names)
        .execute(&mut *tx)
        .await?;
    }
    if !w.new_identities.is_empty() {
        let v = &w.new_identities;
        sqlx::query(
            "INSERT INTO identities (id, contact_id, network, handle_key, handle, native_id, \
             display_name, followers, own_account) \
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], \
             $6::text[], $7::text[], $8::bigint[], $9::bool[])",
        )
        .bind(v.iter().map(|i| i.id).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.contact_id).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.network.as_str()).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.handle_key.as_str()).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.handle.as_str()).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.native_id.as_deref()).collect::<Vec<_>>())
        .bind(
            v.iter()
                .map(|i| i.display_name.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(v.iter().map(|i| i.followers).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.own).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }
    if !w.changed_identities.is_empty() {
        let v = &w.changed_identities;
        sqlx::query(
            "UPDATE identities i SET handle = u.handle, native_id = u.native_id, \
             display_name = u.display_name, followers = u.followers, own_account = u.own \
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bool[]) \
               AS u (id, handle, native_id, display_name, followers, own) \
             WHERE i.id = u.id",
        )
        .bind(v.iter().map(|i| i.id).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.handle.as_str()).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.native_id.as_deref()).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.display_name.as_deref()).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.followers).collect::<Vec<_>>())
        .bind(v.iter().map(|i| i.own).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }
    if !w.conversations.is_empty() {
        let (ids, nets): (Vec<i64>, Vec<&str>) = w
            .conversations
            .iter()
            .map(|(i, n)| (*i, n.as_str()))
            .unzip();
        sqlx::query("INSERT INTO conversations (id, network) SELECT * FROM unnest($1::bigint[], $2::text[])")
            .bind(&ids)
            .bind(&nets)
            .execute(&mut *tx)
            .await?;
    }
    if !w.merges.is_empty() {
        let (from, into): (Vec<i64>, Vec<i64>) = w.merges.iter().copied().unzip();
        for sql in [
            "UPDATE posts p SET conversation_id = m.into_id \
             FROM unnest($1::bigint[], $2::bigint[]) AS m (from_id, into_id) \
             WHERE p.conversation_id = m.from_id",
            "UPDATE conversations c SET merged_into = m.into_id, root_post_id = NULL \
             FROM unnest($1::bigint[], $2::bigint[]) AS m (from_id, into_id) \
             WHERE c.merged_into = m.from_id",
            "UPDATE conversations c SET merged_into = m.into_id, root_post_id = NULL \
             FROM unnest($1::bigint[], $2::bigint[]) AS m (from_id, into_id) \
             WHERE c.id = m.from_id",
        ] {
            sqlx::query(sql)
                .bind(&from)
                .bind(&into)
                .execute(&mut *tx)
                .await?;
        }
    }
    insert_posts(tx, w).await?;
    if !w.mentions.is_empty() {
        let v = &w.mentions;
        sqlx::query(
            "INSERT INTO post_mentions (post_id, network, handle_key) \
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])",
        )
        .bind(v.iter().map(|m| m.0).collect::<Vec<_>>())
        .bind(v.iter().map(|m| m.1.as_str()).collect::<Vec<_>>())
        .bind(v.iter().map(|m| m.2.as_str()).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }
    if !w.matches.is_empty() {
        let (posts, topics): (Vec<i64>, Vec<i64>) = w.matches.iter().copied().unzip();
        sqlx::query("INSERT INTO post_topics (post_id, topic_id) SELECT * FROM unnest($1::bigint[], $2::bigint[])")
            .bind(&posts)
            .bind(&topics)
            .execute(&mut *tx)
            .await?;
    }
    mark_own(tx, &w.newly_own).await?;
    if !w.own_post_keys.is_empty() {
        let (nets, ids) = key_columns(&w.own_post_keys);
        sqlx::query(
            "UPDATE posts SET is_mention = TRUE WHERE NOT is_mention AND id IN ( \
               SELECT c.id FROM unnest($1::text[], $2::text[]) AS k (network, native_id) \
               JOIN posts c ON c.network = k.network AND c.reply_to = k.native_id)",
        )
        .bind(&nets)
        .bind(&ids)
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
             WHERE id = ANY($1)",
        )
        .bind(&w.check_roots)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn insert_posts(tx: &mut PgConnection, w: &Writes<'_>) -> Result<()> {
    if w.posts.is_empty() {
        return Ok(());
    }
    let v = &w.posts;
    let labels: Vec<_> = v.iter().map(|r| label_columns(r.labels)).collect();
    let texts: Vec<Cow<'_, str>> = v.iter().map(|r| pg_text(&r.post.text)).collect();
    let raws: Vec<Cow<'_, str>> = v.iter().map(|r| pg_text(&r.post.raw)).collect();
    let count =
        |f: fn(&plan::PostRow<'_>) -> u64| v.iter().map(|r| plan::clamp(f(r))).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO posts (id, network, native_id, identity_id, conversation_id, author_handle, \
         author_native_id, author_display_name, author_followers, author_own, text, created_at, \
         lang, reply_to, reply_to_handle, root_id, mentions, hashtags, cashtags, links, likes, \
         reposts, replies, quotes, raw, sentiment, sentiment_score, intents, label_lang, urgency, \
         is_mention, from_own_account, search) \
         SELECT id, network, native_id, identity_id, conversation_id, author_handle, \
         author_native_id, author_display_name, author_followers, author_own, text, created_at, \
         lang, reply_to, reply_to_handle, root_id, mentions::jsonb, hashtags::jsonb, \
         cashtags::jsonb, links::jsonb, likes, reposts, replies, quotes, raw, sentiment, \
         sentiment_score, intents, label_lang, urgency, is_mention, from_own_account, \
         to_tsvector('simple', folded) \
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], \
         $7::text[], $8::text[], $9::bigint[], $10::bool[], $11::text[], $12::timestamptz[], \
         $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], \
         $19::text[], $20::text[], $21::bigint[], $22::bigint[], $23::bigint[], $24::bigint[], \
         $25::text[], $26::text[], $27::real[], $28::smallint[], $29::text[], $30::text[], \
         $31::bool[], $32::bool[], $33::text[]) \
         AS u (id, network, native_id, identity_id, conversation_id, author_handle, \
         author_native_id, author_display_name, author_followers, author_own, text, created_at, \
         lang, reply_to, reply_to_handle, root_id, mentions, hashtags, cashtags, links, likes, \
         reposts, replies, quotes, raw, sentiment, sentiment_score, intents, label_lang, urgency, \
         is_mention, from_own_account, folded)",
    )
    .bind(v.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind(
        v.iter()
            .map(|r| r.post.network.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| r.post.native_id.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(v.iter().map(|r| r.identity_id).collect::<Vec<_>>())
    .bind(v.iter().map(|r| r.conversation_id).collect::<Vec<_>>())
    .bind(
        v.iter()
            .map(|r| r.post.author.handle.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| r.post.author.native_id.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| r.post.author.display_name.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| r.post.author.followers.map(plan::clamp))
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| r.post.author.own_account)
            .collect::<Vec<_>>(),
    )
    .bind(texts.iter().map(|t| t.as_ref()).collect::<Vec<_>>())
    .bind(
        v.iter()
            .map(|r| r.post.created_at)
            .collect::<Vec<DateTime<Utc>>>(),
    )
    .bind(v.iter().map(|r| r.post.lang.as_deref()).collect::<Vec<_>>())
    .bind(
        v.iter()
            .map(|r| r.post.reply_to.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| r.post.reply_to_handle.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| r.post.root_id.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| list_json(&r.post.mentions))
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| list_json(&r.post.hashtags))
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| list_json(&r.post.cashtags))
            .collect::<Vec<_>>(),
    )
    .bind(
        v.iter()
            .map(|r| list_json(&r.post.links))
            .collect::<Vec<_>>(),
    )
    .bind(count(|r| r.post.engagement.likes))
    .bind(count(|r| r.post.engagement.reposts))
    .bind(count(|r| r.post.engagement.replies))
    .bind(count(|r| r.post.engagement.quotes))
    .bind(raws.iter().map(|t| t.as_ref()).collect::<Vec<_>>())
    .bind(labels.iter().map(|l| l.0).collect::<Vec<_>>())
    .bind(labels.iter().map(|l| l.1).collect::<Vec<_>>())
    .bind(labels.iter().map(|l| l.2).collect::<Vec<_>>())
    .bind(labels.iter().map(|l| l.3).collect::<Vec<_>>())
    .bind(labels.iter().map(|l| l.4).collect::<Vec<_>>())
    .bind(v.iter().map(|r| r.is_mention).collect::<Vec<_>>())
    .bind(v.iter().map(|r| r.from_own_account).collect::<Vec<_>>())
    .bind(
        v.iter()
            .map(|r| fts::folded_text(&r.post.text))
            .collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
