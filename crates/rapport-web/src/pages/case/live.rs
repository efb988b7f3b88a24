//! What the case page's script calls: the composer's length counter, saved replies rendered
//! for this case and agent, presence heartbeats, and the event stream that tells the page who
//! else is on the case and that it changed.

use super::super::Chrome;
use crate::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use rapport_domain::{CaseId, PersonVars, UserId};
use rapport_engine::accounts::{Accounts, Principal};
use rapport_engine::care::{Activity, Care, CareError, CaseChanged, PresenceChanged};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

fn json_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn care_failed(e: CareError) -> Response {
    match e {
        CareError::NoSuchCase(id) => json_error(StatusCode::NOT_FOUND, &format!("no case {id}")),
        CareError::NoSuchSavedReply(n) => json_error(
            StatusCode::NOT_FOUND,
            &format!("there is no saved reply named '{n}'"),
        ),
        e => {
            tracing::error!(error = %e, "case helper failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CountParams {
    #[serde(default)]
    text: String,
}

/// `GET /cases/{id}/compose-count?text=`: the reply's length as the case's network counts
/// it (`ComposerCount`).
pub async fn compose_count(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<CountParams>,
) -> Response {
    match state.engine.care().reply_count(CaseId(id), &q.text).await {
        Ok(count) => Json(count).into_response(),
        Err(e) => care_failed(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedParams {
    #[serde(default)]
    name: String,
}

/// `GET /cases/{id}/saved-reply?name=`: a saved reply with its variables filled in for this
/// case's contact and the calling agent: `{"text": "..."}`.
pub async fn saved_reply(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Query(q): Query<SavedParams>,
) -> Response {
    match state
        .engine
        .care()
        .render_saved_reply(q.name.trim(), CaseId(id), agent_vars(&p), None)
        .await
    {
        Ok(text) => Json(json!({ "text": text })).into_response(),
        Err(e) => care_failed(e),
    }
}

/// The calling agent as a saved reply or a suggested answer names them.
pub(super) fn agent_vars(p: &Principal) -> PersonVars {
    let name = if p.user.display_name.trim().is_empty() {
        p.user.name.clone()
    } else {
        p.user.display_name.clone()
    };
    PersonVars {
        first_name: name.split_whitespace().next().map(str::to_string),
        name: Some(name),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PresenceForm {
    /// `viewing`, `typing`, or `left`.
    #[serde(default)]
    activity: String,
}

/// Someone else on the case, as the banner names them.
#[derive(Debug, Clone, Serialize)]
struct OtherView {
    name: String,
    activity: Activity,
}

/// Display names of users, read again when someone unknown shows up.
struct Names {
    accounts: Arc<Accounts>,
    names: HashMap<UserId, String>,
}

impl Names {
    fn new(accounts: Arc<Accounts>) -> Self {
        Self {
            accounts,
            names: HashMap::new(),
        }
    }

    async fn of(&mut self, id: UserId) -> String {
        if !self.names.contains_key(&id)
            && let Ok(users) = self.accounts.users().await
        {
            self.names = users
                .into_iter()
                .map(|u| {
                    let n = if u.display_name.trim().is_empty() {
                        u.name
                    } else {
                        u.display_name
                    };
                    (u.id, n)
                })
                .collect();
        }
        self.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("user {id}"))
    }

    /// Everyone on `case` but `me`.
    async fn others(&mut self, care: &Care, case: CaseId, me: UserId) -> Vec<OtherView> {
        let mut out = Vec::new();
        for p in care.presence(case, Utc::now()) {
            if p.user != me {
                out.push(OtherView {
                    name: self.of(p.user).await,
                    activity: p.activity,
                });
            }
        }
        out
    }
}

/// `POST /cases/{id}/presence` (form: `csrf`, `activity`): the page's heartbeat. Answers who
/// else is on the case: `{"others": [{"name": "...", "activity": "typing"}]}`.
pub async fn presence(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<PresenceForm>,
) -> Response {
    let activity = match f.activity.trim() {
        "viewing" => Some(Activity::Viewing),
        "typing" => Some(Activity::Typing),
        "left" => None,
        _ => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "activity must be viewing, typing or left",
            );
        }
    };
    let care = state.engine.care();
    match care.case(CaseId(id)).await {
        Ok(Some(_)) => {}
        Ok(None) => return care_failed(CareError::NoSuchCase(CaseId(id))),
        Err(e) => return care_failed(e),
    }
    let others = care.report_presence(CaseId(id), p.user.id, activity, Utc::now());
    let mut names = Names::new(state.accounts.clone());
    let mut out = Vec::new();
    for o in others {
        out.push(OtherView {
            name: names.of(o.user).await,
            activity: o.activity,
        });
    }
    Json(json!({ "others": out })).into_response()
}

/// What the event stream holds between events.
struct Live {
    care: Care,
    case: CaseId,
    me: UserId,
    names: Names,
    changes: Receiver<CaseChanged>,
    presence: Receiver<PresenceChanged>,
    /// The first event says who is on the case already.
    started: bool,
    /// When the stream ends (`?max_secs=`), if it should.
    until: Option<tokio::time::Instant>,
}

impl Live {
    async fn presence_event(&mut self) -> Event {
        let others = self.names.others(&self.care, self.case, self.me).await;
        Event::default()
            .event("presence")
            .json_data(json!({ "others": others }))
            .unwrap_or_default()
    }

    fn case_event(c: &CaseChanged) -> Event {
        Event::default()
            .event("case")
            .json_data(json!({
                "version": c.version,
                "kind": c.kind,
                "status": c.status,
            }))
            .unwrap_or_default()
    }

    /// The next event for this case, or `None` when the channels closed.
    async fn next(&mut self) -> Option<Event> {
        if !self.started {
            self.started = true;
            return Some(self.presence_event().await);
        }
        let until = self.until;
        let deadline = async move {
            match until {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = &mut deadline => return None,
                c = self.changes.recv() => match c {
                    Ok(c) if c.case_id == self.case => return Some(Self::case_event(&c)),
                    Ok(_) => {}
                    // Some changes were missed: say so, the page offers a reload.
                    Err(RecvError::Lagged(_)) => {
                        return Some(Event::default().event("case").data(r#"{"kind":"lagged"}"#));
                    }
                    Err(RecvError::Closed) => return None,
                },
                p = self.presence.recv() => match p {
                    Ok(p) if p.case_id == self.case && p.user != self.me => {
                        return Some(self.presence_event().await);
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => return Some(self.presence_event().await),
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EventParams {
    /// End the stream after this many seconds (browsers reconnect by themselves).
    max_secs: Option<u64>,
}

/// `GET /cases/{id}/events`: server-sent events for this case. `presence` events carry who
/// else is on it (`{"others": [...]}`, sent first on connect and on every change); `case`
/// events say the case changed (`{"version", "kind", "status"}`).
pub async fn events(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Query(q): Query<EventParams>,
) -> Response {
    let care = state.engine.care();
    match care.case(CaseId(id)).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return super::super::message(
                StatusCode::NOT_FOUND,
                Chrome::for_principal(&p, "Not found", "inbox"),
                "No such case",
                &format!("There is no case {id}."),
            );
        }
        Err(e) => return care_failed(e),
    }
    // Subscribed before the first event is read, so nothing falls between the two.
    let live = Live {
        changes: care.subscribe(),
        presence: care.subscribe_presence(),
        care,
        case: CaseId(id),
        me: p.user.id,
        names: Names::new(state.accounts.clone()),
        started: false,
        until: q
            .max_secs
            .map(|s| tokio::time::Instant::now() + std::time::Duration::from_secs(s)),
    };
    let stream = futures::stream::unfold(live, |mut live| async move {
        let event = live.next().await?;
        Some((Ok::<_, Infallible>(event), live))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
