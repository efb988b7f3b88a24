//! SQLite's dialect of the shared queries: post times kept as microseconds, case ids handed
//! out under the write lock, and similar cases found with FTS5.

use async_trait::async_trait;
use rapport_domain::{CaseId, TermFilter};
use rapport_store_core::sql::{Db, Dialect, QueryBuilder, Tx, query, query_scalar};
use rapport_store_core::{Result, fts};

pub struct Sqlite;

#[async_trait]
impl Dialect for Sqlite {
    const CREATED_MICROS: &'static str = "p.created_at";
    const AFTER_MICROS: &'static str = "p.created_at >= k.at";
    const HASHTAGS: &'static str = "json_each(p.hashtags) AS h";
    const LOCK_USERS: Option<&'static str> = None;
    const ERASED_SEARCH: &'static str = "";
    /// The index keeps texts, not post ids: the row whose text is the post's, in its cases.
    const FORGET_CASE_TEXT: &'static str = "DELETE FROM case_search WHERE case_id IN \
         (SELECT case_id FROM case_posts WHERE post_id = $1) \
         AND text = (SELECT text FROM posts WHERE id = $1)";
    const TEXT_MATCH: &'static str = "JOIN posts_fts f ON f.rowid = p.id WHERE posts_fts MATCH $1 AND f.rowid > $2 ORDER BY f.rowid";
    const ANALYZE: &'static [&'static str] = &["ANALYZE"];

    /// The transaction holds the write lock (`BEGIN IMMEDIATE`), so ids read from the table
    /// stay free until it commits.
    fn text_query(filter: &TermFilter) -> Option<String> {
        fts::fts5_query(filter)
    }

    fn json(param: &str) -> String {
        param.to_string()
    }

    async fn new_case_ids(tx: &mut dyn Tx, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let max: i64 = query_scalar("SELECT COALESCE(MAX(id), 0) FROM cases")
            .fetch_one(tx)
            .await?;
        Ok((1..=n as i64).map(|i| max + i).collect())
    }

    async fn index_case_texts(tx: &mut dyn Tx, pairs: &[(i64, i64)]) -> Result<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        let mut qb = QueryBuilder::new(
            "INSERT INTO case_search (case_id, text) SELECT v.column1, p.text FROM (",
        );
        qb.push_values(pairs, |mut b, (case, post)| {
            b.push_bind(*case).push_bind(*post);
        });
        qb.push(") AS v JOIN posts p ON p.id = v.column2");
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
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR ");
        // The most recent posts sharing a word (FTS5 walks its index by rowid and stops at
        // the limit, so the cost does not grow with the store), scored here rather than with
        // bm25, whose document frequencies cost a pass over every post holding each word.
        let rows = query(
            "SELECT s.case_id AS case_id, s.text AS text FROM ( \
               SELECT case_id, text FROM case_search \
               WHERE case_search MATCH $1 ORDER BY rowid DESC LIMIT $3) s \
             JOIN cases c ON c.id = s.case_id \
             WHERE c.status IN ('resolved', 'closed') AND c.id <> $2",
        )
        .bind(any_word)
        .bind(exclude.map_or(-1, |c| c.0))
        .bind(fts::SIMILAR_CANDIDATES)
        .fetch_all(db)
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
}
