//! Saved views from the inbox page: `POST /inbox/views` saves the filters in the form under a
//! name, for the user alone or for one of their teams; `POST /inbox/views/{id}/rename` and
//! `POST /inbox/views/{id}/delete` (asking first) change the user's own. Each answers with a
//! redirect to the inbox and the outcome in the flash cookie, never an error page for a
//! refusal.

use super::FLASH_COOKIE;
use super::view::{ViewKey, encode};
use crate::AppState;
use crate::auth::set_cookie;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::TeamId;
use rapport_domain::care::{InboxFilter, SavedViewId};
use rapport_engine::accounts::Principal;
use rapport_engine::care::CareError;

type Pairs = Vec<(String, String)>;

fn field<'a>(form: &'a Pairs, name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Back to the inbox at `to`, with `text` shown there once.
fn back(state: &AppState, to: &str, text: &str) -> Response {
    let cookie = set_cookie(
        FLASH_COOKIE,
        &hex::encode(text.as_bytes()),
        60,
        state.config.secure_cookies,
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
}

/// What a refusal tells the user.
fn refusal(e: &CareError) -> String {
    match e {
        CareError::Conflict(_) => "You have a view of that name already; choose another.".into(),
        CareError::NotFound(_) => "That view is gone, or it is not yours to change.".into(),
        CareError::Invalid { reason, .. } => format!("The view was not saved: {reason}."),
        CareError::InvalidInput(m) => format!("The view was not saved: {m}."),
        other => {
            tracing::error!(error = %other, "saved views failed");
            "Something went wrong; the view was not changed.".into()
        }
    }
}

/// `POST /inbox/views`: `name`, `scope` (`me` or `team:ID`), `view` and the filter fields.
pub async fn create_view(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<Pairs>,
) -> Response {
    let (filter, problems) = InboxFilter::from_params(|k| Some(field(&form, k)));
    let view = ViewKey::parse(field(&form, "view"), p.user.id).unwrap_or(ViewKey::AllOpen);
    let here = format!(
        "/inbox?view={}{}",
        encode(&view.key()),
        super::filters::query(&filter)
    );
    if !problems.is_empty() {
        return back(&state, &here, &problems.join(" "));
    }
    let team = match field(&form, "scope").strip_prefix("team:") {
        Some(t) => match t.parse::<i64>() {
            Ok(id) => Some(TeamId(id)),
            Err(_) => return back(&state, &here, "Choose who sees the view."),
        },
        None => None,
    };
    match state
        .engine
        .care()
        .save_view(
            p.user.id,
            field(&form, "name"),
            team,
            view.to_view(),
            filter,
        )
        .await
    {
        Ok(v) => {
            let to = format!("/inbox?saved={}", v.id);
            back(&state, &to, &format!("Saved the view '{}'.", v.name))
        }
        Err(e) => back(&state, &here, &refusal(&e)),
    }
}

/// `POST /inbox/views/{id}/rename`: `name`.
pub async fn rename_view(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> Response {
    let to = format!("/inbox?saved={id}");
    let name = field(&form, "name");
    match state
        .engine
        .care()
        .rename_view(p.user.id, SavedViewId(id), name)
        .await
    {
        Ok(()) => back(
            &state,
            &to,
            &format!("Renamed the view to '{}'.", name.trim()),
        ),
        Err(e) => back(&state, &to, &refusal(&e)),
    }
}

/// `POST /inbox/views/{id}/delete`: asks first, then removes the user's own view.
pub async fn delete_view(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> Response {
    let care = state.engine.care();
    let here = format!("/inbox?saved={id}");
    if !crate::pages::confirmed(&form) {
        let view = match care.saved_view(p.user.id, SavedViewId(id)).await {
            Ok(v) if v.owner == p.user.id => v,
            Ok(_) => return refused(&p, &CareError::NotFound(id.to_string())),
            Err(e) => return refused(&p, &e),
        };
        let question = format!(
            "Delete the view '{}'? {} The cases stay as they are.",
            view.name,
            if view.team.is_some() {
                "Your team no longer sees it either."
            } else {
                "Only its filters are lost."
            }
        );
        let action = format!("/inbox/views/{id}/delete");
        let ask = crate::pages::Ask {
            heading: "Delete saved view",
            question: &question,
            button: "Delete view",
            cancel: &here,
        };
        return crate::pages::confirm(&p, "inbox", &ask, &action, &form);
    }
    match care.delete_view(p.user.id, SavedViewId(id)).await {
        Ok(name) => back(&state, "/inbox", &format!("Deleted the view '{name}'.")),
        Err(e) => refused(&p, &e),
    }
}

/// A deletion that did nothing answers a page, not a redirect: the audit log records only
/// the redirects of deletions that happened.
fn refused(p: &Principal, e: &CareError) -> Response {
    let status = match e {
        CareError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut text = refusal(e);
    text.push_str(" Nothing was deleted.");
    crate::pages::message(
        status,
        crate::pages::Chrome::for_principal(p, "Saved view", "inbox"),
        "Saved view",
        &text,
    )
}
