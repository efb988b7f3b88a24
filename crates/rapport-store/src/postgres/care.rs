//! The care store on PostgreSQL: the shared queries of `care/sql/`, plus full-text search over
//! case text with tsvector and GIN.

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

type Db = sqlx::Postgres;
type DbRow = sqlx::postgres::PgRow;
type Pool = sqlx::PgPool;
type ThisStore = super::PostgresStore;

const CREATED_MICROS: &str = "(EXTRACT(EPOCH FROM p.created_at) * 1000000)::BIGINT";

/// Posts at or after a routing key's time (`k.at`, microseconds): `later_unattached_posts`.
const AFTER_MICROS: &str = "p.created_at >= TIMESTAMPTZ 'epoch' + k.at * INTERVAL '1 microsecond'";

/// Statistics for the planner and the visibility map after a bulk load (VACUUM runs outside
/// a transaction, so each is its own statement).
const ANALYZE: [&str; 3] = [
    "VACUUM ANALYZE cases",
    "VACUUM ANALYZE case_topics",
    "VACUUM ANALYZE case_posts",
];

/// How a transaction that writes cases starts (ids come from the sequence, so no lock).
const BEGIN_WRITE: &str = "BEGIN";

/// Ids for `n` new cases, from the table's sequence.
async fn new_case_ids(tx: &mut sqlx::PgConnection, n: usize) -> Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    Ok(
        sqlx::query_scalar("SELECT nextval('cases_id_seq') FROM generate_series(1, $1)")
            .bind(n as i64)
            .fetch_all(&mut *tx)
            .await?,
    )
}

include!("../care/sql/cases.rs");
include!("../care/sql/inbox.rs");
include!("../care/sql/other.rs");
include!("../care/sql/contacts.rs");
include!("../care/sql/contact_list.rs");
include!("../care/sql/route.rs");
include!("../care/sql/impl_store.rs");

/// Adds customer posts' texts to their cases' searchable text, folded like `posts.search`:
/// (case, post) pairs.
async fn index_case_texts(tx: &mut sqlx::PgConnection, pairs: &[(i64, i64)]) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = pairs.iter().map(|(_, post)| *post).collect();
    let texts: HashMap<i64, String> =
        sqlx::query_as::<Db, (i64, String)>("SELECT id, text FROM posts WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    let rows: Vec<(i64, i64, String)> = pairs
        .iter()
        .filter_map(|(case, post)| Some((*case, *post, fts::folded_text(texts.get(post)?))))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let mut qb =
        sqlx::QueryBuilder::<Db>::new("INSERT INTO case_search (case_id, post_id, search) ");
    qb.push_values(&rows, |mut b, (case, post, folded)| {
        b.push_bind(*case)
            .push_bind(*post)
            .push("to_tsvector('simple', ")
            .push_bind_unseparated(folded.as_str())
            .push_unseparated(")");
    });
    qb.push(" ON CONFLICT (case_id, post_id) DO NOTHING");
    qb.build().execute(&mut *tx).await?;
    Ok(())
}

/// The distinct words of `text` worth searching for, as a `to_tsquery` of alternatives.
fn any_word_query(text: &str) -> Option<String> {
    let words = fts::distinctive_words(text, fts::SIMILAR_WORDS);
    (!words.is_empty()).then(|| {
        words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" | ")
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
    let rows = sqlx::query(
        "SELECT s.case_id AS case_id, \
           MAX(ts_rank(s.search, to_tsquery('simple', $1)))::FLOAT8 AS score \
         FROM (SELECT case_id, search FROM case_search \
               WHERE search @@ to_tsquery('simple', $1) \
               ORDER BY case_id DESC, post_id DESC LIMIT $4) s \
         JOIN cases c ON c.id = s.case_id \
         WHERE c.status IN ('resolved', 'closed') AND c.id <> $2 \
         GROUP BY s.case_id ORDER BY score DESC, s.case_id LIMIT $3",
    )
    .bind(query)
    .bind(exclude.map_or(-1, |c| c.0))
    .bind(i64::from(limit))
    .bind(fts::SIMILAR_CANDIDATES)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((CaseId(r.try_get("case_id")?), r.try_get::<f64, _>("score")?)))
        .collect()
}
