//! `POST /inbox/bulk`: one action on every checked case, each through the care use cases (so
//! each change is checked by the state machine and writes its audit event).
//!
//! A case the action does not fit (resolving a closed case, a case someone else changed at
//! the same instant) is reported by id in the message and the others go ahead; the answer is
//! never an error page. The form's answer is a redirect back to the list with the message in a
//! short-lived cookie; the page's script posts with `reply=json` and gets the message as JSON.

use super::super::undo::Undoable;
use super::FLASH_COOKIE;
use super::view::encode;
use crate::AppState;
use crate::auth::set_cookie;
use axum::extract::{Form, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use chrono::Utc;
use rapport_domain::care::{CaseRecord, FILTER_PARAMS};
use rapport_domain::{CaseAction, CaseId, Permission, Priority, UserId};
use rapport_engine::accounts::Principal;
use rapport_engine::care::{Before, Care, CareError};
use serde::Serialize;

/// Cases one bulk action may change (two full pages).
const MAX_CASES: usize = 100;
/// Failures named one by one in the message; the rest are counted.
const FAILURES_NAMED: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    AssignMe,
    /// `None` unassigns.
    Assign(Option<UserId>),
    Priority(Priority),
    Resolve,
    /// Resolves a case that is still active, then closes it.
    Close,
    Tag(String),
}

impl Action {
    fn done(&self) -> String {
        match self {
            Action::AssignMe => "Assigned to you".into(),
            Action::Assign(None) => "Unassigned".into(),
            Action::Assign(Some(_)) => "Assigned".into(),
            Action::Priority(p) => format!("Set to {p} priority"),
            Action::Resolve => "Resolved".into(),
            Action::Close => "Closed".into(),
            Action::Tag(t) => format!("Tagged '{}'", t.trim()),
        }
    }
}

/// The form's fields, read as pairs because `case` repeats.
struct BulkForm {
    cases: Vec<String>,
    action: String,
    assignee: String,
    priority: String,
    tag: String,
    view: String,
    sort: String,
    after: String,
    /// The list's filters or saved view, kept for the way back.
    filters: Vec<(String, String)>,
    json: bool,
}

impl BulkForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = BulkForm {
            cases: Vec::new(),
            action: String::new(),
            assignee: String::new(),
            priority: String::new(),
            tag: String::new(),
            view: String::new(),
            sort: String::new(),
            after: String::new(),
            filters: Vec::new(),
            json: false,
        };
        for (k, v) in pairs {
            match k.as_str() {
                "case" => f.cases.push(v),
                "action" => f.action = v,
                "assignee" => f.assignee = v,
                "priority" => f.priority = v,
                "tag" => f.tag = v,
                "view" => f.view = v,
                "sort" => f.sort = v,
                "after" => f.after = v,
                "reply" => f.json = v == "json",
                k if (k == "saved" || FILTER_PARAMS.contains(&k)) && !v.is_empty() => {
                    f.filters.push((k.to_string(), v));
                }
                _ => {}
            }
        }
        f
    }

    /// Where the form sends the browser back to: the list it was posted from.
    fn back(&self) -> String {
        let mut url = String::from("/inbox");
        let mut sep = '?';
        let fixed = [
            ("view", &self.view),
            ("sort", &self.sort),
            ("after", &self.after),
        ];
        let filters = self.filters.iter().map(|(k, v)| (k.as_str(), v));
        for (k, v) in fixed.into_iter().chain(filters) {
            if !v.is_empty() {
                url.push(sep);
                url.push_str(k);
                url.push('=');
                url.push_str(&encode(v));
                sep = '&';
            }
        }
        url
    }
}

#[derive(Serialize)]
struct Outcome {
    /// Every selected case was changed (or already was as asked).
    ok: bool,
    done: usize,
    failed: usize,
    message: String,
    /// The token that takes the action back (`POST /undo`), when it changed a case.
    #[serde(skip_serializing_if = "Option::is_none")]
    undo: Option<String>,
}

/// The action the form asks for, or why it cannot be done.
async fn action(state: &AppState, f: &BulkForm) -> Result<Action, String> {
    Ok(match f.action.as_str() {
        "assign_me" => Action::AssignMe,
        "assign" => {
            if f.assignee.is_empty() {
                return Ok(Action::Assign(None));
            }
            let id: i64 = f
                .assignee
                .parse()
                .map_err(|_| format!("Unknown assignee '{}'.", f.assignee))?;
            let users = state.accounts.users().await.map_err(|e| {
                tracing::error!(error = %e, "inbox bulk: listing users failed");
                "The users could not be read; try again.".to_string()
            })?;
            match users.iter().find(|u| u.id.0 == id) {
                Some(u) if u.can(Permission::WriteCases) => Action::Assign(Some(u.id)),
                Some(u) => {
                    return Err(format!(
                        "{} cannot be assigned cases (inactive, or not an agent).",
                        u.name
                    ));
                }
                None => return Err(format!("There is no user {id}.")),
            }
        }
        "priority" => Action::Priority(f.priority.parse().map_err(|e| format!("{e}."))?),
        "resolve" => Action::Resolve,
        "close" => Action::Close,
        "tag" => Action::Tag(f.tag.clone()),
        "" => return Err("Choose an action.".into()),
        other => return Err(format!("Unknown action '{other}'.")),
    })
}

/// Why a case could not be changed, as the message says it.
fn reason(e: &CareError) -> Option<String> {
    match e {
        CareError::Case(e) => Some(e.to_string()),
        CareError::Tag(e) => Some(e.to_string()),
        CareError::NoSuchCase(_) => Some("no such case".into()),
        CareError::Invalid { .. } | CareError::NoSuchTeam(_) => Some(e.to_string()),
        CareError::Conflict(_) => {
            Some("someone else changed it at the same time; try again".into())
        }
        _ => None,
    }
}

/// Applies the action to one case; returns what it was before and the case after.
async fn apply_once(
    care: &Care,
    id: CaseId,
    action: &Action,
    me: UserId,
) -> Result<(Before, CaseRecord), CareError> {
    let at = Utc::now();
    let record = care.case(id).await?.ok_or(CareError::NoSuchCase(id))?;
    let before = Before::of(&record.case);
    let after = match action {
        Action::AssignMe => care.assign(id, Some(me), me, at).await?,
        Action::Assign(to) => care.assign(id, *to, me, at).await?,
        Action::Priority(p) => care.set_priority(id, *p, me, at).await?,
        Action::Resolve => care.apply(id, CaseAction::Resolve, me, at).await?,
        Action::Close => {
            if record.case.status.is_active() {
                care.apply(id, CaseAction::Resolve, me, at).await?;
            }
            care.apply(id, CaseAction::Close, me, at).await?
        }
        Action::Tag(t) => care.add_tag(id, t, me, at).await?,
    };
    Ok((before, after))
}

/// Applies the action to one case; a version conflict (another agent saved first) is retried
/// once on the fresh case. `Some` with what can be undone when the case changed.
async fn apply(
    care: &Care,
    id: CaseId,
    action: &Action,
    me: UserId,
) -> Result<Option<Undoable>, String> {
    let mut tries = 0;
    loop {
        tries += 1;
        match apply_once(care, id, action, me).await {
            Ok((before, after)) => {
                return Ok((before != Before::of(&after.case)).then_some(Undoable {
                    id,
                    version: after.version,
                    before,
                }));
            }
            Err(CareError::Conflict(_)) if tries < 2 => continue,
            Err(e) => {
                return Err(reason(&e).unwrap_or_else(|| {
                    tracing::error!(case = id.0, error = %e, "inbox bulk action failed");
                    "it could not be saved; try again".into()
                }));
            }
        }
    }
}

fn outcome(done: usize, failures: &[(String, String)], done_text: &str) -> Outcome {
    let mut message = match done {
        0 => String::new(),
        1 => format!("{done_text}: 1 case."),
        n => format!("{done_text}: {n} cases."),
    };
    if !failures.is_empty() {
        let named: Vec<String> = failures
            .iter()
            .take(FAILURES_NAMED)
            .map(|(id, why)| format!("case {id}: {why}"))
            .collect();
        let more = failures.len().saturating_sub(FAILURES_NAMED);
        let rest = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        let n = failures.len();
        let cases = if n == 1 { "case" } else { "cases" };
        message = format!(
            "{message} Not changed: {n} {cases}: {}{rest}.",
            named.join("; ")
        )
        .trim()
        .to_string();
    }
    Outcome {
        ok: failures.is_empty(),
        done,
        failed: failures.len(),
        message,
        undo: None,
    }
}

fn answer(state: &AppState, f: &BulkForm, o: Outcome) -> Response {
    if f.json {
        return Json(o).into_response();
    }
    // Cookies hold about 4 KB; the hex doubles the message.
    let mut text = o.message;
    if text.len() > 1_500 {
        let cut = (0..=1_500)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    let cookie = set_cookie(
        FLASH_COOKIE,
        &hex::encode(text.as_bytes()),
        60,
        state.config.secure_cookies,
    );
    let mut back = f.back();
    if let Some(token) = &o.undo {
        back.push(if back.contains('?') { '&' } else { '?' });
        back.push_str("undo=");
        back.push_str(token);
    }
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

/// `POST /inbox/bulk`: `case` (repeated), `action` (`assign_me`, `assign` with `assignee`,
/// `priority` with `priority`, `resolve`, `close`, `tag` with `tag`), and `view`, `sort`,
/// `after` to go back to.
pub async fn bulk(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = BulkForm::from_pairs(pairs);
    let act = match action(&state, &f).await {
        Ok(a) => a,
        Err(message) => return answer(&state, &f, outcome(0, &[], "").with(message)),
    };
    if f.cases.is_empty() {
        return answer(
            &state,
            &f,
            outcome(0, &[], "").with("Select at least one case.".into()),
        );
    }
    if f.cases.len() > MAX_CASES {
        return answer(
            &state,
            &f,
            outcome(0, &[], "").with(format!(
                "Select at most {MAX_CASES} cases at once ({} were selected).",
                f.cases.len()
            )),
        );
    }
    let care = state.engine.care();
    let mut done = 0;
    let mut failures = Vec::new();
    let mut undoable = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for raw in &f.cases {
        let Ok(id) = raw.trim().parse::<i64>() else {
            failures.push((raw.clone(), "not a case number".to_string()));
            continue;
        };
        if !seen.insert(id) {
            continue;
        }
        match apply(&care, CaseId(id), &act, p.user.id).await {
            Ok(changed) => {
                done += 1;
                undoable.extend(changed);
            }
            Err(why) => failures.push((id.to_string(), why)),
        }
    }
    let mut o = outcome(done, &failures, &act.done());
    o.undo = state.undo.record(p.user.id, undoable);
    answer(&state, &f, o)
}

impl Outcome {
    /// An outcome that changed nothing, for a form that could not be acted on.
    fn with(mut self, message: String) -> Self {
        self.ok = false;
        self.message = message;
        self
    }
}
