//! The one part each backend writes its own way: storing a batch of posts (and marking the
//! posts an own account changes, which ingest does too). It is the hot path, so each backend
//! uses what its database is fastest at (SQLite's one writer and `json_each`, PostgreSQL's
//! array `unnest` under an advisory lock); `plan.rs` keeps the rules the same.

use crate::{IngestReport, NewPost, Result};
use async_trait::async_trait;
use rapport_domain::Network;

#[async_trait]
pub trait Writer: Send + Sync + 'static {
    /// See [`crate::PostStore::ingest`].
    async fn ingest(&self, batch: Vec<NewPost>) -> Result<IngestReport>;

    /// See [`crate::ContactStore::set_own_account`].
    async fn set_own_account(&self, network: Network, handle: &str, own: bool) -> Result<()>;
}
