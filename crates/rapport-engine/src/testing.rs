//! Fresh stores for other crates' tests (SQLite, or PostgreSQL with
//! `RAPPORT_TEST_BACKEND=postgres`), so a crate above the engine tests against a real store
//! without depending on the store crate. Only with the `testing` feature, which such a crate
//! enables in its dev-dependencies.

pub use rapport_store::Backend;
pub use rapport_store::testing::{
    TestStore, backend_from_env, fresh_store, fresh_store_from_env, test_postgres_url,
};
