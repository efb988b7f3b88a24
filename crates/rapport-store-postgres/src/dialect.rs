//! PostgreSQL's dialect of the shared queries: post times as `TIMESTAMPTZ`, case ids from the
//! sequence, and similar cases found with tsvector/GIN.

use async_trait::async_trait;
use rapport_domain::{CaseId, TermFilter};
use rapport_store_core::sql::{Db, Dialect, QueryBuilder, Tx, query, query_scalar};
use rapport_store_core::{Result, fts};
use std::collections::HashMap;

pub struct Postgres;

#[async_trait]
impl Dialect for Postgres {
    const CREATED_MICROS: &'static str = "(EXTRACT(EPOCH FROM p.created_at) * 1000000)::BIGINT";
    const AFTER_MICROS: &'static str =
        "p.created_at >= TIMESTAMPTZ 'epoch' + k.at * INTERVAL '1 microsecond'";
    /// VACUUM refreshes the visibility map too; it runs outside a transaction, so each is its
    /// own statement.
    const HASHTAGS: &'static str = "jsonb_array_elements_text(p.hashtags) AS h(value)";
    const LOCK_USERS: Option<&'static str> = Some("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
    const ERASED_SEARCH: &'static str = ", search = ''::tsvector";
    const FORGET_CASE_TEXT: &'static str = "DELETE FROM case_search WHERE post_id = $1";
    const TEXT_MATCH: &'static str =
        "WHERE p.search @@ to_tsquery('simple', $1) AND p.id > $2 ORDER BY p.id";
    const ANALYZE: &'static [&'static str] = &[
        "VACUUM ANALYZE cases",
        "VACUUM ANALYZE case_topics",
        "VACUUM ANALYZE case_posts",
    ];

    fn text_query(filter: &TermFilter) -> Option<String> {
        fts::tsquery(filter)
    }

    fn json(param: &str) -> String {
        format!("{param}::jsonb")
    }

    async fn new_case_ids(tx: &mut dyn Tx, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        query_scalar("SELECT nextval('cases_id_seq') FROM generate_series(1, $1)")
            .bind(n as i64)
            .fetch_all(tx)
            .await
    }

    /// Folded like `posts.search`.
    async fn index_case_texts(tx: &mut dyn Tx, pairs: &[(i64, i64)]) -> Result<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = pairs.iter().map(|(_, post)| *post).collect();
        let mut texts: HashMap<i64, String> = HashMap::new();
        for r in query("SELECT id, text FROM posts WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(&mut *tx)
            .await?
        {
            texts.insert(r.try_get("id")?, r.try_get("text")?);
        }
        let rows: Vec<(i64, i64, String)> = pairs
            .iter()
            .filter_map(|(case, post)| Some((*case, *post, fts::folded_text(texts.get(post)?))))
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let mut qb = QueryBuilder::new("INSERT INTO case_search (case_id, post_id, search) ");
        qb.push_values(&rows, |mut b, (case, post, folded)| {
            b.push_bind(*case)
                .push_bind(*post)
                .push("to_tsvector('simple', ")
                .push_bind_unseparated(folded.as_str())
                .push_unseparated(")");
        });
        qb.push(" ON CONFLICT (case_id, post_id) DO NOTHING");
        qb.build().execute(tx).await?;
        Ok(())
    }

    async fn similar_resolved_cases(
        db: &dyn Db,
        text: &str,
        exclude: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<(CaseId, f64)>> {
        let words = fts::distinctive_words(text, fts::SIMILAR_WORDS);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let any_word = words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" | ");
        let rows = query(
            "SELECT s.case_id AS case_id, \
               MAX(ts_rank(s.search, to_tsquery('simple', $1)))::FLOAT8 AS score \
             FROM (SELECT case_id, search FROM case_search \
                   WHERE search @@ to_tsquery('simple', $1) \
                   ORDER BY case_id DESC, post_id DESC LIMIT $4) s \
             JOIN cases c ON c.id = s.case_id \
             WHERE c.status IN ('resolved', 'closed') AND c.id <> $2 \
             GROUP BY s.case_id ORDER BY score DESC, s.case_id LIMIT $3",
        )
        .bind(any_word)
        .bind(exclude.map_or(-1, |c| c.0))
        .bind(i64::from(limit))
        .bind(fts::SIMILAR_CANDIDATES)
        .fetch_all(db)
        .await?;
        rows.iter()
            .map(|r| Ok((CaseId(r.try_get("case_id")?), r.try_get::<f64, _>("score")?)))
            .collect()
    }
}
