//! The audit log: every change to a case produces one `CaseEvent` saying who did what, when.

use super::{CaseAction, CaseId, CaseStatus, Priority, TeamId, UserId};
use crate::{ContactId, ConversationId, PostId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Actor {
    /// A logged-in user (agent or admin).
    User(UserId),
    /// The customer, by writing (a post joined or reopened the case).
    Customer(ContactId),
    /// Rapport itself: routing, auto-close, round-robin assignment.
    System,
}

/// What changed. Each variant holds the value before and after, so the log reads on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum CaseChange {
    Opened {
        conversation_id: ConversationId,
        contact_id: ContactId,
        priority: Priority,
    },
    Status {
        from: CaseStatus,
        to: CaseStatus,
        action: CaseAction,
    },
    Priority {
        from: Priority,
        to: Priority,
    },
    Assignee {
        from: Option<UserId>,
        to: Option<UserId>,
    },
    Team {
        from: Option<TeamId>,
        to: Option<TeamId>,
    },
    TagAdded {
        tag: String,
    },
    TagRemoved {
        tag: String,
    },
    /// A post of the conversation was attached to the case.
    PostJoined {
        post_id: PostId,
    },
    /// An internal note (never published) was written.
    NoteAdded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub case_id: CaseId,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub change: CaseChange,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user {id}"),
            Actor::Customer(id) => write!(f, "contact {id}"),
            Actor::System => f.write_str("system"),
        }
    }
}

fn opt<T: fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "nobody".to_string(), T::to_string)
}

impl fmt::Display for CaseChange {
    /// One line for the case page's history, e.g. `status open -> pending (await_customer)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseChange::Opened {
                conversation_id,
                priority,
                ..
            } => write!(
                f,
                "opened from conversation {conversation_id} with priority {priority}"
            ),
            CaseChange::Status { from, to, action } => {
                write!(f, "status {from} -> {to} ({action})")
            }
            CaseChange::Priority { from, to } => write!(f, "priority {from} -> {to}"),
            CaseChange::Assignee { from, to } => {
                write!(f, "assignee {} -> {}", opt(from), opt(to))
            }
            CaseChange::Team { from, to } => write!(f, "team {} -> {}", opt(from), opt(to)),
            CaseChange::TagAdded { tag } => write!(f, "tag +{tag}"),
            CaseChange::TagRemoved { tag } => write!(f, "tag -{tag}"),
            CaseChange::PostJoined { post_id } => write!(f, "post {post_id} joined"),
            CaseChange::NoteAdded => f.write_str("internal note added"),
        }
    }
}

impl fmt::Display for CaseEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} case {}: {} by {}",
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            self.case_id,
            self.change,
            self.actor
        )
    }
}
