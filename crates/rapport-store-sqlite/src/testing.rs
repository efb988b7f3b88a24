//! A fresh SQLite store for a test: a file in a temporary directory (so WAL is exercised),
//! removed on drop.

use rapport_store_core::testing::TestStore;
use std::sync::Arc;

/// # Panics
/// When no temporary directory or store can be made: a test cannot go on without one.
pub async fn fresh() -> TestStore {
    let dir = tempfile::Builder::new()
        .prefix("rapport-test-")
        .tempdir()
        .expect("temporary directory for a test store");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("rapport.db").display()
    );
    let store = crate::SqliteWriter::open(&url)
        .await
        .unwrap_or_else(|e| panic!("opening test store {url}: {e}"));
    let location = dir.path().display().to_string();
    TestStore::new(Arc::new(store), location, dir)
}
