//! Where the two backends' SQL differs, said once per backend: the shared queries are
//! generic over a [`Dialect`] and ask it for these pieces.

use super::db::{Db, Tx};
use crate::Result;
use async_trait::async_trait;
use rapport_domain::CaseId;

#[async_trait]
pub trait Dialect: Send + Sync + 'static {
    /// A post's creation time (`p.created_at`) as microseconds since the epoch.
    const CREATED_MICROS: &'static str;

    /// Whether post `p` was written at or after a key's time `k.at` (microseconds).
    const AFTER_MICROS: &'static str;

    /// A statement that keeps other writers of `users` out of a [`super::Begin::Write`]
    /// transaction, where beginning it does not already (SQLite's write lock does).
    const LOCK_USERS: Option<&'static str>;

    /// Statements that refresh the planner's statistics after a bulk load, each run alone.
    const ANALYZE: &'static [&'static str];

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
