//! A fresh PostgreSQL store for a test: a database of its own on the server
//! `RAPPORT_TEST_POSTGRES_URL` names (default [`DEFAULT_TEST_POSTGRES_URL`]), dropped on drop,
//! so tests run in parallel and leave nothing behind.

use rapport_store_core::testing::TestStore;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use std::hash::{BuildHasher, RandomState};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Default server for PostgreSQL test databases.
pub const DEFAULT_TEST_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL server test databases are made on.
pub fn test_postgres_url() -> String {
    std::env::var("RAPPORT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_TEST_POSTGRES_URL.to_string())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// # Panics
/// When there is no PostgreSQL server to make the database on.
pub async fn fresh() -> TestStore {
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
    let store = crate::PgWriter::connect(server.clone().database(&database), 4)
        .await
        .unwrap_or_else(|e| panic!("opening test database {database}: {e}"));
    let dropper = DropDatabase {
        server,
        database: database.clone(),
    };
    TestStore::new(Arc::new(store), database, dropper)
}

/// Drops the test database when the test is done with it.
struct DropDatabase {
    server: PgConnectOptions,
    database: String,
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let (server, database) = (self.server.clone(), self.database.clone());
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
