//! Cases: the unit of care work. A case gathers the posts of one conversation that need an
//! answer, moves through a small state machine, and records every change as an audit event.

mod event;
mod ids;
mod record;
mod routing;

pub use event::{Actor, CaseChange, CaseEvent};
pub use ids::{CaseId, NoteId, ReplyId, SavedReplyId, TeamId, UserId};
pub use record::{Case, TagError};
pub use routing::{
    CaseDecision, CaseSnapshot, DEFAULT_REOPEN_WINDOW_DAYS, default_reopen_window, is_history,
    next_round_robin, on_agent_reply, on_customer_post,
};

use crate::Urgency;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Where a case stands.
///
/// ```text
/// new ──open──> open ──await_customer──> pending ──customer_replied / open──> open
///  │             │                          │
///  └──resolve────┴────────resolve───────────┴──> resolved ──close──> closed (final)
///                                                    └──reopen──> open
/// ```
/// `new` may also go straight to `pending` (the first answer already asks the customer
/// something). `closed` is final: a customer who writes after that gets a new case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    New,
    Open,
    /// Waiting on the customer; SLA clocks are paused.
    Pending,
    Resolved,
    Closed,
}

/// What someone (or something) does to a case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseAction {
    /// An agent takes the case up (from new), or takes it back from pending.
    Open,
    /// The agent now waits on the customer.
    AwaitCustomer,
    /// The customer wrote on a case that is not resolved: a pending case opens again, a new or
    /// open one stays as it is.
    CustomerReplied,
    Resolve,
    /// A resolved case opens again (the customer wrote back within the reopen window, or an agent
    /// decided so).
    Reopen,
    /// A resolved case is archived for good.
    Close,
    /// An agent took back a change they had just made: the case is put back in the status it
    /// had before ([`Case::restore_status`]); never a move of its own in [`CaseStatus::transition`].
    Undo,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("cannot apply '{action}' to a {from} case")]
    IllegalTransition {
        from: CaseStatus,
        action: CaseAction,
    },
    #[error("unknown case status '{0}' (expected new, open, pending, resolved or closed)")]
    UnknownStatus(String),
    #[error("unknown priority '{0}' (expected urgent, high, normal or low)")]
    UnknownPriority(String),
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] = [
        Self::New,
        Self::Open,
        Self::Pending,
        Self::Resolved,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Open => "open",
            Self::Pending => "pending",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    /// The status after `action`, or the reason the move is not allowed.
    pub fn transition(self, action: CaseAction) -> Result<CaseStatus, CaseError> {
        use CaseAction as A;
        use CaseStatus as S;
        let next = match (self, action) {
            (S::New | S::Pending, A::Open) => S::Open,
            (S::New | S::Open, A::AwaitCustomer) => S::Pending,
            (S::New | S::Open, A::CustomerReplied) => self,
            (S::Pending, A::CustomerReplied) => S::Open,
            (S::New | S::Open | S::Pending, A::Resolve) => S::Resolved,
            (S::Resolved, A::Reopen) => S::Open,
            (S::Resolved, A::Close) => S::Closed,
            _ => return Err(CaseError::IllegalTransition { from: self, action }),
        };
        Ok(next)
    }

    /// Someone still has to act on the case (it shows in the open inbox views).
    pub fn is_active(self) -> bool {
        matches!(self, Self::New | Self::Open | Self::Pending)
    }

    /// SLA clocks count business time only in these states; pending, resolved and closed pause
    /// them.
    pub fn clocks_run(self) -> bool {
        matches!(self, Self::New | Self::Open)
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseStatus {
    type Err = CaseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| CaseError::UnknownStatus(s.to_string()))
    }
}

impl CaseAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::AwaitCustomer => "await_customer",
            Self::CustomerReplied => "customer_replied",
            Self::Resolve => "resolve",
            Self::Reopen => "reopen",
            Self::Close => "close",
            Self::Undo => "undo",
        }
    }
}

impl fmt::Display for CaseAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How soon a case needs an answer. Ordered `Low < Normal < High < Urgent`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Self::Urgent, Self::High, Self::Normal, Self::Low];

    /// The priority a new case starts with, seeded from the classifier's urgency.
    pub fn from_urgency(urgency: Urgency) -> Priority {
        match urgency {
            Urgency::Low => Self::Low,
            Urgency::Normal => Self::Normal,
            Urgency::High => Self::High,
            Urgency::Urgent => Self::Urgent,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = CaseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| CaseError::UnknownPriority(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseAction as A;
    use CaseStatus as S;

    #[test]
    fn every_status_and_action_pair_follows_the_table() {
        // (from, action, expected next status or None for an illegal move)
        let table: &[(S, A, Option<S>)] = &[
            (S::New, A::Open, Some(S::Open)),
            (S::New, A::AwaitCustomer, Some(S::Pending)),
            (S::New, A::CustomerReplied, Some(S::New)),
            (S::New, A::Resolve, Some(S::Resolved)),
            (S::New, A::Reopen, None),
            (S::New, A::Close, None),
            (S::Open, A::Open, None),
            (S::Open, A::AwaitCustomer, Some(S::Pending)),
            (S::Open, A::CustomerReplied, Some(S::Open)),
            (S::Open, A::Resolve, Some(S::Resolved)),
            (S::Open, A::Reopen, None),
            (S::Open, A::Close, None),
            (S::Pending, A::Open, Some(S::Open)),
            (S::Pending, A::AwaitCustomer, None),
            (S::Pending, A::CustomerReplied, Some(S::Open)),
            (S::Pending, A::Resolve, Some(S::Resolved)),
            (S::Pending, A::Reopen, None),
            (S::Pending, A::Close, None),
            (S::Resolved, A::Open, None),
            (S::Resolved, A::AwaitCustomer, None),
            (S::Resolved, A::CustomerReplied, None),
            (S::Resolved, A::Resolve, None),
            (S::Resolved, A::Reopen, Some(S::Open)),
            (S::Resolved, A::Close, Some(S::Closed)),
            (S::Closed, A::Open, None),
            (S::Closed, A::AwaitCustomer, None),
            (S::Closed, A::CustomerReplied, None),
            (S::Closed, A::Resolve, None),
            (S::Closed, A::Reopen, None),
            (S::Closed, A::Close, None),
        ];
        assert_eq!(table.len(), 30, "every pair is listed once");
        for &(from, action, expected) in table {
            let got = from.transition(action);
            match expected {
                Some(to) => assert_eq!(got, Ok(to), "{from} + {action}"),
                None => assert_eq!(
                    got,
                    Err(CaseError::IllegalTransition { from, action }),
                    "{from} + {action}"
                ),
            }
        }
    }

    #[test]
    fn illegal_moves_say_what_was_tried() {
        let err = S::Closed.transition(A::Reopen).unwrap_err();
        assert_eq!(err.to_string(), "cannot apply 'reopen' to a closed case");
        let err = S::Pending.transition(A::AwaitCustomer).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot apply 'await_customer' to a pending case"
        );
    }

    #[test]
    fn priority_follows_urgency_and_orders() {
        assert_eq!(Priority::from_urgency(Urgency::Urgent), Priority::Urgent);
        assert_eq!(Priority::from_urgency(Urgency::High), Priority::High);
        assert_eq!(Priority::from_urgency(Urgency::Normal), Priority::Normal);
        assert_eq!(Priority::from_urgency(Urgency::Low), Priority::Low);
        assert!(Priority::Urgent > Priority::High && Priority::Normal > Priority::Low);
        assert_eq!("URGENT".parse::<Priority>().unwrap(), Priority::Urgent);
        assert_eq!(
            "soon".parse::<Priority>().unwrap_err().to_string(),
            "unknown priority 'soon' (expected urgent, high, normal or low)"
        );
        assert_eq!("Pending".parse::<CaseStatus>().unwrap(), S::Pending);
    }

    #[test]
    fn only_new_and_open_run_the_clocks() {
        let running: Vec<_> = S::ALL.into_iter().filter(|s| s.clocks_run()).collect();
        assert_eq!(running, [S::New, S::Open]);
        let active: Vec<_> = S::ALL.into_iter().filter(|s| s.is_active()).collect();
        assert_eq!(active, [S::New, S::Open, S::Pending]);
    }
}
