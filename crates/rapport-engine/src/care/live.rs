//! Live updates: every change to a case is announced on a broadcast channel that the web
//! layer turns into server-sent events.
//!
//! There is one channel per open store, found by the store's identity, so the ingest pipeline,
//! the inbox actions and every subscriber meet on it whichever `Care` value they hold.

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

type Channels = Vec<(Weak<dyn Store>, broadcast::Sender<CaseChanged>)>;

static CHANNELS: Mutex<Channels> = Mutex::new(Vec::new());

/// The channel of `store`, made on first use; channels of dropped stores are let go.
pub(crate) fn channel(store: &Arc<dyn Store>) -> broadcast::Sender<CaseChanged> {
    let mut all = CHANNELS.lock().expect("live channel registry lock");
    all.retain(|(s, _)| s.strong_count() > 0);
    let mine = Arc::downgrade(store);
    if let Some((_, tx)) = all.iter().find(|(s, _)| Weak::ptr_eq(s, &mine)) {
        return tx.clone();
    }
    let (tx, _) = broadcast::channel(LIVE_CAPACITY);
    all.push((mine, tx.clone()));
    tx
}
