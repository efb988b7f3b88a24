//! Rapport's storage.
//!
//! [`Store`] is the one interface the engine sees; [`open`] picks the backend from a URL
//! (`sqlite://...` or `postgres://...`). Each backend has its own migrations, and one
//! conformance suite (`tests/conformance.rs`) runs against both.
//!
//! Architecture invariant: only this crate knows SQL.

pub mod care;
pub mod channels;
mod contacts;
mod error;
mod fts;
mod model;
mod plan;
mod postgres;
mod posts;
pub mod publish;
mod record;
pub mod sql;
mod sqlite;
pub mod testing;
mod threads;
mod topics;
pub mod users;

pub use care::{
    CaseStore, ContactBookStore, InboxStore, LeadStore, NoteStore, OutboxStore, RoutingStore,
    SettingsStore,
};
pub use channels::{ChannelStore, DeletionStore};
pub use contacts::ContactStore;
pub use error::StoreError;
pub use posts::PostStore;
pub use topics::TopicStore;
// The Store trait speaks these domain nouns; re-exported so its callers find them beside it.
pub use publish::PublishStore;
pub use rapport_domain::ingest::{IngestOutcome, IngestReport, NewPost};
pub use rapport_domain::stats::Stats;
pub use users::{SessionStore, UserStore};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An opened store: one accessor per capability. Each capability is its own small trait, so
/// a caller names what it needs and a backend implements each once.
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    fn posts(&self) -> &dyn PostStore;
    fn topics(&self) -> &dyn TopicStore;
    fn contacts(&self) -> &dyn ContactStore;
    fn contact_book(&self) -> &dyn ContactBookStore;
    fn leads(&self) -> &dyn LeadStore;
    fn settings(&self) -> &dyn SettingsStore;
    fn routing(&self) -> &dyn RoutingStore;
    fn cases(&self) -> &dyn CaseStore;
    fn inbox(&self) -> &dyn InboxStore;
    fn notes(&self) -> &dyn NoteStore;
    fn outbox(&self) -> &dyn OutboxStore;
    fn publish(&self) -> &dyn PublishStore;
    fn channels(&self) -> &dyn ChannelStore;
    fn deletions(&self) -> &dyn DeletionStore;
    fn users(&self) -> &dyn UserStore;
    fn sessions(&self) -> &dyn SessionStore;
}

/// Opens (creating when needed) and migrates the store a URL names: `sqlite://PATH`,
/// `sqlite::memory:`, `postgres://...` / `postgresql://...`.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(sqlite::SqliteWriter::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(postgres::PgWriter::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}
