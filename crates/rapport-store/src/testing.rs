//! Fresh stores for tests, in this crate and in the crates built on it.
//!
//! ```no_run
//! # async fn demo() {
//! use rapport_store::testing::{backend_from_env, fresh_store};
//! let store = fresh_store(backend_from_env()).await;
//! let stats = store.stats().await.unwrap();
//! # }
//! ```
//!
//! SQLite stores live in a temporary file (so WAL is exercised) removed on drop. PostgreSQL
//! stores get a database of their own on the server `RAPPORT_TEST_POSTGRES_URL` names
//! (default `postgres://postgres@127.0.0.1:5432/postgres`), dropped on drop, so tests can run
//! in parallel and leave nothing behind.

use crate::{Backend, Store};
use rapport_store_postgres::PgWriter;
use rapport_store_sqlite::SqliteWriter;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use std::hash::{BuildHasher, RandomState};
use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Default server for PostgreSQL test databases.
pub const DEFAULT_TEST_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The backend `RAPPORT_TEST_BACKEND` names: `sqlite` (the default) or `postgres`.
///
/// # Panics
/// On any other value, so that a typo does not silently test the wrong backend.
pub fn backend_from_env() -> Backend {
    match std::env::var("RAPPORT_TEST_BACKEND").as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
        Ok("postgres") | Ok("postgresql") => Backend::Postgres,
        Ok(other) => panic!("RAPPORT_TEST_BACKEND='{other}' (expected sqlite or postgres)"),
    }
}

/// The PostgreSQL server test databases are made on.
pub fn test_postgres_url() -> String {
    std::env::var("RAPPORT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_TEST_POSTGRES_URL.to_string())
}

/// A migrated, empty store that removes itself when dropped. Derefs to the store.
pub struct TestStore {
    store: Arc<dyn Store>,
    cleanup: Cleanup,
}

enum Cleanup {
    // Held for its drop, which removes the directory.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        server: Box<PgConnectOptions>,
        database: String,
    },
}

impl TestStore {
    /// The store, to hand to code that keeps its own `Arc`.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The PostgreSQL database name, or the SQLite file's directory.
    pub fn location(&self) -> String {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => dir.path().display().to_string(),
            Cleanup::Postgres { database, .. } => database.clone(),
        }
    }
}

impl Deref for TestStore {
    type Target = Arc<dyn Store>;
    fn deref(&self) -> &Self::Target {
        &self.store
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh store on `backend`.
///
/// # Panics
/// When the store cannot be made (no PostgreSQL server, no temporary directory): tests
/// cannot go on without one.
pub async fn fresh_store(backend: Backend) -> TestStore {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::Builder::new()
                .prefix("rapport-test-")
                .tempdir()
                .expect("temporary directory for a test store");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("rapport.db").display()
            );
            let store = SqliteWriter::open(&url)
                .await
                .unwrap_or_else(|e| panic!("opening test store {url}: {e}"));
            TestStore {
                store: Arc::new(store),
                cleanup: Cleanup::Sqlite(dir),
            }
        }
        Backend::Postgres => {
            let url = test_postgres_url();
            let server = PgConnectOptions::from_str(&url)
                .unwrap_or_else(|e| panic!("RAPPORT_TEST_POSTGRES_URL '{url}': {e}"));
            let database = format!(
                "rapport_t_{}_{}_{:08x}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                RandomState::new().hash_one(0u8) as u32
            );
            let mut admin = PgConnection::connect_with(&server)
                .await
                .unwrap_or_else(|e| panic!("connecting to PostgreSQL at {url}: {e}"));
            // The name is made above of digits, letters and underscores only.
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("creating test database {database}: {e}"));
            let _ = admin.close().await;
            let store = PgWriter::connect(server.clone().database(&database), 4)
                .await
                .unwrap_or_else(|e| panic!("opening test database {database}: {e}"));
            TestStore {
                store: Arc::new(store),
                cleanup: Cleanup::Postgres {
                    server: Box::new(server),
                    database,
                },
            }
        }
    }
}

/// A fresh store on the backend `RAPPORT_TEST_BACKEND` names.
pub async fn fresh_store_from_env() -> TestStore {
    fresh_store(backend_from_env()).await
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let Cleanup::Postgres { server, database } = &self.cleanup else {
            return;
        };
        let (server, database) = (server.as_ref().clone(), database.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on; a runtime of its
        // own on a thread of its own can.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let mut admin = PgConnection::connect_with(&server)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await
                .map_err(|e| e.to_string())?;
                let _ = admin.close().await;
                Ok::<_, String>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("dropping test database: {e}"),
            Err(_) => eprintln!("dropping test database: the cleanup thread panicked"),
        }
    }
}
