//! Reading posts back on PostgreSQL.

use crate::record::PostRecord;
use crate::{Result, fts};
use rapport_domain::{ConversationId, PostId, PostKey, StoredPost, TermFilter, TopicId};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

/// `SELECT` of every post column, joined with the author's identity for the contact id.
macro_rules! post_select {
    ($($rest:literal),*) => {
        concat!(
            "SELECT p.id, p.network, p.native_id, p.author_handle, p.author_native_id, ",
            "p.author_display_name, p.author_followers, p.author_own, p.text, p.created_at, ",
            "p.lang, p.reply_to, p.reply_to_handle, p.root_id, p.mentions::text AS mentions, ",
            "p.hashtags::text AS hashtags, p.cashtags::text AS cashtags, p.links::text AS links, ",
            "p.likes, p.reposts, p.replies, p.quotes, p.raw, ",
            "p.conversation_id, p.identity_id, i.contact_id, p.sentiment, p.sentiment_score, ",
            "p.intents, p.label_lang, p.urgency, p.is_mention, p.from_own_account ",
            "FROM posts p JOIN identities i ON i.id = p.identity_id ",
            $($rest),*
        )
    };
}

pub(super) fn decode(r: &PgRow) -> Result<StoredPost> {
    let id: i64 = r.try_get("id")?;
    PostRecord {
        id,
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
        intents: r.try_get::<Option<i16>, _>("intents")?.map(i64::from),
        label_lang: r.try_get("label_lang")?,
        urgency: r.try_get("urgency")?,
        is_mention: r.try_get("is_mention")?,
        from_own_account: r.try_get("from_own_account")?,
    }
    .into_stored()
}

pub(super) fn decode_all(rows: Vec<PgRow>) -> Result<Vec<StoredPost>> {
    rows.iter().map(decode).collect()
}

pub(super) async fn post(pool: &PgPool, id: PostId) -> Result<Option<StoredPost>> {
    let row = sqlx::query(post_select!("WHERE p.id = $1"))
        .bind(id.0)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(decode).transpose()
}

pub(super) async fn post_by_key(pool: &PgPool, key: &PostKey) -> Result<Option<StoredPost>> {
    let row = sqlx::query(post_select!("WHERE p.network = $1 AND p.native_id = $2"))
        .bind(key.network.as_str())
        .bind(&key.native_id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(decode).transpose()
}

pub(super) async fn scan(
    pool: &PgPool,
    after: Option<PostId>,
    limit: u32,
) -> Result<Vec<StoredPost>> {
    let rows = sqlx::query(post_select!("WHERE p.id > $1 ORDER BY p.id LIMIT $2"))
        .bind(after.map_or(0, |a| a.0))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    decode_all(rows)
}

pub(super) async fn search(
    pool: &PgPool,
    filter: &TermFilter,
    after: Option<PostId>,
    limit: u32,
) -> Result<Vec<StoredPost>> {
    let Some(expr) = fts::tsquery(filter) else {
        return scan(pool, after, limit).await;
    };
    let rows = sqlx::query(post_select!(
        "WHERE p.search @@ to_tsquery('simple', $1) AND p.id > $2 ORDER BY p.id LIMIT $3"
    ))
    .bind(expr)
    .bind(after.map_or(0, |a| a.0))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    decode_all(rows)
}

/// The live conversation an id stands for (itself, or the one it was merged into).
pub(super) async fn live_conversation(pool: &PgPool, id: ConversationId) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(merged_into, id) FROM conversations WHERE id = $1")
            .bind(id.0)
            .fetch_optional(pool)
            .await?,
    )
}

pub(super) async fn conversation(pool: &PgPool, id: ConversationId) -> Result<Vec<StoredPost>> {
    let Some(live) = live_conversation(pool, id).await? else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(post_select!(
        "WHERE p.conversation_id = $1 ORDER BY p.created_at, p.id"
    ))
    .bind(live)
    .fetch_all(pool)
    .await?;
    decode_all(rows)
}

pub(super) async fn conversation_root(pool: &PgPool, id: ConversationId) -> Result<Option<PostId>> {
    let root: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT c.root_post_id FROM conversations m \
         JOIN conversations c ON c.id = COALESCE(m.merged_into, m.id) WHERE m.id = $1",
    )
    .bind(id.0)
    .fetch_optional(pool)
    .await?;
    Ok(root.flatten().map(PostId))
}

pub(super) async fn post_topics(pool: &PgPool, id: PostId) -> Result<Vec<TopicId>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT topic_id FROM post_topics WHERE post_id = $1 ORDER BY topic_id")
            .bind(id.0)
            .fetch_all(pool)
            .await?;
    Ok(ids.into_iter().map(TopicId).collect())
}

pub(super) async fn topic_posts(
    pool: &PgPool,
    topic: TopicId,
    limit: u32,
) -> Result<Vec<StoredPost>> {
    let rows = sqlx::query(post_select!(
        "JOIN post_topics pt ON pt.post_id = p.id WHERE pt.topic_id = $1 ",
        "ORDER BY p.created_at DESC, p.id DESC LIMIT $2"
    ))
    .bind(topic.0)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    decode_all(rows)
}

pub(super) async fn mentions(pool: &PgPool, limit: u32) -> Result<Vec<StoredPost>> {
    let rows = sqlx::query(post_select!(
        "WHERE p.is_mention ORDER BY p.created_at DESC, p.id DESC LIMIT $1"
    ))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    decode_all(rows)
}

pub(super) async fn contact_timeline(
    pool: &PgPool,
    contact: i64,
    limit: u32,
) -> Result<Vec<StoredPost>> {
    let rows = sqlx::query(post_select!(
        "WHERE i.contact_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT $2"
    ))
    .bind(contact)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    // The newest posts were read; they are returned oldest first.
    let mut posts = decode_all(rows)?;
    posts.reverse();
    Ok(posts)
}
