//! The forms that change a contact: its fields, merging another contact into it (a confirm
//! step first), and splitting one of its identities off into a new contact. Each comes back
//! to a contact page with a flash, or shows the page again with the error next to the form.

use super::show::{FieldsForm, contact_id, page};
use super::{Chrome, failed, not_found, render, user_error};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::care::{ContactFields, LifecycleStage};
use rapport_domain::{ContactId, IdentityId};
use rapport_engine::accounts::Principal;
use serde::Deserialize;
use std::collections::BTreeSet;

/// `POST /contacts/{id}`: saves the fields form.
pub async fn save_fields(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(raw): Path<String>,
    Form(form): Form<FieldsForm>,
) -> Response {
    let Some(id) = contact_id(&raw) else {
        return not_found(&p, &raw);
    };
    let stage = match form.stage.trim() {
        "" => None,
        s => match s.parse::<LifecycleStage>() {
            Ok(s) => Some(s),
            Err(e) => {
                let error = (StatusCode::BAD_REQUEST, "fields", format!("Stage: {e}."));
                return page(&state, &p, id, "", Some(error), Some(form)).await;
            }
        },
    };
    // Tags are typed separated by commas or spaces.
    let tags: BTreeSet<String> = form
        .tags
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let fields = ContactFields {
        name: form.name.clone(),
        email: Some(form.email.clone()),
        company: Some(form.company.clone()),
        crm_id: Some(form.crm_id.clone()),
        tags,
        stage,
        merged_into: None,
    };
    match state.engine.care().set_contact_fields(id, &fields).await {
        Ok(()) => Redirect::to(&format!("/contacts/{id}?done=saved")).into_response(),
        Err(e) => match user_error(&e) {
            Some((StatusCode::NOT_FOUND, _)) => not_found(&p, &raw),
            Some((status, text)) => {
                page(
                    &state,
                    &p,
                    id,
                    "",
                    Some((status, "fields", text)),
                    Some(form),
                )
                .await
            }
            None => failed(&p, e),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MergeForm {
    /// The contact to merge into this one: its number, optionally with `#`.
    #[serde(default)]
    other: String,
    /// `yes` once the confirm step was shown.
    #[serde(default)]
    confirm: String,
}

/// A contact as the merge confirmation shows it.
struct Side {
    id: i64,
    name: String,
    identities: Vec<String>,
}

#[derive(Template)]
#[template(path = "contact_merge.html")]
struct ConfirmPage {
    chrome: Chrome,
    keep: Side,
    absorb: Side,
}

async fn side(state: &AppState, id: ContactId) -> Result<Option<(Side, bool)>, String> {
    let care = state.engine.care();
    let Some(c) = care.contact(id).await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let merged = care
        .contact_fields(id)
        .await
        .map_err(|e| e.to_string())?
        .is_some_and(|f| f.merged_into.is_some());
    Ok(Some((
        Side {
            id: id.0,
            name: c.name,
            identities: c
                .identities
                .iter()
                .map(|i| format!("{} @{}", i.network, i.handle))
                .collect(),
        },
        merged,
    )))
}

/// `POST /contacts/{id}/merge`: merges the `other` contact into this one. Without
/// `confirm=yes` it shows what will happen and asks to confirm; nothing changes yet.
pub async fn merge(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(raw): Path<String>,
    Form(form): Form<MergeForm>,
) -> Response {
    let Some(id) = contact_id(&raw) else {
        return not_found(&p, &raw);
    };
    let refuse = |status, text: String| {
        let state = state.clone();
        let p = p.clone();
        async move { page(&state, &p, id, "", Some((status, "merge", text)), None).await }
    };
    let other_raw = form.other.trim().trim_start_matches('#');
    let Some(other) = contact_id(other_raw) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "Choose the contact to merge by searching for it, or give its number ('{}' is \
                 not one).",
                form.other.trim()
            ),
        )
        .await;
    };
    if other == id {
        return refuse(
            StatusCode::BAD_REQUEST,
            "A contact cannot be merged into itself: choose another contact.".into(),
        )
        .await;
    }
    let keep = match side(&state, id).await {
        Ok(Some((s, false))) => s,
        Ok(Some((_, true))) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "This contact was merged into another; merge into that one instead.".into(),
            )
            .await;
        }
        Ok(None) => return not_found(&p, &raw),
        Err(e) => return failed(&p, e),
    };
    let absorb = match side(&state, other).await {
        Ok(Some((s, false))) => s,
        Ok(Some((_, true))) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("Contact {other} was already merged into another contact."),
            )
            .await;
        }
        Ok(None) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("There is no contact {other} to merge."),
            )
            .await;
        }
        Err(e) => return failed(&p, e),
    };
    if form.confirm != "yes" {
        return render(
            StatusCode::OK,
            &ConfirmPage {
                chrome: Chrome::for_principal(&p, "Merge contacts", "contacts"),
                keep,
                absorb,
            },
        );
    }
    match state.engine.care().merge_contacts(id, other).await {
        Ok(()) => Redirect::to(&format!("/contacts/{id}?done=merged")).into_response(),
        Err(e) => match user_error(&e) {
            Some((status, text)) => refuse(status, text).await,
            None => failed(&p, e),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SplitForm {
    #[serde(default)]
    identity: String,
    /// The new contact's name; the identity's handle when left empty.
    #[serde(default)]
    name: String,
}

/// `POST /contacts/{id}/split`: moves one identity of this contact to a new contact, with
/// the cases its posts opened and its leads, and opens the new contact.
pub async fn split(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(raw): Path<String>,
    Form(form): Form<SplitForm>,
) -> Response {
    let Some(id) = contact_id(&raw) else {
        return not_found(&p, &raw);
    };
    let refuse = |status, text: String| {
        let state = state.clone();
        let p = p.clone();
        async move { page(&state, &p, id, "", Some((status, "split", text)), None).await }
    };
    let care = state.engine.care();
    let contact = match care.contact(id).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(&p, &raw),
        Err(e) => return failed(&p, e),
    };
    let chosen = form
        .identity
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|i| contact.identities.iter().find(|x| x.id == IdentityId(i)));
    let Some(identity) = chosen else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Choose one of this contact's identities to split off.".into(),
        )
        .await;
    };
    if contact.identities.len() < 2 {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "@{} is this contact's only identity: there is nothing to split off.",
                identity.handle
            ),
        )
        .await;
    }
    let name = match form.name.trim() {
        "" => identity
            .display_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| identity.handle.clone()),
        n => n.to_string(),
    };
    if name.chars().count() > 200 {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The new contact's name is longer than 200 characters.".into(),
        )
        .await;
    }
    match care.split_identity(identity.id, &name).await {
        Ok(new) => Redirect::to(&format!("/contacts/{new}?done=split")).into_response(),
        Err(e) => match user_error(&e) {
            Some((status, text)) => refuse(status, text).await,
            None => failed(&p, e),
        },
    }
}
