//! Fresh stores for tests, in the crates built on the store.
//!
//! ```no_run
//! # async fn demo() {
//! use rapport_store::testing::{backend_from_env, fresh_store};
//! let store = fresh_store(backend_from_env()).await;
//! let stats = store.posts().stats().await.unwrap();
//! # }
//! ```
//!
//! Each backend makes its own (`rapport_store_sqlite::testing::fresh`, a file in a temporary
//! directory; `rapport_store_postgres::testing::fresh`, a database of its own); this picks one.

use crate::Backend;
pub use rapport_store_core::testing::TestStore;
pub use rapport_store_postgres::testing::{DEFAULT_TEST_POSTGRES_URL, test_postgres_url};

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

/// A fresh store on `backend`.
///
/// # Panics
/// When the store cannot be made (no PostgreSQL server, no temporary directory): tests
/// cannot go on without one.
pub async fn fresh_store(backend: Backend) -> TestStore {
    match backend {
        Backend::Sqlite => rapport_store_sqlite::testing::fresh().await,
        Backend::Postgres => rapport_store_postgres::testing::fresh().await,
    }
}

/// A fresh store on the backend `RAPPORT_TEST_BACKEND` names.
pub async fn fresh_store_from_env() -> TestStore {
    fresh_store(backend_from_env()).await
}
