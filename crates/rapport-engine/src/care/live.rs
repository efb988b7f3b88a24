//! Live updates: every change to a case is announced on a broadcast channel that the web
//! layer turns into server-sent events.
//!
//! The channels belong to the engine's one `Care` (built in `Engine::new`), so the ingest
//! pipeline, the inbox actions and every subscriber of that engine meet on them.

use chrono::{DateTime, Utc};
use rapport_domain::{CaseId, CaseStatus, UserId};
use serde::Serialize;

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
    /// A reply's publishing state changed (sent, failed, retrying, resent).
    ReplyUpdated,
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
