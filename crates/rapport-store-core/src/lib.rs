//! Rapport's storage, without a driver: the capability traits the engine speaks ([`Store`]
//! hands each out), the one SQL body that implements them ([`sql::SqlStore`], over the
//! [`sql::Db`], [`sql::Dialect`] and [`sql::Writer`] a backend plugs in), and the in-memory
//! planning of an ingest batch that both backends' write paths follow.
//!
//! The backends are crates of their own (`rapport-store-sqlite`, `rapport-store-postgres`);
//! `rapport-store` opens the one a URL names.

pub mod care;
pub mod channels;
#[cfg(feature = "conformance")]
pub mod conformance;
mod contacts;
mod error;
#[doc(hidden)]
pub mod fts;
mod model;
pub mod notifications;
#[doc(hidden)]
pub mod plan;
mod posts;
pub mod privacy;
pub mod publications;
pub mod publish;
#[doc(hidden)]
pub mod record;
mod reports;
pub mod security;
pub mod sql;
pub mod sso;
pub mod testing;
mod threads;
mod topics;
pub mod users;

pub use care::{
    CaseStore, ContactBookStore, InboxStore, LeadStore, NoteStore, OutboxStore, RoutingStore,
    SavedViewStore, SettingsStore,
};
pub use channels::{ChannelStore, DeletionStore};
pub use contacts::ContactStore;
pub use error::StoreError;
pub use notifications::NotificationStore;
pub use posts::PostStore;
pub use topics::TopicStore;
// The Store trait speaks these domain nouns; re-exported so its callers find them beside it.
pub use privacy::PrivacyStore;
pub use publications::PublicationStore;
pub use publish::PublishStore;
pub use rapport_domain::ingest::{IngestOutcome, IngestReport, NewPost};
pub use rapport_domain::stats::Stats;
pub use reports::ReportStore;
pub use security::{AuditStore, TwoFactorStore};
pub use sso::SsoStore;
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
    fn views(&self) -> &dyn SavedViewStore;
    fn outbox(&self) -> &dyn OutboxStore;
    fn publish(&self) -> &dyn PublishStore;
    fn publications(&self) -> &dyn PublicationStore;
    fn channels(&self) -> &dyn ChannelStore;
    fn deletions(&self) -> &dyn DeletionStore;
    fn users(&self) -> &dyn UserStore;
    fn sessions(&self) -> &dyn SessionStore;
    fn reports(&self) -> &dyn ReportStore;
    fn two_factor(&self) -> &dyn TwoFactorStore;
    fn sso(&self) -> &dyn SsoStore;
    fn audit(&self) -> &dyn AuditStore;
    fn privacy(&self) -> &dyn PrivacyStore;
    fn notifications(&self) -> &dyn NotificationStore;
}
