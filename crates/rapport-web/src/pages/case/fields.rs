//! `POST /cases/{id}/fields`: the sidebar's one form. Assignee, team, priority and tags are
//! saved in one request and one save ([`Care::save_fields`]), conditional on the version the
//! page showed: of two agents editing the sidebar at once, the second is told the case changed
//! instead of overwriting the first. "Assign to me" is a button of the same form.
//!
//! [`Care::save_fields`]: rapport_engine::care::Care::save_fields

use super::{FormError, Typed, failed, not_found, page, user_error};
use crate::AppState;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rapport_domain::{CaseId, Permission, Priority, TeamId, UserId};
use rapport_engine::accounts::Principal;
use rapport_engine::care::{CareError, CaseFields};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct FieldsForm {
    /// A user id, or empty for nobody.
    #[serde(default)]
    assignee: String,
    /// Present when "Assign to me" was pressed: the assignee is the caller, whatever the list
    /// says.
    to_me: Option<String>,
    /// A team id, or empty for none.
    #[serde(default)]
    team: String,
    #[serde(default)]
    priority: String,
    /// The case's tags, separated by commas or spaces; the ones left out are removed.
    #[serde(default)]
    tags: String,
    version: Option<i64>,
}

/// The tags typed in the field, in order, each once.
fn parse_tags(typed: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in typed.split(|c: char| c == ',' || c.is_whitespace()) {
        let t = t.trim();
        if !t.is_empty() && !tags.iter().any(|have| have.eq_ignore_ascii_case(t)) {
            tags.push(t.to_string());
        }
    }
    tags
}

/// Reads the form into the fields to save, or the message to show next to it.
async fn read(state: &AppState, p: &Principal, f: &FieldsForm) -> Result<CaseFields, String> {
    let assignee = if f.to_me.is_some() {
        Some(p.user.id)
    } else if f.assignee.trim().is_empty() {
        None
    } else {
        let n: i64 = f
            .assignee
            .trim()
            .parse()
            .map_err(|_| "Choose an agent from the list.".to_string())?;
        match state.accounts.user(UserId(n)).await {
            Ok(u) if u.can(Permission::WriteCases) => Some(u.id),
            _ => return Err("That user cannot work cases: choose an active agent.".into()),
        }
    };
    let team = match f.team.trim() {
        "" => None,
        t => Some(TeamId(
            t.parse()
                .map_err(|_| "Choose a team from the list.".to_string())?,
        )),
    };
    let priority: Priority = f
        .priority
        .trim()
        .parse()
        .map_err(|_| "Choose a priority from the list.".to_string())?;
    Ok(CaseFields {
        assignee,
        team,
        priority,
        tags: parse_tags(&f.tags),
    })
}

/// `POST /cases/{id}/fields`.
pub async fn save_fields(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(f): Form<FieldsForm>,
) -> Response {
    let typed = Typed {
        tag: f.tags.clone(),
        ..Typed::default()
    };
    let fields = match read(&state, &p, &f).await {
        Ok(fields) => fields,
        Err(text) => {
            let error = FormError {
                status: StatusCode::BAD_REQUEST,
                form: "fields",
                text,
            };
            return page(&state, &p, id, "", Some(error), typed).await;
        }
    };
    let result = state
        .engine
        .care()
        .at_version(f.version)
        .save_fields(CaseId(id), &fields, p.user.id, Utc::now())
        .await;
    match result {
        Ok(_) => Redirect::to(&format!("/cases/{id}?done=fields")).into_response(),
        Err(CareError::NoSuchCase(_)) => not_found(&p, id),
        Err(e) => match user_error("fields", &e) {
            // A conflict shows the case as it is now, not what was typed over it.
            Some(fe) if matches!(e, CareError::Conflict(_)) => {
                page(&state, &p, id, "", Some(fe), Typed::default()).await
            }
            Some(fe) => page(&state, &p, id, "", Some(fe), typed).await,
            None => failed(&p, e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::parse_tags;

    #[test]
    fn tags_split_on_commas_and_spaces_once_each() {
        assert_eq!(
            parse_tags(" refund, vip  Refund,,billing "),
            ["refund", "vip", "billing"]
        );
        assert!(parse_tags(" , ").is_empty());
    }
}
