//! Rapport's embedded backend: one SQLite file in WAL mode (or an in-memory database for
//! tests), its migrations, its dialect of the shared queries and its ingest path.

mod accounts;
mod dialect;
pub mod testing;

pub use dialect::Sqlite;
mod checkpoint;
mod db;
mod ingest;

use async_trait::async_trait;
use rapport_domain::Network;
use rapport_store_core::sql::{SqlStore, Writer};
use rapport_store_core::{Backend, IngestReport, NewPost, Result};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The backend's own write path (see [`Writer`]).
pub struct SqliteWriter {
    pool: SqlitePool,
    /// The WAL checkpointer of a file database (see `checkpoint`).
    checkpointer: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for SqliteWriter {
    fn drop(&mut self) {
        if let Some(task) = &self.checkpointer {
            task.abort();
        }
    }
}

impl SqliteWriter {
    /// Opens `sqlite://PATH[?mode=..]` or `sqlite::memory:`, creating the file unless the URL
    /// sets a mode, and migrates it.
    pub async fn open(url: &str) -> Result<SqlStore<dialect::Sqlite>> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let mut options = SqliteConnectOptions::from_str(url)?
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .synchronous(SqliteSynchronous::Normal)
            // SQLite's default page cache is 2 MB a connection: an ingest batch's index and
            // full-text updates then read pages back from the OS on every statement.
            .pragma("cache_size", "-32768")
            .statement_cache_capacity(256);
        if !url.contains("mode=") {
            options = options.create_if_missing(true);
        }
        let mut checkpointer = None;
        let pool = if memory {
            // One connection that never closes: an in-memory database lives as long as it.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await?
        } else {
            let options = options.journal_mode(SqliteJournalMode::Wal);
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
                .await?;
            checkpointer = Some(checkpoint::spawn(options));
            pool
        };
        sqlx::migrate!("./migrations").run(&pool).await?;
        let db = Arc::new(db::SqliteDb { pool: pool.clone() });
        let writer = Arc::new(SqliteWriter { pool, checkpointer });
        Ok(SqlStore::new(Backend::Sqlite, db, writer))
    }
}

#[async_trait]
impl Writer for SqliteWriter {
    async fn ingest(&self, batch: Vec<NewPost>) -> Result<IngestReport> {
        ingest::ingest(&self.pool, batch).await
    }

    async fn set_own_account(&self, network: Network, handle: &str, own: bool) -> Result<()> {
        accounts::set_own_account(&self.pool, network, handle, own).await
    }
}
