//! Where the two backends' SQL differs, said once per backend: the shared queries are
//! generic over a [`Dialect`] and ask it for these pieces.

use super::db::{Db, Tx};
use crate::Result;
use async_trait::async_trait;
use rapport_domain::{CaseId, TermFilter};

#[async_trait]
pub trait Dialect: Send + Sync + 'static {
    /// A post's creation time (`p.created_at`) as microseconds since the epoch.
    const CREATED_MICROS: &'static str;

    /// Whether post `p` was written at or after a key's time `k.at` (microseconds).
    const AFTER_MICROS: &'static str;

    /// The hashtags of post `p`, one row each, as a table `h` whose column `value` holds the
    /// tag (lowercased, without `#`): what follows `FROM posts p, ` or `FROM ` in a subquery.
    const HASHTAGS: &'static str;

    /// A statement that keeps other writers of `users` out of a [`super::Begin::Write`]
    /// transaction, where beginning it does not already (SQLite's write lock does).
    const LOCK_USERS: Option<&'static str>;

    /// What empties a post's search index column in an `UPDATE posts SET ...`, with its
    /// leading comma; empty where the index follows the text by itself (SQLite's triggers).
    const ERASED_SEARCH: &'static str;

    /// Takes post `$1`'s text out of its cases' search index (before the post is emptied).
    const FORGET_CASE_TEXT: &'static str;

    /// Statements that refresh the planner's statistics after a bulk load, each run alone.
    const ANALYZE: &'static [&'static str];

    /// How posts whose text may satisfy a full-text query (`$1`) are found after post `$2`,
    /// in id order: the rest of a `SELECT ... FROM posts p JOIN identities i ...` up to its
    /// `LIMIT`.
    const TEXT_MATCH: &'static str;

    /// The full-text query for `filter` in the backend's syntax; `None` when the filter
    /// cannot narrow the posts (every post is a candidate).
    fn text_query(filter: &TermFilter) -> Option<String>;

    /// A JSON parameter as the column takes it (`$3` is text on SQLite, cast to `JSONB` on
    /// PostgreSQL).
    fn json(param: &str) -> String;

    /// Ids for `n` new cases, inside a transaction begun with [`super::Begin::Write`].
    async fn new_case_ids(tx: &mut dyn Tx, n: usize) -> Result<Vec<i64>>;

    /// Adds customer posts' texts to their cases' searchable text: (case, post) pairs.
    async fn index_case_texts(tx: &mut dyn Tx, pairs: &[(i64, i64)]) -> Result<()>;

    /// Resolved or closed cases whose customers wrote words like `text`, best first.
    async fn similar_resolved_cases(
        db: &dyn Db,
        text: &str,
        exclude: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<(CaseId, f64)>>;
}
