//! A case's current state, changed only through methods that return the audit event of the
//! change, so no change can happen without its log line.

use super::{
    Actor, CaseAction, CaseChange, CaseError, CaseEvent, CaseId, CaseSnapshot, CaseStatus,
    Priority, TeamId, UserId,
};
use crate::{ContactId, ConversationId, PostId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub status: CaseStatus,
    /// When `status` was last changed (for a resolved case: when it was resolved).
    pub status_since: DateTime<Utc>,
    pub priority: Priority,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    /// Lowercase, without whitespace, kept sorted.
    pub tags: BTreeSet<String>,
    pub opened_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("tag is empty")]
    Empty,
    #[error("tag '{tag}' contains whitespace at character {position}")]
    Whitespace { tag: String, position: usize },
    #[error("tag '{0}' is longer than 64 characters")]
    TooLong(String),
}

/// Tags are compared case-insensitively, so they are stored lowercased.
fn normalize_tag(tag: &str) -> Result<String, TagError> {
    let tag = tag.trim();
    if tag.is_empty() {
        return Err(TagError::Empty);
    }
    if let Some(position) = tag.chars().position(char::is_whitespace) {
        return Err(TagError::Whitespace {
            tag: tag.to_string(),
            position: position + 1,
        });
    }
    if tag.chars().count() > 64 {
        return Err(TagError::TooLong(tag.to_string()));
    }
    Ok(tag.to_lowercase())
}

impl Case {
    /// A new case for a conversation, with the `opened` event that starts its log.
    pub fn open(
        id: CaseId,
        conversation_id: ConversationId,
        contact_id: ContactId,
        priority: Priority,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> (Case, CaseEvent) {
        let case = Case {
            id,
            conversation_id,
            contact_id,
            status: CaseStatus::New,
            status_since: at,
            priority,
            assignee: None,
            team: None,
            tags: BTreeSet::new(),
            opened_at: at,
        };
        let event = case.event(
            actor,
            at,
            CaseChange::Opened {
                conversation_id,
                contact_id,
                priority,
            },
        );
        (case, event)
    }

    fn event(&self, actor: Actor, at: DateTime<Utc>, change: CaseChange) -> CaseEvent {
        CaseEvent {
            case_id: self.id,
            at,
            actor,
            change,
        }
    }

    /// What routing needs to know about this case.
    pub fn snapshot(&self) -> CaseSnapshot {
        CaseSnapshot {
            id: self.id,
            status: self.status,
            status_since: self.status_since,
        }
    }

    /// Moves the status. `Ok(None)` when the action is legal but changes nothing (the customer
    /// wrote on a case that is already open).
    pub fn apply(
        &mut self,
        action: CaseAction,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<Option<CaseEvent>, CaseError> {
        let from = self.status;
        let to = from.transition(action)?;
        if to == from {
            return Ok(None);
        }
        self.status = to;
        self.status_since = at;
        Ok(Some(self.event(
            actor,
            at,
            CaseChange::Status { from, to, action },
        )))
    }

    /// Puts the status back to `to`, what it was before a change the same agent is taking
    /// back (an undo). Any status may be restored, since it is one the case held a moment
    /// ago; the caller makes sure of that. `None` when the status already is `to`.
    pub fn restore_status(
        &mut self,
        to: CaseStatus,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Option<CaseEvent> {
        let from = self.status;
        if from == to {
            return None;
        }
        self.status = to;
        self.status_since = at;
        Some(self.event(
            actor,
            at,
            CaseChange::Status {
                from,
                to,
                action: CaseAction::Undo,
            },
        ))
    }

    /// `None` when the priority is already `to`.
    pub fn set_priority(
        &mut self,
        to: Priority,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Option<CaseEvent> {
        let from = std::mem::replace(&mut self.priority, to);
        (from != to).then(|| self.event(actor, at, CaseChange::Priority { from, to }))
    }

    /// Assigns an agent (`None` unassigns); `None` when nothing changes.
    pub fn assign(
        &mut self,
        to: Option<UserId>,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Option<CaseEvent> {
        let from = std::mem::replace(&mut self.assignee, to);
        (from != to).then(|| self.event(actor, at, CaseChange::Assignee { from, to }))
    }

    /// Moves the case to a team's queue (`None` takes it off any); `None` when nothing changes.
    pub fn set_team(
        &mut self,
        to: Option<TeamId>,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Option<CaseEvent> {
        let from = std::mem::replace(&mut self.team, to);
        (from != to).then(|| self.event(actor, at, CaseChange::Team { from, to }))
    }

    /// `Ok(None)` when the case already has the tag.
    pub fn add_tag(
        &mut self,
        tag: &str,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<Option<CaseEvent>, TagError> {
        let tag = normalize_tag(tag)?;
        if !self.tags.insert(tag.clone()) {
            return Ok(None);
        }
        Ok(Some(self.event(actor, at, CaseChange::TagAdded { tag })))
    }

    /// `Ok(None)` when the case does not have the tag.
    pub fn remove_tag(
        &mut self,
        tag: &str,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<Option<CaseEvent>, TagError> {
        let tag = normalize_tag(tag)?;
        if !self.tags.remove(&tag) {
            return Ok(None);
        }
        Ok(Some(self.event(actor, at, CaseChange::TagRemoved { tag })))
    }

    /// The event for a post attached to this case (the post list itself lives in the store).
    pub fn join_post(&self, post_id: PostId, actor: Actor, at: DateTime<Utc>) -> CaseEvent {
        self.event(actor, at, CaseChange::PostJoined { post_id })
    }

    /// The event for an internal note (the note's text lives in the store).
    pub fn note_added(&self, actor: Actor, at: DateTime<Utc>) -> CaseEvent {
        self.event(actor, at, CaseChange::NoteAdded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 4, h, 0, 0).unwrap()
    }

    fn new_case() -> Case {
        let (case, event) = Case::open(
            CaseId(7),
            ConversationId(70),
            ContactId(700),
            Priority::High,
            Actor::System,
            t(9),
        );
        assert_eq!(
            event.change,
            CaseChange::Opened {
                conversation_id: ConversationId(70),
                contact_id: ContactId(700),
                priority: Priority::High
            }
        );
        assert_eq!(
            (event.case_id, event.at, event.actor),
            (CaseId(7), t(9), Actor::System)
        );
        case
    }

    #[test]
    fn every_change_produces_one_event_and_no_change_none() {
        let agent = Actor::User(UserId(1));
        let mut case = new_case();

        let ev = case.apply(CaseAction::Open, agent, t(10)).unwrap().unwrap();
        assert_eq!(
            ev.to_string(),
            "2024-03-04T10:00:00Z case 7: status new -> open (open) by user 1"
        );
        assert_eq!((case.status, case.status_since), (CaseStatus::Open, t(10)));
        assert_eq!(
            case.apply(
                CaseAction::CustomerReplied,
                Actor::Customer(ContactId(700)),
                t(11)
            ),
            Ok(None)
        );
        assert_eq!(case.status_since, t(10), "a no-op keeps the status time");

        let ev = case.assign(Some(UserId(1)), agent, t(11)).unwrap();
        assert_eq!(
            ev.change,
            CaseChange::Assignee {
                from: None,
                to: Some(UserId(1))
            }
        );
        assert_eq!(case.assign(Some(UserId(1)), agent, t(11)), None);
        assert_eq!(ev.change.to_string(), "assignee nobody -> 1");

        let ev = case.set_team(Some(TeamId(3)), agent, t(11)).unwrap();
        assert_eq!(
            ev.change,
            CaseChange::Team {
                from: None,
                to: Some(TeamId(3))
            }
        );

        let ev = case.set_priority(Priority::Urgent, agent, t(12)).unwrap();
        assert_eq!(ev.change.to_string(), "priority high -> urgent");
        assert_eq!(case.set_priority(Priority::Urgent, agent, t(12)), None);

        let ev = case.add_tag(" Billing ", agent, t(12)).unwrap().unwrap();
        assert_eq!(
            ev.change,
            CaseChange::TagAdded {
                tag: "billing".into()
            }
        );
        assert_eq!(case.add_tag("BILLING", agent, t(12)), Ok(None));
        assert_eq!(case.remove_tag("refund", agent, t(12)), Ok(None));
        let ev = case.remove_tag("billing", agent, t(13)).unwrap().unwrap();
        assert_eq!(ev.change.to_string(), "tag -billing");
        assert!(case.tags.is_empty());
    }

    #[test]
    fn illegal_moves_leave_the_case_untouched() {
        let mut case = new_case();
        let before = case.clone();
        let err = case
            .apply(CaseAction::Close, Actor::System, t(10))
            .unwrap_err();
        assert_eq!(err.to_string(), "cannot apply 'close' to a new case");
        assert_eq!(case, before);
    }

    #[test]
    fn bad_tags_name_the_problem() {
        let mut case = new_case();
        let a = Actor::System;
        assert_eq!(case.add_tag("  ", a, t(9)), Err(TagError::Empty));
        let err = case.add_tag("late delivery", a, t(9)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tag 'late delivery' contains whitespace at character 5"
        );
        assert!(matches!(
            case.add_tag(&"x".repeat(65), a, t(9)),
            Err(TagError::TooLong(_))
        ));
    }

    #[test]
    fn events_serialize_with_their_kind() {
        let case = new_case();
        let ev = case.join_post(PostId(5), Actor::Customer(ContactId(700)), t(9));
        let json = serde_json::to_value(&ev).unwrap();
        assert_eq!(json["change"]["change"], "post_joined");
        assert_eq!(json["change"]["post_id"], 5);
        assert_eq!(json["actor"]["kind"], "customer");
        let back: CaseEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, ev);
        assert_eq!(
            case.note_added(Actor::User(UserId(2)), t(9))
                .change
                .to_string(),
            "internal note added"
        );
    }
}
