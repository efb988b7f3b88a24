//! Inbox actions: every change goes through the domain's `Case` methods, so it produces its
//! audit event, is saved with a version check (two agents cannot overwrite each other), has
//! its SLA clocks read again, and is announced on the live channel.

use super::{Care, CareError, ChangeKind, Result};
use chrono::{DateTime, Utc};
use rapport_domain::care::{CaseRecord, ContactFields, InboxCounts, InboxPage, InboxQuery, Note};
use rapport_domain::publish::PublishEntry;
use rapport_domain::{
    Actor, Case, CaseAction, CaseEvent, CaseId, Contact, Priority, StoredPost, TeamId, UserId,
};
use serde::Serialize;
use std::collections::BTreeSet;

/// What a case was like before an agent's action, kept so the agent can take the action back
/// ([`Care::undo`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Before {
    pub status: rapport_domain::CaseStatus,
    pub assignee: Option<UserId>,
    pub priority: Priority,
    pub tags: BTreeSet<String>,
}

impl Before {
    pub fn of(case: &Case) -> Before {
        Before {
            status: case.status,
            assignee: case.assignee,
            priority: case.priority,
            tags: case.tags.clone(),
        }
    }
}

/// Everything the case page shows.
#[derive(Debug, Clone, Serialize)]
pub struct CasePage {
    pub record: CaseRecord,
    /// The case's posts, oldest first (customer posts and agent replies).
    pub posts: Vec<StoredPost>,
    pub events: Vec<CaseEvent>,
    pub notes: Vec<Note>,
    /// The case's replies with their publishing state (and, once sent, their link).
    pub replies: Vec<PublishEntry>,
    pub contact: Option<Contact>,
    pub contact_fields: Option<ContactFields>,
}

impl Care {
    pub(crate) async fn load(&self, id: CaseId) -> Result<CaseRecord> {
        self.store
            .cases()
            .case(id)
            .await?
            .ok_or(CareError::NoSuchCase(id))
    }

    /// The case to change: `Conflict` when it is no longer at the version the caller expects
    /// ([`Care::at_version`]). Its `version` is then the expected one, which the save is
    /// conditional on, so a change made between this read and the save is caught too.
    pub async fn case_to_change(&self, id: CaseId) -> Result<CaseRecord> {
        let record = self.load(id).await?;
        match self.expected {
            Some(v) if v != record.version => Err(CareError::Conflict(format!(
                "case {id} is at version {}, not {v}: someone changed it; read it again",
                record.version
            ))),
            _ => Ok(record),
        }
    }

    pub async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>> {
        Ok(self.store.cases().case(id).await?)
    }

    pub async fn inbox(&self, query: &InboxQuery) -> Result<InboxPage> {
        Ok(self.store.inbox().inbox(query).await?)
    }

    pub async fn counts(&self, me: Option<UserId>) -> Result<InboxCounts> {
        Ok(self.store.inbox().inbox_counts(me).await?)
    }

    pub async fn case_page(&self, id: CaseId) -> Result<CasePage> {
        let record = self.load(id).await?;
        let links = self.store.cases().case_posts(id).await?;
        let mut posts = Vec::with_capacity(links.len());
        for link in links {
            if let Some(p) = self.store.posts().post(link.post_id).await? {
                posts.push(p);
            }
        }
        Ok(CasePage {
            events: self.store.cases().case_events(id).await?,
            notes: self.store.notes().notes(id).await?,
            replies: self.store.publish().case_publish_entries(id).await?,
            contact: self
                .store
                .contacts()
                .contact(record.case.contact_id)
                .await?,
            contact_fields: self
                .store
                .contact_book()
                .contact_fields(record.case.contact_id)
                .await?,
            posts,
            record,
        })
    }

    /// Applies `change` to the case at `at`; saves and announces only when it produced events.
    pub(super) async fn change<F>(
        &self,
        id: CaseId,
        at: DateTime<Utc>,
        change: F,
    ) -> Result<CaseRecord>
    where
        F: FnOnce(&mut Case) -> Result<Vec<CaseEvent>>,
    {
        let mut record = self.case_to_change(id).await?;
        let events = change(&mut record.case)?;
        if events.is_empty() {
            return Ok(record);
        }
        let rules = self.rules().await?;
        self.reevaluate(&mut record, &[], &events, &rules, at)
            .await?;
        let saved = self.store.cases().save_case(&record, &[], &events).await?;
        self.announce(&saved, ChangeKind::Updated, at);
        self.notify_events(&saved, &events).await;
        Ok(saved)
    }

    /// Assigns the case to an agent (`None` unassigns).
    pub async fn assign(
        &self,
        id: CaseId,
        to: Option<UserId>,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<CaseRecord> {
        self.change(id, at, |c| {
            Ok(c.assign(to, Actor::User(by), at).into_iter().collect())
        })
        .await
    }

    /// Moves the case to a team's queue (`None` takes it off any).
    pub async fn set_team(
        &self,
        id: CaseId,
        team: Option<TeamId>,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<CaseRecord> {
        if let Some(t) = team
            && self.store.settings().team(t).await?.is_none()
        {
            return Err(CareError::NoSuchTeam(t));
        }
        self.change(id, at, |c| {
            Ok(c.set_team(team, Actor::User(by), at).into_iter().collect())
        })
        .await
    }

    /// Assigns the case to the next member of its team in turn.
    pub async fn assign_round_robin(
        &self,
        id: CaseId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<CaseRecord> {
        let record = self.case_to_change(id).await?;
        let team = record
            .case
            .team
            .ok_or_else(|| CareError::invalid("team", format!("case {id} is in no team")))?;
        let next = self.store.settings().next_round_robin(team).await?;
        self.assign(id, next, by, at).await
    }

    /// Moves the status through the domain state machine (open, await customer, resolve,
    /// reopen, close).
    pub async fn apply(
        &self,
        id: CaseId,
        action: CaseAction,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<CaseRecord> {
        self.change(id, at, |c| {
            Ok(c.apply(action, Actor::User(by), at)?.into_iter().collect())
        })
        .await
    }

    pub async fn set_priority(
        &self,
        id: CaseId,
        priority: Priority,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<CaseRecord> {
        self.change(id, at, |c| {
            Ok(c.set_priority(priority, Actor::User(by), at)
                .into_iter()
                .collect())
        })
        .await
    }

    pub async fn add_tag(
        &self,
        id: CaseId,
        tag: &str,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<CaseRecord> {
        self.change(id, at, |c| {
            Ok(c.add_tag(tag, Actor::User(by), at)?.into_iter().collect())
        })
        .await
    }

    pub async fn remove_tag(
        &self,
        id: CaseId,
        tag: &str,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<CaseRecord> {
        self.change(id, at, |c| {
            Ok(c.remove_tag(tag, Actor::User(by), at)?
                .into_iter()
                .collect())
        })
        .await
    }

    /// Takes an action back: the status, assignee, priority and tags the case had `before` it,
    /// in one save with one audit event per change. Call it on [`Care::at_version`] with the
    /// version the action left, so a case someone changed since is refused (`Conflict`).
    pub async fn undo(
        &self,
        id: CaseId,
        before: &Before,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<CaseRecord> {
        self.change(id, at, |c| {
            let actor = Actor::User(by);
            let mut events = Vec::new();
            events.extend(c.restore_status(before.status, actor, at));
            events.extend(c.assign(before.assignee, actor, at));
            events.extend(c.set_priority(before.priority, actor, at));
            let added: Vec<String> = c.tags.difference(&before.tags).cloned().collect();
            for tag in added {
                events.extend(c.remove_tag(&tag, actor, at)?);
            }
            let removed: Vec<String> = before.tags.difference(&c.tags).cloned().collect();
            for tag in removed {
                events.extend(c.add_tag(&tag, actor, at)?);
            }
            Ok(events)
        })
        .await
    }

    /// Writes an internal note (never published) with its audit event.
    pub async fn add_note(
        &self,
        id: CaseId,
        author: UserId,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<Note> {
        let body = body.trim();
        if body.is_empty() {
            return Err(CareError::invalid("note", "the note is empty"));
        }
        let record = self.case_to_change(id).await?;
        let event = record.case.note_added(Actor::User(author), at);
        let note = self
            .store
            .notes()
            .add_note(id, author, body, &event)
            .await?;
        self.announce(&record, ChangeKind::NoteAdded, at);
        match crate::notify::mentioned_in_note(&*self.store, &note).await {
            Ok(notes) => self.notifier.raise(notes).await,
            Err(e) => tracing::warn!(case_id = %id, error = %e, "mentions not notified"),
        }
        Ok(note)
    }
}
