//! A fresh store for a test: what each backend's `testing::fresh` hands out, and what the
//! conformance suite runs on.

use crate::Store;
use std::ops::Deref;
use std::sync::Arc;

/// A migrated, empty store that removes itself when dropped. Derefs to the store.
pub struct TestStore {
    store: Arc<dyn Store>,
    location: String,
    // Dropped after the store (fields drop in order): removes the file or the database.
    _cleanup: Box<dyn Send + Sync>,
}

impl TestStore {
    /// A store at `location` (a directory or a database name), and what removes it on drop.
    pub fn new(
        store: Arc<dyn Store>,
        location: String,
        cleanup: impl Send + Sync + 'static,
    ) -> Self {
        TestStore {
            store,
            location,
            _cleanup: Box::new(cleanup),
        }
    }

    /// The store, to hand to code that keeps its own `Arc`.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The PostgreSQL database name, or the SQLite file's directory.
    pub fn location(&self) -> String {
        self.location.clone()
    }
}

impl Deref for TestStore {
    type Target = Arc<dyn Store>;
    fn deref(&self) -> &Self::Target {
        &self.store
    }
}
