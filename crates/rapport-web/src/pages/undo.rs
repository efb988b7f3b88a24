//! Undo for the inbox's actions and the case page's status changes.
//!
//! An action that can be taken back (a resolve with `e`, a bulk action, a status change)
//! records what each case was like before it in the [`UndoBook`] and hands the agent a random
//! token; the page shows a toast with an Undo button for a few seconds. `POST /undo` with that
//! token puts each case back as it was, but only a case still at the version the action left:
//! a case someone changed since is left alone and named in the message. What is put back comes
//! from the server's own record, never from the form, so an undo cannot move a case anywhere
//! the action did not move it from. Tokens belong to the user who acted and last two minutes;
//! the book holds a bounded number of them.

use super::inbox::FLASH_COOKIE;
use crate::AppState;
use crate::auth::set_cookie;
use axum::extract::{Form, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use chrono::Utc;
use rapport_domain::{CaseId, UserId};
use rapport_engine::accounts::Principal;
use rapport_engine::care::{Before, CareError};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an action can be taken back (the toast shows for a few seconds of it).
const LIFETIME: Duration = Duration::from_secs(120);
/// Tokens kept at most; the oldest go first.
const CAPACITY: usize = 1_000;

/// One case of an action: the version the action left it at and what it was before.
#[derive(Debug, Clone)]
pub(crate) struct Undoable {
    pub id: CaseId,
    pub version: i64,
    pub before: Before,
}

struct Entry {
    token: String,
    user: UserId,
    made: Instant,
    cases: Vec<Undoable>,
}

/// The actions that can still be taken back.
#[derive(Default)]
pub struct UndoBook {
    entries: Mutex<VecDeque<Entry>>,
}

impl UndoBook {
    /// Records an action of `user` on `cases`; `None` when it changed nothing.
    pub(crate) fn record(&self, user: UserId, cases: Vec<Undoable>) -> Option<String> {
        if cases.is_empty() {
            return None;
        }
        let token = hex::encode(rand::random::<[u8; 16]>());
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|e| e.made.elapsed() < LIFETIME);
        while entries.len() >= CAPACITY {
            entries.pop_front();
        }
        entries.push_back(Entry {
            token: token.clone(),
            user,
            made: Instant::now(),
            cases,
        });
        Some(token)
    }

    /// Takes the action back out of the book: each token undoes once, and only for its user.
    fn take(&self, user: UserId, token: &str) -> Option<Vec<Undoable>> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let at = entries
            .iter()
            .position(|e| e.token == token && e.user == user && e.made.elapsed() < LIFETIME)?;
        entries.remove(at).map(|e| e.cases)
    }
}

/// A token as [`UndoBook::record`] makes them; anything else is never shown or looked up.
pub(crate) fn well_formed(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Debug, Default, Deserialize)]
pub struct UndoForm {
    #[serde(default)]
    token: String,
    /// Where the form goes back to: the inbox (with its view) or a case page.
    #[serde(default)]
    back: String,
    /// `json` from the page's script.
    #[serde(default)]
    reply: String,
}

#[derive(Serialize)]
struct Answer {
    ok: bool,
    undone: usize,
    message: String,
}

/// A path on this server to go back to: the inbox or a case page, nothing else.
fn back_to(back: &str) -> String {
    let path = back.split('#').next().unwrap_or("");
    let (base, _) = path.split_once('?').unwrap_or((path, ""));
    let case = base
        .strip_prefix("/cases/")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    if base == "/inbox" && path.bytes().all(|b| b.is_ascii_graphic()) {
        path.to_string()
    } else if case {
        base.to_string()
    } else {
        "/inbox".to_string()
    }
}

/// `POST /undo`: `token` (from the toast), `back`, and `reply=json` from scripts.
pub async fn undo(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(f): Form<UndoForm>,
) -> Response {
    let taken = if well_formed(f.token.trim()) {
        state.undo.take(p.user.id, f.token.trim())
    } else {
        None
    };
    let (ok, undone, message) = match taken {
        None => (
            false,
            0,
            "Too late to undo: the action is more than two minutes old or was already undone."
                .to_string(),
        ),
        Some(cases) => {
            let care = state.engine.care();
            let mut undone = 0;
            let mut refused = Vec::new();
            for c in &cases {
                match care
                    .at_version(Some(c.version))
                    .undo(c.id, &c.before, p.user.id, Utc::now())
                    .await
                {
                    Ok(_) => undone += 1,
                    Err(CareError::Conflict(_)) => {
                        refused.push(format!("case {}: changed since", c.id))
                    }
                    Err(CareError::NoSuchCase(_)) => refused.push(format!("case {}: gone", c.id)),
                    Err(e) => {
                        tracing::error!(case = c.id.0, error = %e, "undo failed");
                        refused.push(format!("case {}: could not be saved", c.id));
                    }
                }
            }
            let mut message = match undone {
                0 => String::new(),
                1 => "Undone: 1 case is back as it was.".to_string(),
                n => format!("Undone: {n} cases are back as they were."),
            };
            if !refused.is_empty() {
                message = format!("{message} Not undone: {}.", refused.join("; "))
                    .trim()
                    .to_string();
            }
            (refused.is_empty(), undone, message)
        }
    };
    if f.reply == "json" {
        return Json(Answer {
            ok,
            undone,
            message,
        })
        .into_response();
    }
    let back = back_to(&f.back);
    if let Some(case) = back.strip_prefix("/cases/") {
        let done = if ok { "undone" } else { "not-undone" };
        return Redirect::to(&format!("/cases/{case}?done={done}")).into_response();
    }
    let cookie = set_cookie(
        FLASH_COOKIE,
        &hex::encode(message.as_bytes()),
        60,
        state.config.secure_cookies,
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::{CaseStatus, Priority};

    fn case(id: i64) -> Undoable {
        Undoable {
            id: CaseId(id),
            version: 2,
            before: Before {
                status: CaseStatus::New,
                assignee: None,
                priority: Priority::Normal,
                tags: Default::default(),
            },
        }
    }

    #[test]
    fn a_token_undoes_once_and_only_for_its_user() {
        let book = UndoBook::default();
        assert_eq!(book.record(UserId(1), Vec::new()), None);
        let token = book.record(UserId(1), vec![case(7)]).unwrap();
        assert!(well_formed(&token));
        assert!(book.take(UserId(2), &token).is_none());
        assert_eq!(book.take(UserId(1), &token).unwrap()[0].id, CaseId(7));
        assert!(book.take(UserId(1), &token).is_none());
    }

    #[test]
    fn the_book_keeps_a_bounded_number_of_actions() {
        let book = UndoBook::default();
        let first = book.record(UserId(1), vec![case(1)]).unwrap();
        for i in 0..CAPACITY {
            book.record(UserId(1), vec![case(i as i64)]);
        }
        assert_eq!(book.entries.lock().unwrap().len(), CAPACITY);
        assert!(book.take(UserId(1), &first).is_none());
    }

    #[test]
    fn undo_goes_back_only_to_the_inbox_or_a_case() {
        assert_eq!(
            back_to("/inbox?view=mine&sort=age"),
            "/inbox?view=mine&sort=age"
        );
        assert_eq!(back_to("/cases/42?done=status"), "/cases/42");
        assert_eq!(back_to("https://evil.example/"), "/inbox");
        assert_eq!(back_to("//evil.example/inbox"), "/inbox");
        assert_eq!(back_to("/cases/42/../../settings"), "/inbox");
        assert_eq!(back_to(""), "/inbox");
        assert_eq!(back_to("/inbox?view=a\r\nSet-Cookie: x"), "/inbox");
    }
}
