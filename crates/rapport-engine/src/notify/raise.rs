//! Which notifications a change to a case raises, and for whom.
//!
//! - `Assignee { to: Some(u) }` tells `u`, unless `u` made the change (taking a case);
//! - a customer's post joining an assigned case tells its assignee (not when the same post
//!   opened the case: that case is new, and its assignment says so);
//! - a note's `@name` tells that user, unless they wrote it; inactive users are not told;
//! - an SLA turning at risk or breached tells the assignee, or every member of the case's
//!   team while nobody has it.
//!
//! Each carries a dedupe key naming its event, so a repeated raise records nothing new.

use crate::care::Result;
use rapport_domain::care::{CaseRecord, Note};
use rapport_domain::notify::{NewNotification, NotificationKind, mentions};
use rapport_domain::{Actor, CaseChange, CaseEvent, SlaState, UserId};
use rapport_store::Store;

async fn name(store: &dyn Store, user: UserId) -> Result<String> {
    Ok(store
        .users()
        .user(user)
        .await?
        .map_or_else(|| format!("user {user}"), |u| u.display_name))
}

/// The notifications `events`, just saved on `record`, raise.
pub(crate) async fn from_case_events(
    store: &dyn Store,
    record: &CaseRecord,
    events: &[CaseEvent],
) -> Result<Vec<NewNotification>> {
    let case = &record.case;
    let opened = events
        .iter()
        .any(|e| matches!(e.change, CaseChange::Opened { .. }));
    let mut out = Vec::new();
    for e in events {
        match &e.change {
            CaseChange::Assignee { to: Some(to), .. } if e.actor != Actor::User(*to) => {
                let by = match e.actor {
                    Actor::User(u) => {
                        format!(" by {}", name(store, u).await?)
                    }
                    _ => String::new(),
                };
                out.push(NewNotification {
                    user: *to,
                    kind: NotificationKind::Assigned,
                    case_id: Some(case.id),
                    actor: match e.actor {
                        Actor::User(u) => Some(u),
                        _ => None,
                    },
                    summary: format!("Case {} was assigned to you{by}", case.id),
                    dedupe_key: format!("assigned:{}:{}:{}", case.id, to, e.at.timestamp_millis()),
                    at: e.at,
                });
            }
            CaseChange::PostJoined { post_id } if !opened => {
                if let (Actor::Customer(_), Some(assignee)) = (e.actor, case.assignee) {
                    out.push(NewNotification {
                        user: assignee,
                        kind: NotificationKind::CustomerReplied,
                        case_id: Some(case.id),
                        actor: None,
                        summary: format!("The customer wrote again on case {}", case.id),
                        dedupe_key: format!("post:{post_id}:{assignee}"),
                        at: e.at,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The users `@mentioned` in `note` (by user name, any case), the author aside.
pub(crate) async fn mentioned_in_note(
    store: &dyn Store,
    note: &Note,
) -> Result<Vec<NewNotification>> {
    let names = mentions(&note.body);
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let users = store.users().users().await?;
    let author = name(store, note.author).await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active && u.id != note.author && names.contains(&u.name.to_lowercase()))
        .map(|u| NewNotification {
            user: u.id,
            kind: NotificationKind::Mentioned,
            case_id: Some(note.case_id),
            actor: Some(note.author),
            summary: format!("{author} mentioned you in a note on case {}", note.case_id),
            dedupe_key: format!("note:{}:{}", note.id.0, u.id),
            at: note.created_at,
        })
        .collect())
}

/// What a case's SLA state moving from `before` to the state `record` holds now raises.
pub(crate) async fn sla_changed(
    store: &dyn Store,
    before: Option<SlaState>,
    record: &CaseRecord,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<NewNotification>> {
    let after = record.sla.state;
    let kind = match after {
        Some(SlaState::AtRisk) => NotificationKind::SlaAtRisk,
        Some(SlaState::Breached) => NotificationKind::SlaBreached,
        _ => return Ok(Vec::new()),
    };
    if before == after || !record.case.status.is_active() {
        return Ok(Vec::new());
    }
    let case = &record.case;
    let (users, whose) = match (case.assignee, case.team) {
        (Some(u), _) => (vec![u], "your case"),
        (None, Some(team)) => (
            store
                .settings()
                .team(team)
                .await?
                .map(|t| t.members)
                .unwrap_or_default(),
            "your team's case",
        ),
        (None, None) => (Vec::new(), ""),
    };
    let what = match kind {
        NotificationKind::SlaAtRisk => "is about to breach its SLA",
        _ => "breached its SLA",
    };
    // One per clock episode: the instant it is due names it.
    let due = record.sla.next_due.map_or(0, |d| d.timestamp_millis());
    Ok(users
        .into_iter()
        .map(|user| NewNotification {
            user,
            kind,
            case_id: Some(case.id),
            actor: None,
            summary: format!("Case {} ({whose}) {what}", case.id),
            dedupe_key: format!("sla:{}:{}:{due}", case.id, kind.as_str()),
            at,
        })
        .collect())
}
