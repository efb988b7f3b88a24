//! Publications: posts composed once for several channels, their review and schedule, and
//! their release into the publisher's ledger.
//!
//! [`PublicationStore`] is reached from an opened store with [`crate::Store::publications`];
//! `sql.rs` implements it once for both backends (migration 0009). The engine runs the
//! publication's rules ([`rapport_domain::publication::Publication`]) and saves the result
//! against the version it read; the store owns the two steps that must be atomic: releasing
//! a due publication into the outbox (its status and every part's entry in one transaction,
//! so a publication is never half released or released twice), and settling its status from
//! its entries.

mod sql;

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::StoredPost;
use rapport_domain::publication::{NewPublication, Publication, PublicationId, PublicationQuery};
use rapport_domain::publish::PublishEntry;

#[async_trait]
pub trait PublicationStore: Send + Sync {
    /// Stores a new draft.
    async fn create_publication(&self, new: &NewPublication) -> Result<Publication>;

    async fn publication(&self, id: PublicationId) -> Result<Option<Publication>>;

    /// Saves a publication's text, variants, schedule, status and review, if it is still at
    /// the version it was read at; the saved one has the next version. `Conflict` when
    /// someone saved it meanwhile (or it was released), `NotFound` for an unknown id.
    async fn save_publication(&self, publication: &Publication) -> Result<Publication>;

    /// Removes a draft or one in review (nothing of it was sent). `Conflict` otherwise;
    /// `false` for an unknown id.
    async fn delete_publication(&self, id: PublicationId) -> Result<bool>;

    async fn publications(&self, query: &PublicationQuery) -> Result<Vec<Publication>>;

    /// Releases up to `limit` scheduled publications whose time has come at `now`: each
    /// becomes `publishing` and every part of every variant that still has its channel
    /// becomes a queued outbox entry for that channel (a thread's later parts wait for the
    /// part before them), in one transaction per publication. Two schedulers releasing at
    /// once release each publication once. Returns those released.
    async fn release_due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<PublicationId>>;

    /// Sets a released publication's status from its entries: `published` (with the time)
    /// once every one is sent, `failed` while any is failed, else `publishing`.
    async fn settle_publication(
        &self,
        id: PublicationId,
        at: DateTime<Utc>,
    ) -> Result<Option<Publication>>;

    /// The ledger entries of these publications, in publication, variant and part order.
    async fn publication_entries(&self, ids: &[PublicationId]) -> Result<Vec<PublishEntry>>;

    /// What its published posts drew: posts in their threads from anyone but the accounts
    /// that published them, oldest first, at most `limit`.
    async fn publication_replies(&self, id: PublicationId, limit: u32) -> Result<Vec<StoredPost>>;
}
