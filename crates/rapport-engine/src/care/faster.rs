//! Faster replies: the case page's "Send and resolve", "Send and next case", the next case
//! opened after a resolve, and the sidebar's fields saved in one go.
//!
//! **The next case.** An agent's queue is the active cases (new, open, pending) assigned to
//! them together with the unassigned ones, in the inbox's default order: most urgent first,
//! the longest open first within a priority (the order of [`InboxSort::Priority`], the same
//! keys and cursor the inbox pages with). The next case after case `c` is the first case of
//! that queue placed after `c`'s own place in the order, whether or not `c` is still active
//! (a resolved case keeps its place: its priority and opening time). Walking forward, never
//! back to the top, means an agent pressing "Send and next" again and again goes through the
//! queue once instead of bouncing between two open cases. When nothing follows, there is no
//! next case and the agent goes back to the inbox, where anything newer shows. Team queues are
//! not part of it: the unassigned view is the one every agent works from.

use super::{Before, Care, CareError, Result};
use chrono::{DateTime, Utc};
use rapport_domain::care::{
    CaseRecord, InboxCursor, InboxQuery, InboxSort, InboxView, OutboxEntry, PageStart, prio_key,
};
use rapport_domain::{Actor, CaseAction, CaseEvent, CaseId, CaseStatus, Priority, TeamId, UserId};
use std::collections::BTreeSet;

/// What "Send and resolve" did.
#[derive(Debug, Clone)]
pub struct SentAndResolved {
    /// The reply, queued in the outbox.
    pub reply: OutboxEntry,
    /// The case as it was saved, resolved.
    pub record: CaseRecord,
    /// The case as the reply left it, before the resolve: what an undo of the resolve puts
    /// back (the reply itself is on its way and is not taken back).
    pub before: Before,
    /// Whether this call resolved it (`false`: it was resolved already).
    pub resolved: bool,
}

/// The sidebar's fields, saved together ([`Care::save_fields`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFields {
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    pub priority: Priority,
    /// The case's whole set of tags afterwards: tags not in it are removed.
    pub tags: Vec<String>,
}

impl Care {
    /// Queues a reply and resolves the case, for the composer's "Send and resolve". The
    /// version the agent read ([`Care::at_version`]) is checked before anything is queued, and
    /// a case that cannot be resolved (closed) is refused before the reply goes out. The reply
    /// is queued as [`Care::queue_reply`] does (same idempotency key rules; a new case is
    /// opened by it); the resolve is then saved on the version the reply left.
    pub async fn send_and_resolve(
        &self,
        id: CaseId,
        author: UserId,
        body: &str,
        idempotency_key: &str,
        at: DateTime<Utc>,
    ) -> Result<SentAndResolved> {
        let record = self.case_to_change(id).await?;
        let status = record.case.status;
        if status != CaseStatus::Resolved {
            // Refused up front: a reply should not go out when the resolve that goes with it
            // cannot be made.
            status.transition(CaseAction::Resolve)?;
        }
        let reply = self
            .queue_reply(id, author, body, idempotency_key, at)
            .await?;
        let replied = self.load(id).await?;
        if replied.case.status == CaseStatus::Resolved {
            return Ok(SentAndResolved {
                reply,
                before: Before::of(&replied.case),
                record: replied,
                resolved: false,
            });
        }
        let before = Before::of(&replied.case);
        let record = self
            .at_version(Some(replied.version))
            .apply(id, CaseAction::Resolve, author, at)
            .await?;
        Ok(SentAndResolved {
            reply,
            record,
            before,
            resolved: true,
        })
    }

    /// The next case of `me`'s queue after case `after` (see the module's documentation for
    /// what the queue and "next" are); `None` when nothing follows.
    pub async fn next_case(&self, me: UserId, after: CaseId) -> Result<Option<CaseId>> {
        let here = self.load(after).await?;
        let cursor = InboxCursor {
            key: prio_key(here.case.priority, here.case.opened_at),
            id: after,
        };
        let mut best: Option<(i64, CaseId)> = None;
        for view in [InboxView::Mine(me), InboxView::Unassigned] {
            let page = self
                .store
                .inbox()
                .inbox(&InboxQuery {
                    view,
                    sort: InboxSort::Priority,
                    limit: 1,
                    start: PageStart::After(cursor),
                })
                .await?;
            // The priority order is descending on (key, id): the first of the two lists'
            // heads is the one with the greater pair.
            if let Some(item) = page.items.first() {
                let key = (prio_key(item.priority, item.opened_at), item.id);
                if best.is_none_or(|b| key > b) {
                    best = Some(key);
                }
            }
        }
        Ok(best.map(|(_, id)| id))
    }

    /// Saves the sidebar's fields (assignee, team, priority and the whole set of tags) in one
    /// save with one audit event per change, conditional on the version read
    /// ([`Care::at_version`]). Nothing is saved when one of them is refused (an unknown team,
    /// a bad tag).
    pub async fn save_fields(
        &self,
        id: CaseId,
        fields: &CaseFields,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<CaseRecord> {
        if let Some(t) = fields.team
            && self.store.settings().team(t).await?.is_none()
        {
            return Err(CareError::NoSuchTeam(t));
        }
        self.change(id, at, |c| {
            let actor = Actor::User(by);
            let mut events: Vec<CaseEvent> = Vec::new();
            events.extend(c.assign(fields.assignee, actor, at));
            events.extend(c.set_team(fields.team, actor, at));
            events.extend(c.set_priority(fields.priority, actor, at));
            let mut wanted = BTreeSet::new();
            for tag in &fields.tags {
                // Normalized as the case keeps it (trimmed, lowercase); a bad tag fails here.
                if let Some(e) = c.add_tag(tag, actor, at)? {
                    events.push(e);
                }
                wanted.insert(tag.trim().to_lowercase());
            }
            let gone: Vec<String> = c.tags.difference(&wanted).cloned().collect();
            for tag in gone {
                events.extend(c.remove_tag(&tag, actor, at)?);
            }
            Ok(events)
        })
        .await
    }
}
