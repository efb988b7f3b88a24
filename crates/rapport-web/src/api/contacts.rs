//! `/api/v1/contacts/{id}`: a contact with its identities, fields, leads and cases; its
//! fields changed; its timeline; merging another contact into it and splitting an identity
//! off.

use super::care_common::{body, limit, path, query};
use super::dto::ErrorBody;
use super::dto_care::{
    ContactCaseDto, ContactDetail, ContactDto, ContactPatch, LimitParams, MergeBody, SplitBody,
    Timeline, TimelineEntryDto,
};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use rapport_domain::care::LifecycleStage;
use rapport_domain::{Contact, ContactId, IdentityId};
use rapport_engine::care::{Care, CareError};

/// The contact, or 404.
async fn contact(care: &Care, id: ContactId) -> Result<Contact, ApiError> {
    care.contact(id).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no contact {id}"),
        )
    })
}

async fn detail(care: &Care, id: ContactId) -> Result<ContactDetail, ApiError> {
    let c = contact(care, id).await?;
    let fields = care.contact_fields(id).await?;
    let leads = care.contact_leads(id).await?;
    let cases = care.contact_cases(id).await?;
    Ok(ContactDetail {
        contact: ContactDto::new(c, fields),
        leads: leads.into_iter().map(Into::into).collect(),
        cases: cases
            .into_iter()
            .map(|r| ContactCaseDto {
                id: r.case.id.0,
                status: r.case.status.to_string(),
                priority: r.case.priority.to_string(),
                opened_at: r.case.opened_at.to_rfc3339(),
            })
            .collect(),
    })
}

/// `GET /api/v1/contacts/{id}`.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path, description = "contact id")),
    security(("bearer" = [])),
    responses((status = 200, body = ContactDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<ContactDetail>, ApiError> {
    let id = ContactId(path(id)?);
    Ok(Json(detail(&state.engine.care(), id).await?))
}

/// `PATCH /api/v1/contacts/{id}`: changes the fields named; an absent one is kept, `null`
/// clears it.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path, description = "contact id")),
    request_body = ContactPatch, security(("bearer" = [])),
    responses((status = 200, body = ContactDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "invalid_value (names the field)")))]
pub async fn update(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<ContactPatch>, JsonRejection>,
) -> Result<Json<ContactDetail>, ApiError> {
    let id = ContactId(path(id)?);
    let patch = body(input)?;
    let care = state.engine.care();
    let c = contact(&care, id).await?;
    let mut fields = care.contact_fields(id).await?.unwrap_or_default();
    fields.name = patch.name.unwrap_or(c.name);
    if let Some(v) = patch.email {
        fields.email = v;
    }
    if let Some(v) = patch.company {
        fields.company = v;
    }
    if let Some(v) = patch.crm_id {
        fields.crm_id = v;
    }
    if let Some(tags) = patch.tags {
        fields.tags = tags.into_iter().collect();
    }
    if let Some(stage) = patch.stage {
        fields.stage = stage
            .map(|s| s.parse::<LifecycleStage>())
            .transpose()
            .map_err(|e| ApiError::unprocessable("invalid_value", format!("stage: {e}")))?;
    }
    care.set_contact_fields(id, &fields).await?;
    Ok(Json(detail(&care, id).await?))
}

/// `GET /api/v1/contacts/{id}/timeline?limit=`: the contact's touchpoints oldest first
/// (posts, cases opened, notes, replies), at most `limit`.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/timeline", tag = "contacts",
    params(("id" = i64, Path, description = "contact id"), LimitParams), security(("bearer" = [])),
    responses((status = 200, body = Timeline), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    params: Result<Query<LimitParams>, QueryRejection>,
) -> Result<Json<Timeline>, ApiError> {
    let id = ContactId(path(id)?);
    let limit = limit(query(params)?.limit) as usize;
    let care = state.engine.care();
    contact(&care, id).await?;
    // The timeline is the newest touchpoints, oldest first: one more than shown tells whether
    // earlier ones were left out, and it is the first, so it is the one dropped.
    let mut entries = care.timeline(id, limit as u32 + 1).await?;
    let truncated = entries.len() > limit;
    if truncated {
        entries.remove(0);
    }
    Ok(Json(Timeline {
        contact_id: id.0,
        entries: entries.into_iter().map(TimelineEntryDto::from).collect(),
        truncated,
    }))
}

/// `POST /api/v1/contacts/{id}/merge`: `{"absorb": 7}` merges contact 7 into this one (its
/// identities, cases, leads and the fields this one lacks move over).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/merge", tag = "contacts", params(("id" = i64, Path, description = "the contact kept")),
    request_body = MergeBody, security(("bearer" = [])),
    responses((status = 200, body = ContactDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "unknown_contact, invalid_value (itself, or one merged already)")))]
pub async fn merge(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<MergeBody>, JsonRejection>,
) -> Result<Json<ContactDetail>, ApiError> {
    let keep = ContactId(path(id)?);
    let input = body(input)?;
    let absorb = ContactId(input.absorb);
    let care = state.engine.care();
    contact(&care, keep).await?;
    if let Some(into) = care.contact_fields(keep).await?.and_then(|f| f.merged_into) {
        return Err(ApiError::unprocessable(
            "invalid_value",
            format!("contact {keep} was merged into {into}: merge into {into} instead"),
        ));
    }
    match care.merge_contacts(keep, absorb).await {
        Ok(()) => Ok(Json(detail(&care, keep).await?)),
        Err(CareError::NotFound(_)) => Err(ApiError::unprocessable(
            "unknown_contact",
            format!("absorb: no contact {absorb}"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/v1/contacts/{id}/split`: `{"identity_id": 12, "name": "..."}` splits one of the
/// contact's identities off into a new contact (201, the new contact), with the cases its
/// posts opened.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/split", tag = "contacts", params(("id" = i64, Path, description = "contact id")),
    request_body = SplitBody, security(("bearer" = [])),
    responses((status = 201, body = ContactDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "unknown_identity, invalid_value (its only identity, an empty name)")))]
pub async fn split(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<SplitBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ContactDetail>), ApiError> {
    let id = ContactId(path(id)?);
    let input = body(input)?;
    let identity = IdentityId(input.identity_id);
    let care = state.engine.care();
    let c = contact(&care, id).await?;
    if !c.identities.iter().any(|i| i.id == identity) {
        return Err(ApiError::unprocessable(
            "unknown_identity",
            format!("identity_id: contact {id} has no identity {identity}"),
        ));
    }
    let new = care.split_identity(identity, &input.name).await?;
    Ok((StatusCode::CREATED, Json(detail(&care, new).await?)))
}
