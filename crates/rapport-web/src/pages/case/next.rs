//! Faster replies: the composer's "Send and resolve" and "Send and next case", and the next
//! case opened after a resolve.
//!
//! The reply form has three submit buttons; the pressed one's `then` says what follows the
//! reply (nothing, `resolve` or `next`), so the plain form works without script. Whichever way
//! a case is resolved from its page, the agent lands on the next case of their queue
//! ([`Care::next_case`](rapport_engine::care::Care::next_case) says which: the case after this
//! one in the inbox's priority order among those assigned to them or unassigned), with the
//! undo toast for the resolve and a link back; with nothing left in the queue, on the inbox.

use super::super::inbox::FLASH_COOKIE;
use super::super::undo::Undoable;
use super::{Typed, failed, not_found, page, user_error};
use crate::AppState;
use crate::auth::set_cookie;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rapport_domain::CaseId;
use rapport_engine::accounts::Principal;
use rapport_engine::care::CareError;

/// What the agent just did on the case they leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Left {
    /// A reply queued ("Send and next case").
    Replied,
    /// The case resolved (with or without a reply).
    Resolved,
}

impl Left {
    /// The `done` key of the next case's page ([`super::flash_text`]).
    fn done(self) -> &'static str {
        match self {
            Left::Replied => "reply-next",
            Left::Resolved => "resolved-next",
        }
    }

    /// What the inbox says when the queue is empty.
    fn inbox_text(self, id: i64) -> String {
        match self {
            Left::Replied => format!("Reply queued on case {id}."),
            Left::Resolved => format!("Case {id} resolved."),
        }
    }
}

/// Sends the agent from case `id` to the next case of their queue (or the inbox), carrying
/// the undo token of a resolve.
pub(super) async fn to_next(
    state: &AppState,
    p: &Principal,
    id: i64,
    left: Left,
    undo: Option<String>,
) -> Response {
    let next = match state.engine.care().next_case(p.user.id, CaseId(id)).await {
        Ok(next) => next,
        Err(CareError::NoSuchCase(_)) => return not_found(p, id),
        Err(e) => return failed(p, e),
    };
    let undo_part = undo
        .as_ref()
        .map(|t| format!("&undo={t}"))
        .unwrap_or_default();
    match next {
        Some(next) => Redirect::to(&format!(
            "/cases/{next}?done={}&from={id}{undo_part}",
            left.done()
        ))
        .into_response(),
        None => {
            let text = format!(
                "{} Nothing else is waiting in your queue (your cases and the unassigned ones).",
                left.inbox_text(id)
            );
            let cookie = set_cookie(
                FLASH_COOKIE,
                &hex::encode(text.as_bytes()),
                60,
                state.config.secure_cookies,
            );
            let to = match &undo {
                Some(t) => format!("/inbox?undo={t}"),
                None => "/inbox".to_string(),
            };
            ([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response()
        }
    }
}

/// "Send and resolve": one use case queues the reply and resolves the case, checked against
/// the version the page showed; then the next case.
pub(super) async fn send_and_resolve(
    state: &AppState,
    p: &Principal,
    id: i64,
    text: String,
    key: &str,
    version: Option<i64>,
) -> Response {
    let care = state.engine.care();
    let result = care
        .at_version(version)
        .send_and_resolve(CaseId(id), p.user.id, &text, key, Utc::now())
        .await;
    match result {
        Ok(done) => {
            let undo = done.resolved.then(|| {
                state.undo.record(
                    p.user.id,
                    vec![Undoable {
                        id: CaseId(id),
                        version: done.record.version,
                        before: done.before,
                    }],
                )
            });
            to_next(state, p, id, Left::Resolved, undo.flatten()).await
        }
        Err(e) => refused(state, p, id, e, text).await,
    }
}

/// "Send and next case": the reply is queued as "Send" queues it; then the next case.
pub(super) async fn send_and_next(
    state: &AppState,
    p: &Principal,
    id: i64,
    text: String,
    key: &str,
) -> Response {
    let result = state
        .engine
        .care()
        .queue_reply(CaseId(id), p.user.id, &text, key, Utc::now())
        .await;
    match result {
        Ok(_) => to_next(state, p, id, Left::Replied, None).await,
        Err(e) => refused(state, p, id, e, text).await,
    }
}

/// The case page again with the reply form's error and what was typed.
async fn refused(state: &AppState, p: &Principal, id: i64, e: CareError, text: String) -> Response {
    if let CareError::NoSuchCase(_) = e {
        return not_found(p, id);
    }
    match user_error("reply", &e) {
        Some(fe) => {
            let typed = Typed {
                reply: text,
                ..Typed::default()
            };
            page(state, p, id, "", Some(fe), typed).await
        }
        None => failed(p, e),
    }
}
