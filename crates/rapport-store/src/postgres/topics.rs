//! Topics, matches, labels and figures on PostgreSQL.

use crate::record::{label_columns, topic};
use crate::{Result, Stats, StoreError};
use rapport_domain::{Labels, PostId, Topic, TopicId, TopicOptions};
use sqlx::PgPool;

fn conflict(e: sqlx::Error, name: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(format!("topic '{name}' already exists"))
        }
        _ => e.into(),
    }
}

pub(super) async fn add_topic(
    pool: &PgPool,
    name: &str,
    query: &str,
    options: &TopicOptions,
) -> Result<Topic> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO topics (name, query, options) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(query)
    .bind(sqlx::types::Json(options))
    .fetch_one(pool)
    .await
    .map_err(|e| conflict(e, name))?;
    Ok(Topic {
        id: TopicId(id),
        name: name.to_string(),
        query: query.to_string(),
        options: options.clone(),
    })
}

pub(super) async fn update_topic(
    pool: &PgPool,
    id: TopicId,
    query: &str,
    options: &TopicOptions,
) -> Result<Topic> {
    let mut tx = pool.begin().await?;
    let name: Option<String> = sqlx::query_scalar(
        "UPDATE topics SET query = $1, options = $2 WHERE id = $3 RETURNING name",
    )
    .bind(query)
    .bind(sqlx::types::Json(options))
    .bind(id.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(name) = name else {
        return Err(StoreError::NotFound(format!("topic {id}")));
    };
    sqlx::query("DELETE FROM post_topics WHERE topic_id = $1")
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Topic {
        id,
        name,
        query: query.to_string(),
        options: options.clone(),
    })
}

pub(super) async fn topics(pool: &PgPool) -> Result<Vec<Topic>> {
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, name, query, options::text FROM topics ORDER BY id")
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(id, name, query, options)| topic(id, name, query, &options))
        .collect()
}

pub(super) async fn topic_by_name(pool: &PgPool, name: &str) -> Result<Option<Topic>> {
    let row: Option<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, name, query, options::text FROM topics WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?;
    row.map(|(id, name, query, options)| topic(id, name, query, &options))
        .transpose()
}

pub(super) async fn remove_topic(pool: &PgPool, name: &str) -> Result<bool> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "DELETE FROM post_topics WHERE topic_id IN (SELECT id FROM topics WHERE name = $1)",
    )
    .bind(name)
    .execute(&mut *tx)
    .await?;
    let gone = sqlx::query("DELETE FROM topics WHERE name = $1")
        .bind(name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(gone > 0)
}

pub(super) async fn topic_match_counts(pool: &PgPool) -> Result<Vec<(TopicId, u64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT t.id, COUNT(pt.post_id) FROM topics t \
         LEFT JOIN post_topics pt ON pt.topic_id = t.id GROUP BY t.id ORDER BY t.id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (TopicId(id), u64::try_from(n).unwrap_or(0)))
        .collect())
}

pub(super) async fn add_matches(pool: &PgPool, matches: &[(PostId, TopicId)]) -> Result<u64> {
    if matches.is_empty() {
        return Ok(0);
    }
    let mut tx = pool.begin().await?;
    let (posts, topics): (Vec<i64>, Vec<i64>) = matches.iter().map(|(p, t)| (p.0, t.0)).unzip();
    let added = sqlx::query(
        "INSERT INTO post_topics (post_id, topic_id) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING",
    )
    .bind(&posts)
    .bind(&topics)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(added)
}

pub(super) async fn set_labels(pool: &PgPool, labels: &[(PostId, Labels)]) -> Result<()> {
    let mut tx = pool.begin().await?;
    for (id, l) in labels {
        let (sentiment, score, intents, lang, urgency) = label_columns(Some(l));
        let n = sqlx::query(
            "UPDATE posts SET sentiment = $1, sentiment_score = $2, intents = $3, label_lang = $4, \
             urgency = $5 WHERE id = $6",
        )
        .bind(sentiment)
        .bind(score)
        .bind(intents)
        .bind(lang)
        .bind(urgency)
        .bind(id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("post {id}")));
        }
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn stats(pool: &PgPool) -> Result<Stats> {
    let counts: crate::model::StatsRow = sqlx::query_as(crate::model::STATS_SQL)
        .fetch_one(pool)
        .await?;
    let by_status: Vec<(String, i64)> = sqlx::query_as(crate::model::CASES_BY_STATUS_SQL)
        .fetch_all(pool)
        .await?;
    Ok(crate::model::stats_from_rows(counts, by_status))
}
