//! Rapport's use cases.
//!
//! The engine is where the pieces meet: importers and sources hand it posts, it classifies them
//! (`rapport-nlp`), matches them against every listening topic at once (`rapport-query`) and
//! stores them (`rapport-store`). Topics, search, backtests and figures are answered here too, so
//! the CLI and the HTTP server share one implementation of each.
//!
//! Architecture invariant: no HTTP and no SQL here; storage is reached only through the
//! `Store` trait, so every use case runs unchanged on SQLite and PostgreSQL.

pub mod accounts;
pub mod bench;
pub mod care;
pub mod channels;
pub mod demo;
mod error;
mod everywhere;
mod explain;
mod ingest;
pub mod listen;
mod matching;
pub mod notify;
pub mod privacy;
pub mod publish;
pub mod reports;
mod search;
#[cfg(feature = "testing")]
pub mod testing;
mod ticker;
mod topics;

pub use error::EngineError;
pub use everywhere::{Everywhere, Found, FoundCase, FoundContact, Kinds, everywhere_query};
pub use ingest::{IngestProgress, IngestSummary};
pub use rapport_nlp::Explanation;
pub use reports::listening::{ListeningPosts, ListeningReport, TERM_SAMPLE, TREND_MIN, Trending};
pub use search::{Backtest, SearchHit, SearchResult};
pub use topics::TopicInfo;

use rapport_domain::Network;
use rapport_nlp::Classifier;
use rapport_store::Store;
use std::sync::Arc;

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// What the engine needs to know beyond the store.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    /// The company's own accounts, per network (handles without `@`).
    pub own_accounts: Vec<(Network, String)>,
    /// Posts handed to the store per transaction.
    pub batch_size: usize,
    /// Skip classification (benchmarks compare with and without it).
    pub skip_classification: bool,
    /// How long a search or backtest may run before it is stopped with
    /// [`EngineError::QueryTimeout`]; `None` lets it finish (the CLI, where the person waiting
    /// is the one who asked).
    pub query_deadline: Option<std::time::Duration>,
    /// Routing settles history: a case whose latest post is older than the reopen window when
    /// it is routed comes in resolved at that post (`care::routing`). `rapport import` sets it
    /// (unless `--open-history`) so an imported archive does not flood the inbox; live sources,
    /// the API and the demo leave it off, and their posts are recent anyway.
    pub settle_history: bool,
}

/// The use cases over one store.
pub struct Engine {
    store: Arc<dyn Store>,
    classifier: Arc<Classifier>,
    topics: matching::TopicSet,
    config: EngineConfig,
    /// The care use cases, built once: they own the live-update channels.
    care: care::Care,
}

impl Engine {
    /// Opens the engine over a store: registers the configured own accounts and compiles the
    /// stored topics.
    pub async fn new(store: Arc<dyn Store>, mut config: EngineConfig) -> Result<Self> {
        if config.batch_size == 0 {
            config.batch_size = 2_000;
        }
        for (network, handle) in &config.own_accounts {
            store
                .contacts()
                .set_own_account(*network, handle, true)
                .await?;
        }
        let topics = matching::TopicSet::load(store.as_ref()).await?;
        Ok(Self {
            care: care::Care::new(store.clone()).settling_history(config.settle_history),
            store,
            classifier: Arc::new(Classifier::new()),
            topics,
            config,
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The notification use cases, on the same live channel the care actions raise on.
    pub fn notifications(&self) -> notify::Notifier {
        self.care.notifier().clone()
    }

    pub fn classifier(&self) -> &Arc<Classifier> {
        &self.classifier
    }

    pub async fn stats(&self) -> Result<rapport_domain::stats::Stats> {
        Ok(self.store.posts().stats().await?)
    }
}
