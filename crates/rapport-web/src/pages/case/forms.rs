//! The case page's forms. Each calls one care use case (which writes its audit event), then
//! sends the browser back to the page with a flash, or shows the page again with the error
//! next to the form: refused status changes, bad tags, over-long replies and version
//! conflicts are messages, never server errors.
//!
//! Forms that change the case's state (assignment, team, status, priority) carry the version
//! the page showed: when another agent changed the case since, the change is refused and the
//! page shows what is there now, so nobody overwrites a decision they did not see.

use super::super::undo::Undoable;
use super::{FormError, Typed, failed, next, not_found, page, user_error};
use crate::AppState;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rapport_domain::care::ReplyId;
use rapport_domain::{CaseAction, CaseId, CaseStatus, Permission, Priority, TeamId, UserId};
use rapport_engine::accounts::Principal;
use rapport_engine::care::{Before, Care, CareError};
use serde::Deserialize;

/// Where a form's outcome goes: back to the page with `done`, or the page again with the
/// error.
async fn finish(
    state: &AppState,
    p: &Principal,
    id: i64,
    form: &'static str,
    result: Result<&'static str, CareError>,
    typed: Typed,
) -> Response {
    match result {
        Ok(done) => Redirect::to(&format!("/cases/{id}?done={done}")).into_response(),
        Err(CareError::NoSuchCase(_)) => not_found(p, id),
        Err(e) => match user_error(form, &e) {
            Some(fe) => page(state, p, id, "", Some(fe), typed).await,
            None => failed(p, e),
        },
    }
}

/// Shows the page again with `text` next to `form`.
async fn refuse(
    state: &AppState,
    p: &Principal,
    id: i64,
    form: &'static str,
    status: StatusCode,
    text: impl Into<String>,
    typed: Typed,
) -> Response {
    let error = FormError {
        status,
        form,
        text: text.into(),
    };
    page(state, p, id, "", Some(error), typed).await
}

/// `Err` with the conflict when the case moved on from the `version` the form was made at.
async fn check_version(care: &Care, id: CaseId, version: Option<i64>) -> Result<(), CareError> {
    let Some(version) = version else {
        return Ok(());
    };
    let record = care.case(id).await?.ok_or(CareError::NoSuchCase(id))?;
    if record.version != version {
        return Err(CareError::Conflict(format!(
            "case {id} is at version {}, the form at {version}",
            record.version
        )));
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
pub struct AssignForm {
    /// A user id, or empty to unassign.
    #[serde(default)]
    assignee: String,
    /// Present when "Assign to me" was pressed.
    to_me: Option<String>,
    version: Option<i64>,
}

/// `POST /cases/{id}/assign`.
pub async fn assign(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Response {
    let to = if f.to_me.is_some() {
        Some(p.user.id)
    } else if f.assignee.trim().is_empty() {
        None
    } else {
        let Ok(n) = f.assignee.trim().parse::<i64>() else {
            return refuse(
                &state,
                &p,
                id,
                "assign",
                StatusCode::BAD_REQUEST,
                "Choose an agent from the list.",
                Typed::default(),
            )
            .await;
        };
        match state.accounts.user(UserId(n)).await {
            Ok(u) if u.can(Permission::WriteCases) => Some(u.id),
            _ => {
                return refuse(
                    &state,
                    &p,
                    id,
                    "assign",
                    StatusCode::BAD_REQUEST,
                    "That user cannot work cases: choose an active agent.",
                    Typed::default(),
                )
                .await;
            }
        }
    };
    let care = state.engine.care();
    let result: Result<&'static str, CareError> = async {
        check_version(&care, CaseId(id), f.version).await?;
        care.assign(CaseId(id), to, p.user.id, Utc::now()).await?;
        Ok("assigned")
    }
    .await;
    finish(&state, &p, id, "assign", result, Typed::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    team: String,
    version: Option<i64>,
}

/// `POST /cases/{id}/team`.
pub async fn set_team(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<TeamForm>,
) -> Response {
    let team = match f.team.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) => Some(TeamId(n)),
            Err(_) => {
                return refuse(
                    &state,
                    &p,
                    id,
                    "team",
                    StatusCode::BAD_REQUEST,
                    "Choose a team from the list.",
                    Typed::default(),
                )
                .await;
            }
        },
    };
    let care = state.engine.care();
    let result: Result<&'static str, CareError> = async {
        check_version(&care, CaseId(id), f.version).await?;
        care.set_team(CaseId(id), team, p.user.id, Utc::now())
            .await?;
        Ok("team")
    }
    .await;
    finish(&state, &p, id, "team", result, Typed::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    action: String,
    version: Option<i64>,
}

/// The actions an agent may take from the page (`customer_replied` is the customer's).
fn parse_action(s: &str) -> Option<CaseAction> {
    [
        CaseAction::Open,
        CaseAction::AwaitCustomer,
        CaseAction::Resolve,
        CaseAction::Reopen,
        CaseAction::Close,
    ]
    .into_iter()
    .find(|a| a.as_str() == s.trim())
}

/// The status an action leads to from wherever it is allowed.
fn target(action: CaseAction) -> Option<CaseStatus> {
    match action {
        CaseAction::Open | CaseAction::Reopen => Some(CaseStatus::Open),
        CaseAction::AwaitCustomer => Some(CaseStatus::Pending),
        CaseAction::Resolve => Some(CaseStatus::Resolved),
        CaseAction::Close => Some(CaseStatus::Closed),
        CaseAction::CustomerReplied | CaseAction::Undo => None,
    }
}

/// `POST /cases/{id}/status`: a status change through the domain state machine.
pub async fn set_status(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Response {
    let Some(action) = parse_action(&f.action) else {
        return refuse(
            &state,
            &p,
            id,
            "status",
            StatusCode::BAD_REQUEST,
            "Unknown status change: use one of the buttons offered.",
            Typed::default(),
        )
        .await;
    };
    let care = state.engine.care();
    let result: Result<Option<String>, CareError> = async {
        check_version(&care, CaseId(id), f.version).await?;
        let record = care
            .case(CaseId(id))
            .await?
            .ok_or(CareError::NoSuchCase(CaseId(id)))?;
        // Two agents pressing "Resolve" at once: the second finds it done, not refused.
        if Some(record.case.status) == target(action) {
            return Ok(None);
        }
        let before = Before::of(&record.case);
        let after = care
            .apply(CaseId(id), action, p.user.id, Utc::now())
            .await?;
        Ok(state.undo.record(
            p.user.id,
            vec![Undoable {
                id: CaseId(id),
                version: after.version,
                before,
            }],
        ))
    }
    .await;
    match result {
        // A resolved case is done with: the next case of the queue opens.
        Ok(Some(token)) if action == CaseAction::Resolve => {
            next::to_next(&state, &p, id, next::Left::Resolved, Some(token)).await
        }
        Ok(Some(token)) => {
            Redirect::to(&format!("/cases/{id}?done=status&undo={token}")).into_response()
        }
        Ok(None) => finish(&state, &p, id, "status", Ok("unchanged"), Typed::default()).await,
        Err(e) => finish(&state, &p, id, "status", Err(e), Typed::default()).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PriorityForm {
    #[serde(default)]
    priority: String,
    version: Option<i64>,
}

/// `POST /cases/{id}/priority`.
pub async fn set_priority(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<PriorityForm>,
) -> Response {
    let care = state.engine.care();
    let result: Result<&'static str, CareError> = async {
        let priority: Priority = f.priority.trim().parse()?;
        check_version(&care, CaseId(id), f.version).await?;
        care.set_priority(CaseId(id), priority, p.user.id, Utc::now())
            .await?;
        Ok("priority")
    }
    .await;
    finish(&state, &p, id, "priority", result, Typed::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct TagForm {
    #[serde(default)]
    tag: String,
}

/// `POST /cases/{id}/tags`.
pub async fn add_tag(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<TagForm>,
) -> Response {
    let care = state.engine.care();
    let result = care
        .add_tag(CaseId(id), &f.tag, p.user.id, Utc::now())
        .await
        .map(|_| "tag-added");
    let typed = Typed {
        tag: f.tag,
        ..Typed::default()
    };
    finish(&state, &p, id, "tag", result, typed).await
}

/// `POST /cases/{id}/tags/remove`.
pub async fn remove_tag(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<TagForm>,
) -> Response {
    let care = state.engine.care();
    let result = care
        .remove_tag(CaseId(id), &f.tag, p.user.id, Utc::now())
        .await
        .map(|_| "tag-removed");
    finish(&state, &p, id, "tag", result, Typed::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
    /// The reply's idempotency key (the reply form only).
    #[serde(default)]
    key: String,
    /// The reply form's pressed button: empty (send), `resolve` or `next`.
    #[serde(default)]
    then: String,
    /// The version the reply form was made at ("Send and resolve" is checked against it).
    version: Option<i64>,
}

/// `POST /cases/{id}/notes`: an internal note, never published.
pub async fn add_note(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Response {
    let care = state.engine.care();
    let result = care
        .add_note(CaseId(id), p.user.id, &f.text, Utc::now())
        .await
        .map(|_| "note");
    let typed = Typed {
        note: f.text,
        ..Typed::default()
    };
    finish(&state, &p, id, "note", result, typed).await
}

/// `POST /cases/{id}/replies`: queues a reply in the outbox after the network's length check;
/// with `then=resolve` resolves the case too, with `then=next` goes on to the next case
/// (`next.rs`).
pub async fn queue_reply(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Response {
    let key = if f.key.trim().is_empty() {
        // A form without its key still sends once: a fresh key per request.
        hex::encode(rand::random::<[u8; 16]>())
    } else {
        f.key.clone()
    };
    match f.then.as_str() {
        "resolve" => return next::send_and_resolve(&state, &p, id, f.text, &key, f.version).await,
        "next" => return next::send_and_next(&state, &p, id, f.text, &key).await,
        _ => {}
    }
    let care = state.engine.care();
    let result = care
        .queue_reply(CaseId(id), p.user.id, &f.text, &key, Utc::now())
        .await
        .map(|_| "reply");
    let typed = Typed {
        reply: f.text,
        ..Typed::default()
    };
    finish(&state, &p, id, "reply", result, typed).await
}

/// `POST /cases/{id}/replies/{entry}/resend`: a failed reply, edited, goes back in the queue.
pub async fn resend_reply(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path((id, entry)): Path<(i64, i64)>,
    Form(f): Form<TextForm>,
) -> Response {
    let care = state.engine.care();
    let entry = ReplyId(entry);
    let result = match care.outbox_entry(entry).await {
        Ok(Some(e)) if e.entry.case_id == Some(CaseId(id)) => care
            .resend_reply(entry, &f.text, p.user.id, Utc::now())
            .await
            .map(|_| "resent"),
        Ok(_) => Err(CareError::Invalid {
            field: "reply",
            reason: format!("there is no reply {entry} on this case"),
        }),
        Err(e) => Err(e),
    };
    finish(&state, &p, id, "reply", result, Typed::default()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::case::CONFLICT_TEXT;

    #[test]
    fn only_agent_actions_parse() {
        assert_eq!(parse_action("resolve"), Some(CaseAction::Resolve));
        assert_eq!(
            parse_action("await_customer"),
            Some(CaseAction::AwaitCustomer)
        );
        assert_eq!(parse_action("customer_replied"), None);
        assert_eq!(parse_action(""), None);
    }

    #[test]
    fn the_conflict_text_asks_to_look_again() {
        assert!(CONFLICT_TEXT.contains("changed this case"));
    }
}
