//! The listening reports' queries: one SQL body for both backends, every one narrowed by the
//! same `WHERE` ([`push_filter`]), so a figure and the posts listed behind it are the same rows.

use crate::Result;
use crate::posts::sql::{decode_all, post_select};
use crate::sql::{Db, Dialect, QueryBuilder, Row};
use rapport_domain::listening::{
    AuthorKey, AuthorOrder, AuthorRow, Bucket, Counts, IntentMix, IntentPick, ListeningFilter,
    SentimentCounts, SentimentPick,
};
use rapport_domain::{IntentSet, SentimentLabel, StoredPost, TopicId};

/// ` WHERE ...` for posts `p` under `f`.
pub(super) fn push_filter<D: Dialect>(qb: &mut QueryBuilder, f: &ListeningFilter) {
    qb.push(" WHERE p.created_at >= ")
        .push_bind(f.from)
        .push(" AND p.created_at < ")
        .push_bind(f.to);
    if !f.networks.is_empty() {
        qb.push(" AND p.network IN (");
        let mut s = qb.separated(", ");
        for n in &f.networks {
            s.push_bind(n.to_string());
        }
        qb.push(")");
    }
    if !f.langs.is_empty() {
        qb.push(" AND (");
        for (i, l) in f.langs.iter().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            let l = l.to_lowercase();
            qb.push("LOWER(COALESCE(p.lang, p.label_lang)) = ")
                .push_bind(l.clone())
                .push(" OR LOWER(COALESCE(p.lang, p.label_lang)) LIKE ")
                .push_bind(format!("{l}-%"));
        }
        qb.push(")");
    }
    if !f.topics.is_empty() {
        qb.push(" AND EXISTS (SELECT 1 FROM post_topics ft WHERE ft.post_id = p.id AND ft.topic_id IN (");
        let mut s = qb.separated(", ");
        for t in &f.topics {
            s.push_bind(t.0);
        }
        qb.push("))");
    }
    match f.sentiment {
        None => {}
        Some(SentimentPick::Unlabelled) => {
            qb.push(" AND p.sentiment IS NULL");
        }
        Some(SentimentPick::Label(l)) => {
            qb.push(" AND p.sentiment = ").push_bind(l.as_str());
        }
    }
    match f.intent {
        None => {}
        Some(IntentPick::Unlabelled) => {
            qb.push(" AND p.intents IS NULL");
        }
        Some(IntentPick::Other) => {
            qb.push(" AND p.intents = 0");
        }
        Some(IntentPick::Intent(i)) => {
            let bit = i64::from(IntentSet::empty().with(i).bits());
            qb.push(format!(" AND (p.intents & {bit}) <> 0"));
        }
    }
    if let Some(AuthorKey { network, handle }) = &f.author {
        qb.push(" AND p.identity_id IN (SELECT ai.id FROM identities ai WHERE ai.network = ")
            .push_bind(network.to_string())
            .push(" AND ai.handle_key = ")
            .push_bind(handle.trim_start_matches('@').to_lowercase())
            .push(")");
    }
    if let Some(tag) = &f.hashtag {
        qb.push(format!(
            " AND EXISTS (SELECT 1 FROM {} WHERE h.value = ",
            D::HASHTAGS
        ))
        .push_bind(tag.trim_start_matches('#').to_lowercase())
        .push(")");
    }
}

fn count(r: &Row, column: &str) -> Result<u64> {
    let n: Option<i64> = r.try_get(column)?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

fn sentiment(r: &Row) -> Result<Option<SentimentLabel>> {
    let s: Option<String> = r.try_get("sentiment")?;
    s.map(|s| {
        s.parse()
            .map_err(|e: String| crate::StoreError::Corrupt(format!("column sentiment: {e}")))
    })
    .transpose()
}

pub(super) async fn volume<D: Dialect>(
    db: &dyn Db,
    f: &ListeningFilter,
    bucket: Bucket,
) -> Result<Vec<(i64, Option<SentimentLabel>, u64)>> {
    let (len, off) = (bucket.micros(), bucket.offset_micros());
    let mut qb = QueryBuilder::new(format!(
        "SELECT CAST((({cm} - {off}) / {len}) * {len} + {off} AS BIGINT) AS bucket, \
         p.sentiment, COUNT(*) AS n FROM posts p",
        cm = D::CREATED_MICROS
    ));
    push_filter::<D>(&mut qb, f);
    qb.push(" GROUP BY 1, 2");
    let rows = qb.build().fetch_all(db).await?;
    let mut out = rows
        .iter()
        .map(|r| Ok((r.try_get("bucket")?, sentiment(r)?, count(r, "n")?)))
        .collect::<Result<Vec<(i64, Option<SentimentLabel>, u64)>>>()?;
    // the backends sort nulls apart; unlabelled first, then the labels in their order
    out.sort_by_key(|r| (r.0, r.1.map(|s| s as u8)));
    Ok(out)
}

pub(super) async fn topics<D: Dialect>(
    db: &dyn Db,
    f: &ListeningFilter,
) -> Result<Vec<(TopicId, String, SentimentCounts)>> {
    let mut qb = QueryBuilder::new(
        "SELECT t.id, t.name, p.sentiment, COUNT(*) AS n FROM post_topics pt \
         JOIN topics t ON t.id = pt.topic_id JOIN posts p ON p.id = pt.post_id",
    );
    push_filter::<D>(&mut qb, f);
    if !f.topics.is_empty() {
        qb.push(" AND pt.topic_id IN (");
        let mut s = qb.separated(", ");
        for t in &f.topics {
            s.push_bind(t.0);
        }
        qb.push(")");
    }
    qb.push(" GROUP BY t.id, t.name, p.sentiment ORDER BY t.id");
    let rows = qb.build().fetch_all(db).await?;
    let mut out: Vec<(TopicId, String, SentimentCounts)> = Vec::new();
    for r in &rows {
        let id = TopicId(r.try_get("id")?);
        if out.last().is_none_or(|l| l.0 != id) {
            out.push((id, r.try_get("name")?, SentimentCounts::default()));
        }
        if let Some(last) = out.last_mut() {
            last.2.add(sentiment(r)?, count(r, "n")?);
        }
    }
    Ok(out)
}

pub(super) async fn intents<D: Dialect>(db: &dyn Db, f: &ListeningFilter) -> Result<IntentMix> {
    let mut sql = String::from(
        "SELECT COUNT(*) AS total, \
         CAST(SUM(CASE WHEN p.intents IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS unlabelled, \
         CAST(SUM(CASE WHEN p.intents = 0 THEN 1 ELSE 0 END) AS BIGINT) AS other",
    );
    for i in rapport_domain::Intent::ALL {
        let bit = IntentSet::empty().with(i).bits();
        sql.push_str(&format!(
            ", CAST(SUM(CASE WHEN (p.intents & {bit}) <> 0 THEN 1 ELSE 0 END) AS BIGINT) AS {}",
            i.as_str()
        ));
    }
    sql.push_str(" FROM posts p");
    let mut qb = QueryBuilder::new(sql);
    push_filter::<D>(&mut qb, f);
    let r = qb.build().fetch_one(db).await?;
    Ok(IntentMix {
        total: count(&r, "total")?,
        question: count(&r, "question")?,
        complaint: count(&r, "complaint")?,
        praise: count(&r, "praise")?,
        lead: count(&r, "lead")?,
        feedback: count(&r, "feedback")?,
        other: count(&r, "other")?,
        unlabelled: count(&r, "unlabelled")?,
    })
}

pub(super) async fn authors<D: Dialect>(
    db: &dyn Db,
    f: &ListeningFilter,
    order: AuthorOrder,
    limit: u32,
) -> Result<Vec<AuthorRow>> {
    let mut qb = QueryBuilder::new(
        "SELECT i.network, i.handle, COUNT(*) AS posts, \
         MAX(p.author_followers) AS followers, \
         CAST(SUM(p.likes + p.reposts + p.replies + p.quotes) AS BIGINT) AS engagement \
         FROM posts p JOIN identities i ON i.id = p.identity_id",
    );
    push_filter::<D>(&mut qb, f);
    qb.push(" GROUP BY i.id, i.network, i.handle ORDER BY ");
    qb.push(match order {
        AuthorOrder::Volume => {
            "COUNT(*) DESC, SUM(p.likes + p.reposts + p.replies + p.quotes) DESC"
        }
        AuthorOrder::Reach => {
            "CASE WHEN MAX(p.author_followers) IS NULL THEN 1 ELSE 0 END, \
             MAX(p.author_followers) DESC, \
             SUM(p.likes + p.reposts + p.replies + p.quotes) DESC, COUNT(*) DESC"
        }
    });
    qb.push(", i.network, i.handle LIMIT ")
        .push_bind(i64::from(limit));
    let rows = qb.build().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let network: String = r.try_get("network")?;
            let followers: Option<i64> = r.try_get("followers")?;
            Ok(AuthorRow {
                author: AuthorKey {
                    network: crate::record::network(&network)?,
                    handle: r.try_get("handle")?,
                },
                posts: count(r, "posts")?,
                followers: followers.map(|n| n.max(0) as u64),
                engagement: count(r, "engagement")?,
            })
        })
        .collect()
}

pub(super) async fn hashtags<D: Dialect>(
    db: &dyn Db,
    f: &ListeningFilter,
    limit: u32,
) -> Result<Counts> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT h.value AS tag, COUNT(DISTINCT p.id) AS n FROM posts p, {}",
        D::HASHTAGS
    ));
    push_filter::<D>(&mut qb, f);
    qb.push(" GROUP BY h.value ORDER BY n DESC, tag LIMIT ")
        .push_bind(i64::from(limit));
    let rows = qb.build().fetch_all(db).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("tag")?, count(r, "n")?)))
        .collect()
}

pub(super) async fn texts<D: Dialect>(
    db: &dyn Db,
    f: &ListeningFilter,
    limit: u32,
) -> Result<Vec<String>> {
    let mut qb = QueryBuilder::new("SELECT p.text FROM posts p");
    push_filter::<D>(&mut qb, f);
    qb.push(" ORDER BY p.created_at DESC, p.id DESC LIMIT ")
        .push_bind(i64::from(limit));
    let rows = qb.build().fetch_all(db).await?;
    rows.iter().map(|r| r.try_get("text")).collect()
}

pub(super) async fn posts<D: Dialect>(
    db: &dyn Db,
    f: &ListeningFilter,
    limit: u32,
    offset: u32,
) -> Result<(u64, Vec<StoredPost>)> {
    let mut qb = QueryBuilder::new("SELECT COUNT(*) AS n FROM posts p");
    push_filter::<D>(&mut qb, f);
    let total = count(&qb.build().fetch_one(db).await?, "n")?;
    let mut qb = QueryBuilder::new(post_select!());
    push_filter::<D>(&mut qb, f);
    qb.push(" ORDER BY p.created_at DESC, p.id DESC LIMIT ")
        .push_bind(i64::from(limit))
        .push(" OFFSET ")
        .push_bind(i64::from(offset));
    let rows = qb.build().fetch_all(db).await?;
    Ok((total, decode_all(rows)?))
}
