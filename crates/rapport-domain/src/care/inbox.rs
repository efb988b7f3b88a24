//! Inbox lists: which cases a view holds, in which order, one keyset page at a time.

use crate::{CaseId, CaseStatus, ContactId, Network, Priority, SlaState, TeamId, TopicId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::{fmt, str::FromStr};

/// Which cases an inbox list shows. Every view holds active cases only (new, open, pending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "view", content = "id")]
pub enum InboxView {
    Mine(UserId),
    Unassigned,
    Team(TeamId),
    AllOpen,
    /// At risk or breached at the last SLA evaluation.
    AtRisk,
    Topic(TopicId),
    Priority(Priority),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxSort {
    /// Most urgent first; the oldest first within a priority.
    #[default]
    Priority,
    /// The earliest running SLA due instant first; cases without one last.
    SlaDue,
    /// The most recent activity first.
    Newest,
    /// The least recent activity first.
    Oldest,
}

impl InboxSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Priority => "priority",
            Self::SlaDue => "sla_due",
            Self::Newest => "newest",
            Self::Oldest => "oldest",
        }
    }
}

impl FromStr for InboxSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Priority, Self::SlaDue, Self::Newest, Self::Oldest]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown sort '{s}' (expected priority, sla_due, newest or oldest)")
            })
    }
}

/// Where a page starts: a keyset cursor is stable while cases change; an offset is for
/// jumping to a page number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PageStart {
    #[default]
    First,
    After(InboxCursor),
    Offset(u32),
}

/// The position after the last case of a page, for the same view and sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxCursor {
    pub key: i64,
    pub id: CaseId,
}

impl fmt::Display for InboxCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.key, self.id)
    }
}

impl FromStr for InboxCursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid cursor '{s}' (expected KEY.ID)");
        let (k, id) = s.split_once('.').ok_or_else(bad)?;
        Ok(InboxCursor {
            key: k.parse().map_err(|_| bad())?,
            id: CaseId(id.parse().map_err(|_| bad())?),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxQuery {
    pub view: InboxView,
    pub sort: InboxSort,
    /// 1 to 500.
    pub limit: u32,
    pub start: PageStart,
}

/// One row of an inbox list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: CaseId,
    pub status: CaseStatus,
    pub priority: Priority,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub network: Network,
    pub preview: String,
    pub tags: BTreeSet<String>,
    pub sla_state: Option<SlaState>,
    pub next_due: Option<DateTime<Utc>>,
    pub opened_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<InboxCursor>,
}

/// How many active cases each view holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InboxCounts {
    pub all_open: u64,
    pub unassigned: u64,
    /// Assigned to the user asked about.
    pub mine: u64,
    pub at_risk: u64,
    pub by_priority: Vec<(Priority, u64)>,
    pub by_team: Vec<(TeamId, u64)>,
    pub by_topic: Vec<(TopicId, u64)>,
}
