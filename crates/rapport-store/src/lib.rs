//! Rapport's storage, opened: [`open`] picks the backend a URL names (`rapport-store-sqlite`
//! or `rapport-store-postgres`) and hands back the [`Store`] the engine speaks. Everything
//! else is `rapport-store-core`'s, re-exported here so callers name one crate.
//!
//! The one conformance suite (`tests/`) runs every test on both backends.

pub mod testing;

pub use rapport_store_core::*;

use std::sync::Arc;

/// Opens (creating when needed) and migrates the store a URL names: `sqlite://PATH`,
/// `sqlite::memory:`, `postgres://...` / `postgresql://...`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            rapport_store_sqlite::SqliteWriter::open(url).await?,
        ))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(rapport_store_postgres::PgWriter::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}
