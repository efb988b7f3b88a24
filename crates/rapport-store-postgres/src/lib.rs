//! Rapport's scale-out backend: PostgreSQL, its migrations, its dialect of the shared queries
//! and its ingest path (array `unnest` under an advisory lock).

mod accounts;
mod dialect;
pub mod testing;

pub use dialect::Postgres;
mod db;
mod ingest;

use async_trait::async_trait;
use rapport_domain::Network;
use rapport_store_core::sql::{SqlStore, Writer};
use rapport_store_core::{Backend, IngestReport, NewPost, Result};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;

/// The backend's own write path (see [`Writer`]).
pub struct PgWriter {
    pool: PgPool,
}

impl PgWriter {
    /// Opens and migrates the database a `postgres://` URL names.
    pub async fn open(url: &str) -> Result<SqlStore<dialect::Postgres>> {
        PgWriter::connect(PgConnectOptions::from_str(url)?, 8).await
    }

    pub async fn connect(
        options: PgConnectOptions,
        max_connections: u32,
    ) -> Result<SqlStore<dialect::Postgres>> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let db = Arc::new(db::PgDb { pool: pool.clone() });
        Ok(SqlStore::new(
            Backend::Postgres,
            db,
            Arc::new(PgWriter { pool }),
        ))
    }
}

#[async_trait]
impl Writer for PgWriter {
    async fn ingest(&self, batch: Vec<NewPost>) -> Result<IngestReport> {
        ingest::ingest(&self.pool, batch).await
    }

    async fn set_own_account(&self, network: Network, handle: &str, own: bool) -> Result<()> {
        accounts::set_own_account(&self.pool, network, handle, own).await
    }
}
