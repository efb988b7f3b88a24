//! Topics and their match counts: one SQL body for both backends.

use crate::record::{options_json, topic};
use crate::sql::{Begin, Dialect, SqlStore, query, query_scalar};
use crate::topics::TopicStore;
use crate::{Result, StoreError};
use async_trait::async_trait;
use rapport_domain::{Topic, TopicId, TopicOptions};

fn conflict(e: StoreError, name: &str) -> StoreError {
    if e.is_unique_violation() {
        StoreError::Conflict(format!("topic '{name}' already exists"))
    } else {
        e
    }
}

const TOPIC_COLUMNS: &str = "SELECT id, name, query, options FROM topics";

fn decode(r: &crate::sql::Row) -> Result<Topic> {
    let options: String = r.try_get("options")?;
    topic(
        r.try_get("id")?,
        r.try_get("name")?,
        r.try_get("query")?,
        &options,
    )
}

#[async_trait]
impl<D: Dialect> TopicStore for SqlStore<D> {
    async fn add_topic(
        &self,
        name: &str,
        query_text: &str,
        options: &TopicOptions,
    ) -> Result<Topic> {
        let id: i64 = query_scalar(format!(
            "INSERT INTO topics (name, query, options) VALUES ($1, $2, {}) RETURNING id",
            D::json("$3")
        ))
        .bind(name)
        .bind(query_text)
        .bind(options_json(options))
        .fetch_one(self.pool())
        .await
        .map_err(|e| conflict(e, name))?;
        Ok(Topic {
            id: TopicId(id),
            name: name.to_string(),
            query: query_text.to_string(),
            options: options.clone(),
        })
    }

    async fn update_topic(
        &self,
        id: TopicId,
        query_text: &str,
        options: &TopicOptions,
    ) -> Result<Topic> {
        let mut tx = self.pool().begin(Begin::Write).await?;
        let name: Option<String> = query_scalar(format!(
            "UPDATE topics SET query = $1, options = {} WHERE id = $3 RETURNING name",
            D::json("$2")
        ))
        .bind(query_text)
        .bind(options_json(options))
        .bind(id.0)
        .fetch_optional(&mut tx)
        .await?;
        let Some(name) = name else {
            return Err(StoreError::NotFound(format!("topic {id}")));
        };
        query("DELETE FROM post_topics WHERE topic_id = $1")
            .bind(id.0)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(Topic {
            id,
            name,
            query: query_text.to_string(),
            options: options.clone(),
        })
    }

    async fn topics(&self) -> Result<Vec<Topic>> {
        query(format!("{TOPIC_COLUMNS} ORDER BY id"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(decode)
            .collect()
    }

    async fn topic_by_name(&self, name: &str) -> Result<Option<Topic>> {
        query(format!("{TOPIC_COLUMNS} WHERE name = $1"))
            .bind(name)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(decode)
            .transpose()
    }

    async fn remove_topic(&self, name: &str) -> Result<bool> {
        let mut tx = self.pool().begin(Begin::Write).await?;
        query("DELETE FROM post_topics WHERE topic_id IN (SELECT id FROM topics WHERE name = $1)")
            .bind(name)
            .execute(&mut tx)
            .await?;
        let gone = query("DELETE FROM topics WHERE name = $1")
            .bind(name)
            .execute(&mut tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(gone > 0)
    }

    async fn topic_match_counts(&self) -> Result<Vec<(TopicId, u64)>> {
        query(
            "SELECT t.id AS id, COUNT(pt.post_id) AS n FROM topics t \
             LEFT JOIN post_topics pt ON pt.topic_id = t.id GROUP BY t.id ORDER BY t.id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let n: i64 = r.try_get("n")?;
            Ok((TopicId(r.try_get("id")?), u64::try_from(n).unwrap_or(0)))
        })
        .collect()
    }
}
