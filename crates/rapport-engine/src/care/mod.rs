//! Care: the shared inbox's use cases.
//!
//! - routing (`routing.rs`): which stored posts open or join cases, reopening, priority from
//!   urgency, round-robin assignment; run by the ingest pipeline after every stored batch;
//! - inbox actions (`actions.rs`): assignment, team, status through the domain state machine,
//!   priority, tags, notes; each writes its audit event;
//! - SLA clocks (`sla.rs`), evaluated on every change and stored with the case;
//! - replies (`replies.rs`): saved replies, suggested answers, the composer check, the outbox;
//!   each reply's publishing state, resending and the networks' reply rules (`outbox.rs`);
//! - contacts (`contacts.rs`): fields, merge and split, timeline, leads;
//! - live updates (`live.rs`), who is viewing or typing on a case (`presence.rs`), and the
//!   inbox benchmark (`bench.rs`).
//!
//! Everything goes through [`rapport_store::CareStore`], so it runs on both backends.

mod actions;
pub mod bench;
mod contacts;
mod error;
mod live;
mod outbox;
mod presence;
mod replies;
mod routing;
mod settings;
mod sla;
mod sweeper;
mod teams;

pub use actions::CasePage;
pub use contacts::{FlaggedLead, TimelineEntry};
pub use error::CareError;
pub use live::{CaseChanged, ChangeKind, LIVE_CAPACITY};
pub use presence::{Activity, PRESENCE_TTL, Presence, PresenceChanged};
pub use replies::{ComposerCount, Suggestion, compose_count};
pub use routing::{ROUTING_PASS, Routable, RouteSummary, passed_over, routable};
pub use sweeper::{Clock, SlaSweeper};

use crate::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use rapport_domain::{Intent, TeamId, TopicId};
use rapport_store::{CareStore, Store};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::broadcast;

pub type Result<T, E = CareError> = std::result::Result<T, E>;

/// The care setting key the routing rules are kept under.
const RULES_KEY: &str = "routing_rules";

/// How posts become cases; kept in the store so every process routes alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingRules {
    /// Intents that make a topic match actionable (mentions of own accounts always are).
    pub actionable: Vec<Intent>,
    /// Per-topic overrides of `actionable` and the team its cases go to.
    pub topics: Vec<TopicRule>,
    /// A customer writing at most this long after resolution reopens the case.
    pub reopen_window_secs: i64,
    /// The team new cases go to when no topic rule names one.
    pub default_team: Option<TeamId>,
    /// Assign new cases in a team to its members in turn.
    pub round_robin: bool,
    /// The SLA policy of cases without a team, or whose team names none.
    pub default_sla_policy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicRule {
    pub topic: TopicId,
    /// `None` keeps the default actionable intents; an empty list makes the topic listen only.
    #[serde(default)]
    pub intents: Option<Vec<Intent>>,
    #[serde(default)]
    pub team: Option<TeamId>,
}

impl Default for RoutingRules {
    fn default() -> Self {
        RoutingRules {
            actionable: vec![Intent::Question, Intent::Complaint, Intent::Lead],
            topics: Vec::new(),
            reopen_window_secs: rapport_domain::case::default_reopen_window().num_seconds(),
            default_team: None,
            round_robin: true,
            default_sla_policy: None,
        }
    }
}

impl RoutingRules {
    pub fn reopen_window(&self) -> TimeDelta {
        TimeDelta::seconds(self.reopen_window_secs)
    }

    fn topic(&self, id: TopicId) -> Option<&TopicRule> {
        self.topics.iter().find(|t| t.topic == id)
    }

    /// The intents that make a match of `topic` actionable.
    pub fn actionable_intents(&self, topic: TopicId) -> &[Intent] {
        self.topic(topic)
            .and_then(|t| t.intents.as_deref())
            .unwrap_or(&self.actionable)
    }

    /// The team for a case that came in by `topics`: the first topic rule naming one, else the
    /// default team.
    pub fn team_for(&self, topics: &[TopicId]) -> Option<TeamId> {
        topics
            .iter()
            .find_map(|t| self.topic(*t).and_then(|r| r.team))
            .or(self.default_team)
    }
}

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
            store,
            live: broadcast::channel(LIVE_CAPACITY).0,
            presence_tx: broadcast::channel(LIVE_CAPACITY).0,
            presence: Arc::default(),
            expected: None,
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

    fn cs(&self) -> &dyn CareStore {
        self.store.care()
    }

    /// Case-changed events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<CaseChanged> {
        self.live.subscribe()
    }

    fn announce(
        &self,
        record: &rapport_store::care::CaseRecord,
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
        match self.cs().care_setting(RULES_KEY).await? {
            None => Ok(RoutingRules::default()),
            Some(json) => serde_json::from_str(&json).map_err(|e| CareError::Rules(e.to_string())),
        }
    }

    pub async fn set_rules(&self, rules: &RoutingRules) -> Result<()> {
        if rules.reopen_window_secs < 0 {
            return Err(CareError::invalid(
                "reopen_window_secs",
                format!("{} is negative", rules.reopen_window_secs),
            ));
        }
        let json = serde_json::to_string(rules).expect("routing rules serialize");
        Ok(self.cs().set_care_setting(RULES_KEY, &json).await?)
    }
}
