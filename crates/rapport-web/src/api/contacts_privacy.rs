//! `/api/v1/contacts/{id}/export` and `/api/v1/contacts/{id}/erase`: a data subject's
//! requests, for admins; both written to the audit log.

use super::care_common::path;
use super::dto::ErrorBody;
use crate::auth::client::ClientAddress;
use crate::{ApiError, AppState};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use rapport_domain::ContactId;
use rapport_domain::audit::AuditAction;
use rapport_engine::accounts::{AuditActor, Principal};
use serde::Serialize;
use utoipa::ToSchema;

/// Everything held on a contact. The parts are the stored records as Rapport keeps them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactExportDto {
    /// RFC 3339, UTC.
    pub exported_at: String,
    /// The contact with its identities on each network.
    #[schema(value_type = Object)]
    pub contact: serde_json::Value,
    /// Email, company, CRM id, tags, stage; null when none were recorded.
    #[schema(value_type = Option<Object>)]
    pub fields: serde_json::Value,
    /// Every post of the contact's identities, oldest first, with its original record.
    #[schema(value_type = Vec<Object>)]
    pub posts: serde_json::Value,
    /// Each case with its posts, history, notes and replies.
    #[schema(value_type = Vec<Object>)]
    pub cases: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub leads: serde_json::Value,
}

/// What an erasure emptied.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureDto {
    pub posts: u64,
    pub identities: u64,
    pub cases: u64,
    pub notes: u64,
    pub replies: u64,
    pub leads: u64,
}

fn value(v: impl Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(v).map_err(|e| {
        tracing::error!(error = %e, "serializing an export failed");
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    })
}

/// `GET /api/v1/contacts/{id}/export`: everything held on the contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/export", tag = "contacts", params(("id" = i64, Path, description = "contact id")),
    security(("bearer" = [])),
    responses((status = 200, body = ContactExportDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<ContactExportDto>, ApiError> {
    let id = ContactId(path(id)?);
    let export = state.engine.export_contact(id).await?;
    let detail = format!(
        "{} posts, {} cases, {} leads as JSON",
        export.posts.len(),
        export.cases.len(),
        export.leads.len()
    );
    state
        .accounts
        .record(
            &AuditActor::user(&p.user, Some(&address)),
            AuditAction::Exported,
            format!("contact {id}"),
            detail,
        )
        .await?;
    Ok(Json(ContactExportDto {
        exported_at: export.exported_at.to_rfc3339(),
        contact: value(&export.contact)?,
        fields: value(&export.fields)?,
        posts: value(&export.posts)?,
        cases: value(&export.cases)?,
        leads: value(&export.leads)?,
    }))
}

/// `POST /api/v1/contacts/{id}/erase`: empties everything held on the contact (see the
/// README's privacy section); 409 while a reply to it is being sent.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/erase", tag = "contacts", params(("id" = i64, Path, description = "contact id")),
    security(("bearer" = [])),
    responses((status = 200, body = ErasureDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    ClientAddress(address): ClientAddress,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<ErasureDto>, ApiError> {
    let id = ContactId(path(id)?);
    let e = state.engine.erase_contact(id).await?;
    let detail = format!(
        "{} posts, {} identities, {} cases, {} notes, {} replies, {} leads emptied",
        e.posts, e.identities, e.cases, e.notes, e.replies, e.leads
    );
    state
        .accounts
        .record(
            &AuditActor::user(&p.user, Some(&address)),
            AuditAction::ContactErased,
            format!("contact {id}"),
            detail,
        )
        .await?;
    Ok(Json(ErasureDto {
        posts: e.posts,
        identities: e.identities,
        cases: e.cases,
        notes: e.notes,
        replies: e.replies,
        leads: e.leads,
    }))
}
