//! A data subject's requests, for admins: export everything held on a contact, and erase it.
//! Both are written to the audit log.

use super::show::contact_id;
use super::{failed, not_found};
use crate::AppState;
use crate::auth::client::ClientAddress;
use crate::pages::{Ask, Chrome, confirm, confirmed, message};
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::audit::AuditAction;
use rapport_engine::EngineError;
use rapport_engine::accounts::{AuditActor, Principal};

/// `GET /contacts/{id}/export`: everything held on the contact, as a JSON download.
pub async fn export(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    Path(raw): Path<String>,
) -> Response {
    let Some(id) = contact_id(&raw) else {
        return not_found(&p, &raw);
    };
    let export = match state.engine.export_contact(id).await {
        Ok(export) => export,
        Err(EngineError::NotFound(_)) => return not_found(&p, &raw),
        Err(e) => return failed(&p, e),
    };
    let body = match serde_json::to_vec_pretty(&export) {
        Ok(body) => body,
        Err(e) => return failed(&p, e),
    };
    let actor = AuditActor::user(&p.user, Some(&address));
    let detail = format!(
        "{} posts, {} cases, {} leads as JSON",
        export.posts.len(),
        export.cases.len(),
        export.leads.len()
    );
    if let Err(e) = state
        .accounts
        .record(
            &actor,
            AuditAction::Exported,
            format!("contact {id}"),
            detail,
        )
        .await
    {
        return failed(&p, e);
    }
    let disposition = format!("attachment; filename=\"rapport-contact-{id}.json\"");
    (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// `POST /contacts/{id}/erase`: asks first (a page that posts again with `confirm=yes`),
/// then erases.
pub async fn erase(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Some(id) = contact_id(&raw) else {
        return not_found(&p, &raw);
    };
    let name = match state.engine.care().contact(id).await {
        Ok(Some(c)) => c.name,
        Ok(None) => return not_found(&p, &raw),
        Err(e) => return failed(&p, e),
    };
    if !confirmed(&form) {
        let question = format!(
            "Erase {name}? Their posts, identities, details and leads, and what their cases' \
             notes and replies said, are emptied for good. Replies still waiting to be sent to \
             them are cancelled. Counts in reports remain."
        );
        return confirm(
            &p,
            "contacts",
            &Ask {
                heading: "Erase a contact",
                question: &question,
                button: "Erase for good",
                cancel: &format!("/contacts/{id}"),
            },
            &format!("/contacts/{id}/erase"),
            &form,
        );
    }
    match state.engine.erase_contact(id).await {
        Ok(erased) => {
            let actor = AuditActor::user(&p.user, Some(&address));
            let detail = format!(
                "{} posts, {} identities, {} cases, {} notes, {} replies, {} leads emptied",
                erased.posts,
                erased.identities,
                erased.cases,
                erased.notes,
                erased.replies,
                erased.leads
            );
            if let Err(e) = state
                .accounts
                .record(
                    &actor,
                    AuditAction::ContactErased,
                    format!("contact {id}"),
                    detail,
                )
                .await
            {
                return failed(&p, e);
            }
            tracing::info!(by = %p.user.name, contact = id.0, "contact erased");
            Redirect::to(&format!("/contacts/{id}?done=erased")).into_response()
        }
        Err(EngineError::Conflict(why)) => message(
            StatusCode::CONFLICT,
            Chrome::for_principal(&p, "Not erased yet", "contacts"),
            "Not erased yet",
            &why,
        ),
        Err(e) => failed(&p, e),
    }
}
