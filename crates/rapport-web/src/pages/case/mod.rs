//! The case page: where a care agent works one case.
//!
//! `GET /cases/{id}` shows the header (status, priority, assignee, team, tags, SLA clocks),
//! the whole thread oldest first (customer posts with their label badges and the reasons
//! behind them, replies from the outbox with their status, internal notes), the audit log and
//! the contact sidebar. The forms (`forms.rs`) change the case through the care use cases and
//! come back here with a flash, or show the page again with the error. `live.rs` holds what
//! the page's script calls: the composer's counter, saved replies, presence heartbeats and
//! the event stream that warns of other agents.

mod fields;
mod forms;
mod live;
mod next;
mod reasons;
mod view;

pub use fields::save_fields;

pub use forms::{
    add_note, add_tag, assign, queue_reply, remove_tag, resend_reply, set_priority, set_status,
    set_team,
};
pub use live::{compose_count, events, presence, saved_reply};

use super::{Chrome, message, render};
use crate::AppState;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rapport_domain::CaseId;
use rapport_engine::accounts::Principal;
use rapport_engine::care::CareError;
use serde::Deserialize;

/// What a form left for the page it comes back to.
#[derive(Debug, Default, Deserialize)]
pub struct Flash {
    /// One of the fixed keys in [`flash_text`]; anything else shows nothing.
    #[serde(default)]
    done: String,
    /// The token that takes the status change back (the undo toast).
    #[serde(default)]
    undo: String,
    /// The case the agent came from ("Send and next case", a resolve): a case number, shown as
    /// a link back and named in the undo toast.
    #[serde(default)]
    from: String,
}

/// The message a redirect's `?done=` key stands for. Fixed texts only: the query string is
/// the user's to edit, so it never carries text of its own.
fn flash_text(key: &str) -> &'static str {
    match key {
        "assigned" => "Assignment saved.",
        "team" => "Team saved.",
        "status" => "Status changed.",
        "priority" => "Priority saved.",
        "fields" => "Case details saved.",
        "reply-next" => "Reply queued. This is the next case in your queue.",
        "resolved-next" => "Case resolved. This is the next case in your queue.",
        "tag-added" => "Tag added.",
        "tag-removed" => "Tag removed.",
        "note" => "Internal note added.",
        "reply" => "Reply queued in the outbox.",
        "resent" => "Reply queued again in the outbox.",
        "unchanged" => "Nothing to change.",
        "undone" => "Undone: the case is back as it was.",
        "not-undone" => "Not undone: the case changed since, or the undo came too late.",
        _ => "",
    }
}

/// An error a form may show next to itself instead of failing the page.
pub(crate) struct FormError {
    pub status: StatusCode,
    /// The form the error belongs to (its id without `-form`).
    pub form: &'static str,
    pub text: String,
}

/// What an agent typed, kept when the page is shown again with an error.
#[derive(Debug, Default, Clone)]
pub(crate) struct Typed {
    pub reply: String,
    pub note: String,
    pub tag: String,
}

/// Turns a care error into what the form shows, or `None` when it is not the user's to fix.
pub(crate) fn user_error(form: &'static str, e: &CareError) -> Option<FormError> {
    let (status, text) = match e {
        CareError::Case(rapport_domain::CaseError::IllegalTransition { from, action }) => (
            StatusCode::CONFLICT,
            format!(
                "A {from} case cannot be moved with '{}'. Choose one of the actions offered.",
                view::action_label(*action)
            ),
        ),
        CareError::Case(e) => (StatusCode::BAD_REQUEST, e.to_string()),
        CareError::Tag(e) => (StatusCode::BAD_REQUEST, format!("Tag not saved: {e}.")),
        CareError::TooLong {
            network,
            count,
            limit,
        } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "The reply is too long: {count} characters as {network} counts them, over the \
                 limit of {limit}. Shorten it and send again."
            ),
        ),
        CareError::ReplyNotAllowed(reason) => {
            (StatusCode::UNPROCESSABLE_ENTITY, format!("{reason}."))
        }
        CareError::KeyReused(_) => (
            StatusCode::CONFLICT,
            "This reply form was already sent with another text. Reload the case and send \
             again."
                .to_string(),
        ),
        CareError::Invalid { field, reason } => (
            StatusCode::BAD_REQUEST,
            format!("{}: {reason}.", capitalize(field)),
        ),
        CareError::NoSuchTeam(t) => (StatusCode::BAD_REQUEST, format!("There is no team {t}.")),
        CareError::NoSuchSavedReply(n) => (
            StatusCode::NOT_FOUND,
            format!("There is no saved reply named '{n}'."),
        ),
        CareError::Conflict(_) => (StatusCode::CONFLICT, CONFLICT_TEXT.to_string()),
        _ => return None,
    };
    Some(FormError { status, form, text })
}

pub(crate) const CONFLICT_TEXT: &str = "Another agent changed this case while you were looking \
     at it. The page now shows the current state: check it and try again.";

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub(crate) fn failed(p: &Principal, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "case page failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "inbox"),
        "Something went wrong",
        "The request failed; try again.",
    )
}

pub(crate) fn not_found(p: &Principal, id: i64) -> Response {
    message(
        StatusCode::NOT_FOUND,
        Chrome::for_principal(p, "Not found", "inbox"),
        "No such case",
        &format!("There is no case {id}."),
    )
}

/// The case page with an optional flash or form error.
pub(crate) async fn page(
    state: &AppState,
    p: &Principal,
    id: i64,
    flash: &'static str,
    error: Option<FormError>,
    typed: Typed,
) -> Response {
    page_with_undo(state, p, id, flash, error, typed, String::new(), None).await
}

/// [`page`], with the undo toast for `undo` when it is a token, and the way back to the case
/// the agent came `from`: a resolve made there is what the toast takes back.
#[allow(clippy::too_many_arguments)]
async fn page_with_undo(
    state: &AppState,
    p: &Principal,
    id: i64,
    flash: &'static str,
    error: Option<FormError>,
    typed: Typed,
    undo: String,
    from: Option<i64>,
) -> Response {
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status);
    match view::build(state, p, CaseId(id), flash, error, typed).await {
        Ok(mut page) => {
            if let Some(from) = from.filter(|f| *f != id) {
                page.came_from = Some(from);
                page.undo_text = format!("Case {from} resolved.");
                page.undo_back = format!("/cases/{from}");
            }
            if page.can_write && super::undo::well_formed(&undo) {
                page.undo = undo;
            }
            render(status, &page)
        }
        Err(view::Failure::NoSuchCase) => not_found(p, id),
        Err(view::Failure::Other(e)) => failed(p, e),
    }
}

/// `GET /cases/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Response {
    page_with_undo(
        &state,
        &p,
        id,
        flash_text(&flash.done),
        None,
        Typed::default(),
        flash.undo,
        flash.from.trim().parse().ok(),
    )
    .await
}
