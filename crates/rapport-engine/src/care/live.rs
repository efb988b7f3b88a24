//! Live updates: every change to a case is announced on a broadcast channel that the web
//! layer turns into server-sent events.
//!
//! There is one channel per open store, found by the store's identity, so the ingest pipeline,
//! the inbox actions and every subscriber meet on it whichever `Care` value they hold.

use super::presence::{Board, PresenceChanged};
use chrono::{DateTime, Utc};
use rapport_domain::{CaseId, CaseStatus, UserId};
use rapport_store::Store;
use serde::Serialize;
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::broadcast;

/// Events a slow subscriber may fall behind by before it misses some (it then sees
/// `RecvError::Lagged` and should reload its view).
pub const LIVE_CAPACITY: usize = 1024;

/// What happened to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Opened,
    /// A post of the conversation joined (a customer wrote, or an agent reply came back).
    PostJoined,
    Reopened,
    /// Status, assignment, team, priority or tags changed.
    Updated,
    NoteAdded,
    ReplyQueued,
    SlaChanged,
}

/// One case-changed event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseChanged {
    pub case_id: CaseId,
    pub kind: ChangeKind,
    /// The case's version after the change (lets a page drop events it already shows).
    pub version: i64,
    pub status: CaseStatus,
    pub assignee: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// What every `Care` over one store shares.
#[derive(Clone)]
pub(crate) struct Shared {
    pub changes: broadcast::Sender<CaseChanged>,
    pub presence: broadcast::Sender<PresenceChanged>,
    pub board: Arc<Mutex<Board>>,
}

static CHANNELS: Mutex<Vec<(Weak<dyn Store>, Shared)>> = Mutex::new(Vec::new());

/// The channels of `store`, made on first use; those of dropped stores are let go.
pub(crate) fn shared(store: &Arc<dyn Store>) -> Shared {
    let mut all = CHANNELS.lock().expect("live channel registry lock");
    all.retain(|(s, _)| s.strong_count() > 0);
    let mine = Arc::downgrade(store);
    if let Some((_, shared)) = all.iter().find(|(s, _)| Weak::ptr_eq(s, &mine)) {
        return shared.clone();
    }
    let shared = Shared {
        changes: broadcast::channel(LIVE_CAPACITY).0,
        presence: broadcast::channel(LIVE_CAPACITY).0,
        board: Arc::default(),
    };
    all.push((mine, shared.clone()));
    shared
}
