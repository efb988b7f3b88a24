//! Care: the shared inbox's use cases.
//!
//! - routing (`routing.rs`): which stored posts open or join cases, reopening, priority from
//!   urgency, round-robin assignment; run by the ingest pipeline after every stored batch;
//! - inbox actions (`actions.rs`): assignment, team, status through the domain state machine,
//!   priority, tags, notes; each writes its audit event;
//! - SLA clocks (`sla.rs`), evaluated on every change and stored with the case;
//! - faster replies (`faster.rs`): send and resolve, the next case of an agent's queue, the
//!   sidebar's fields saved in one go;
//! - replies (`replies.rs`): saved replies, suggested answers, the composer check, the outbox;
//!   each reply's publishing state, resending and the networks' reply rules (`outbox.rs`);
//! - contacts (`contacts.rs`): fields, merge and split, timeline, leads;
//! - inbox filters and saved views with their live counts (`views.rs`);
//! - live updates (`live.rs`), who is viewing or typing on a case (`presence.rs`), and the
//!   inbox benchmark (`bench.rs`).
//!
//! Everything goes through the store's care capabilities ([`rapport_store::CaseStore`], [`rapport_store::InboxStore`], ...), so it runs on both backends.

mod actions;
pub mod bench;
mod contacts;
mod error;
mod faster;
mod ingested;
mod live;
mod outbox;
mod presence;
mod replies;
mod routing;
mod settings;
mod sla;
mod status;
mod sweeper;
mod teams;
mod views;

pub use actions::{Before, CasePage};
pub use contacts::{FlaggedLead, FlaggedLeadPage, TimelineEntry};
pub use error::CareError;
pub use faster::{CaseFields, SentAndResolved};
pub use ingested::BatchRouting;
pub use live::{CaseChanged, ChangeKind, LIVE_CAPACITY};
pub use presence::{Activity, PRESENCE_TTL, Presence, PresenceChanged};
pub use replies::{ComposerCount, Suggestion, compose_count};
pub use routing::{ROUTING_PASS, RouteSummary};
pub use sla::{SlaSweep, SlaTransition};
pub use sweeper::{Clock, SlaSweeper};
pub use views::{VIEW_NAME_MAX, ViewWithCount, as_seen_by};

// The rules are the domain's; re-exported here, beside the use cases that read them.
pub use rapport_domain::care::{RoutingRules, TopicRule};

use crate::Engine;
use chrono::{DateTime, Utc};
use rapport_domain::care::{CareSetting, CareSettingKey};
use rapport_store::{Store, StoreError};
use std::sync::Arc;
use tokio::sync::broadcast;

pub type Result<T, E = CareError> = std::result::Result<T, E>;

/// The care use cases over one store. The engine builds one in [`Engine::new`] and hands out
/// clones (a few reference counts), so the ingest pipeline, the inbox actions and every
/// live-update subscriber of that engine meet on the same channels.
#[derive(Clone)]
pub struct Care {
    store: Arc<dyn Store>,
    live: broadcast::Sender<CaseChanged>,
    presence_tx: broadcast::Sender<PresenceChanged>,
    presence: Arc<std::sync::Mutex<presence::Board>>,
    /// The version the caller read the case at (an HTTP `If-Match`): see [`Care::at_version`].
    expected: Option<i64>,
    /// Routing resolves cases that are history when routed: see [`Care::settling_history`].
    settle_history: bool,
    /// Notifications the changes raise (assignment, customer replies, mentions, SLA).
    notifier: crate::notify::Notifier,
}

impl Engine {
    /// The care use cases over this engine's store, with this engine's live channels.
    pub fn care(&self) -> Care {
        self.care.clone()
    }
}

impl Care {
    /// Care over `store` with live-update channels of its own: an engine builds one with this
    /// and shares it; a second `Care::new` over the same store hears nothing of the first.
    pub fn new(store: Arc<dyn Store>) -> Care {
        Care {
            store: store.clone(),
            live: broadcast::channel(LIVE_CAPACITY).0,
            presence_tx: broadcast::channel(LIVE_CAPACITY).0,
            presence: Arc::default(),
            expected: None,
            settle_history: false,
            notifier: crate::notify::Notifier::new(store.clone()),
        }
    }

    /// The same use cases, with routing settling history or not: a case whose latest post is
    /// older than the reopen window when routing writes it comes in resolved at that post, so
    /// an imported archive keeps its cases and their metrics without filling the inbox.
    pub fn settling_history(self, settle: bool) -> Care {
        Care {
            settle_history: settle,
            ..self
        }
    }

    /// The same use cases, each changing a case only while it is still at `version`: the
    /// version goes down to the store's save, whose update is conditional on it, so of two
    /// agents who read version 7 and change the case at once exactly one succeeds and the
    /// other gets a `Conflict`. `None` changes the case as it is when the change loads it.
    pub fn at_version(&self, version: Option<i64>) -> Care {
        Care {
            expected: version,
            ..self.clone()
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The notifications these use cases raise, and the bell's live channel.
    pub fn notifier(&self) -> &crate::notify::Notifier {
        &self.notifier
    }

    /// Raises what `events`, just saved on `record`, tell the agents (logged, never failing
    /// the change).
    async fn notify_events(
        &self,
        record: &rapport_domain::care::CaseRecord,
        events: &[rapport_domain::CaseEvent],
    ) {
        match crate::notify::from_case_events(&*self.store, record, events).await {
            Ok(notes) => self.notifier.raise(notes).await,
            Err(e) => {
                tracing::warn!(case_id = %record.case.id, error = %e, "notifications not raised")
            }
        }
    }

    /// Case-changed events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<CaseChanged> {
        self.live.subscribe()
    }

    fn announce(
        &self,
        record: &rapport_domain::care::CaseRecord,
        kind: ChangeKind,
        at: DateTime<Utc>,
    ) {
        // No subscriber is not an error: nobody has the inbox open.
        let _ = self.live.send(CaseChanged {
            case_id: record.case.id,
            kind,
            version: record.version,
            status: record.case.status,
            assignee: record.case.assignee,
            at,
        });
    }

    pub async fn rules(&self) -> Result<RoutingRules> {
        match self
            .store
            .settings()
            .care_setting(CareSettingKey::RoutingRules)
            .await
        {
            Ok(Some(CareSetting::RoutingRules(rules))) => Ok(rules),
            Ok(_) => Ok(RoutingRules::default()),
            // Unreadable rules are named as such, not as a database failure.
            Err(StoreError::Corrupt(e)) => Err(CareError::Rules(e)),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn set_rules(&self, rules: &RoutingRules) -> Result<()> {
        if rules.reopen_window_secs < 0 {
            return Err(CareError::invalid(
                "reopen_window_secs",
                format!("{} is negative", rules.reopen_window_secs),
            ));
        }
        let setting = CareSetting::RoutingRules(rules.clone());
        Ok(self.store.settings().set_care_setting(&setting).await?)
    }
}
