//! The care store on SQLite: the shared queries of `care/sql/`, plus full-text search over
//! case text with FTS5.

use crate::care::{self, *};
use crate::{Result, StoreError, fts};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{
    Case, CaseEvent, CaseId, ContactId, ConversationId, IdentityId, IntentSet, PostId, SlaPolicy,
    SlaState, TeamId, TopicId, Urgency, UserId,
};
use sqlx::Row;
use std::collections::HashMap;

type Db = sqlx::Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
type Pool = sqlx::SqlitePool;
type ThisStore = super::SqliteStore;

const CREATED_MICROS: &str = "p.created_at";

/// Posts at or after a routing key's time (`k.at`, microseconds): `later_unattached_posts`.
const AFTER_MICROS: &str = "p.created_at >= k.at";

/// Statistics for the planner after a bulk load.
const ANALYZE: [&str; 1] = ["ANALYZE"];

/// How a transaction that writes cases starts: with the write lock, so ids read from the
/// table stay free until it commits.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// Ids for `n` new cases, inside a transaction begun with [`BEGIN_WRITE`].
async fn new_case_ids(tx: &mut sqlx::SqliteConnection, n: usize) -> Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM cases")
        .fetch_one(&mut *tx)
        .await?;
    Ok((1..=n as i64).map(|i| max + i).collect())
}

include!("../care/sql/cases.rs");
include!("../care/sql/inbox.rs");
include!("../care/sql/other.rs");
include!("../care/sql/contacts.rs");
include!("../care/sql/contact_list.rs");
include!("../care/sql/route.rs");
include!("../care/sql/impl_store.rs");

/// Adds customer posts' texts to their cases' searchable text: (case, post) pairs.
async fn index_case_texts(tx: &mut sqlx::SqliteConnection, pairs: &[(i64, i64)]) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    let mut qb = sqlx::QueryBuilder::<Db>::new(
        "INSERT INTO case_search (case_id, text) SELECT v.column1, p.text FROM (",
    );
    qb.push_values(pairs, |mut b, (case, post)| {
        b.push_bind(*case).push_bind(*post);
    });
    qb.push(") AS v JOIN posts p ON p.id = v.column2");
    qb.build().execute(&mut *tx).await?;
    Ok(())
}

/// The distinct words of `text` worth searching for, as FTS5 terms joined by OR.
fn any_word_query(text: &str) -> Option<String> {
    let words = fts::distinctive_words(text, fts::SIMILAR_WORDS);
    (!words.is_empty()).then(|| {
        words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR ")
    })
}

async fn similar_resolved_cases(
    pool: &Pool,
    text: &str,
    exclude: Option<CaseId>,
    limit: u32,
) -> Result<Vec<(CaseId, f64)>> {
    let Some(query) = any_word_query(text) else {
        return Ok(Vec::new());
    };
    let words = fts::distinctive_words(text, fts::SIMILAR_WORDS);
    // The most recent posts sharing a word (FTS5 walks its index by rowid and stops at the
    // limit, so the cost does not grow with the store), scored here rather than with bm25,
    // whose document frequencies cost a pass over every post holding each word.
    let rows = sqlx::query(
        "SELECT s.case_id AS case_id, s.text AS text FROM ( \
           SELECT case_id, text FROM case_search \
           WHERE case_search MATCH $1 ORDER BY rowid DESC LIMIT $3) s \
         JOIN cases c ON c.id = s.case_id \
         WHERE c.status IN ('resolved', 'closed') AND c.id <> $2",
    )
    .bind(query)
    .bind(exclude.map_or(-1, |c| c.0))
    .bind(fts::SIMILAR_CANDIDATES)
    .fetch_all(pool)
    .await?;
    let candidates = rows
        .iter()
        .map(|r| {
            Ok((
                CaseId(r.try_get("case_id")?),
                r.try_get::<String, _>("text")?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(fts::rank_similar(&words, &candidates, limit as usize))
}
