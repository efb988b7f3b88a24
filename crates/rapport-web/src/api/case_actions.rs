//! Case actions through the API: assignment, status, priority, tags, notes and replies. Each
//! goes through the engine's inbox use case, so it writes its audit event naming the token's
//! user. `If-Match` (or the body's `version`) goes to the engine, which makes the change
//! conditional on the case not having changed since the caller read it, down to the store's
//! save.

use super::care_common::{body, caller, etag, expect_version, path, saving};
use super::dto::ErrorBody;
use super::dto_care::{
    AssignBody, CaseDto, NoteBody, NoteDto, PriorityBody, ReplyBody, ReplyDto, StatusAction,
    StatusBody, TagBody,
};
use crate::{ApiError, AppState};
use axum::Extension;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use rapport_domain::care::CaseRecord;
use rapport_domain::{CaseError, CaseId, CaseStatus, Permission, Priority, TeamId, UserId};
use rapport_engine::accounts::{AccountError, Principal};
use rapport_engine::care::CareError;

type CaseAnswer = Result<(HeaderMap, Json<CaseDto>), ApiError>;

fn answer(record: CaseRecord) -> CaseAnswer {
    Ok((etag(record.version), Json(record.into())))
}

/// The agent a case may be assigned to: an active user who may work cases.
async fn assignee(state: &AppState, id: i64) -> Result<UserId, ApiError> {
    let user = match state.accounts.user(UserId(id)).await {
        Ok(u) => u,
        Err(AccountError::NoSuchUser(_)) => {
            return Err(ApiError::unprocessable(
                "unknown_user",
                format!("user_id: no user {id}"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if !user.active || !user.can(Permission::WriteCases) {
        return Err(ApiError::unprocessable(
            "not_assignable",
            format!(
                "user_id: {} is {}",
                user.name,
                if user.active {
                    "not allowed to work cases"
                } else {
                    "deactivated"
                }
            ),
        ));
    }
    Ok(user.id)
}

/// `POST /api/v1/cases/{id}/assign`: `{"user_id": 3}` assigns, `{"user_id": null}`
/// unassigns, `team_id` moves the case to a team's queue (`null`: off any).
#[utoipa::path(post, path = "/api/v1/cases/{id}/assign", tag = "cases", params(("id" = i64, Path, description = "case id"),
        ("If-Match" = Option<String>, Header, description = "the case's version (its ETag)")),
    request_body = AssignBody, security(("bearer" = [])),
    responses((status = 200, body = CaseDto), (status = 400, body = ErrorBody, description = "invalid_body"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "version_conflict"),
        (status = 422, body = ErrorBody, description = "unknown_user, not_assignable, unknown_team")))]
pub async fn assign(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    input: Result<Json<AssignBody>, JsonRejection>,
) -> CaseAnswer {
    let me = caller(principal)?;
    let id = CaseId(path(id)?);
    let input = body(input)?;
    let care = state.engine.care();
    let (care, mut record) = expect_version(&care, id, &headers, input.version).await?;
    let to = match input.user_id {
        Some(Some(u)) => Some(Some(assignee(&state, u).await?)),
        Some(None) => Some(None),
        None => None,
    };
    // Both parts are checked before either is made, so a refused team leaves the assignee.
    if let Some(Some(team)) = input.team_id {
        // An unknown team is `NoSuchTeam`.
        care.team(TeamId(team)).await?;
    }
    let now = Utc::now();
    if let Some(to) = to {
        record = care.assign(id, to, me.user.id, now).await.map_err(saving)?;
    }
    if let Some(team) = input.team_id {
        // On the version the assignment left, so nobody else's change slips in between.
        record = care
            .at_version(Some(record.version))
            .set_team(id, team.map(TeamId), me.user.id, now)
            .await
            .map_err(saving)?;
    }
    answer(record)
}

/// What a refused status move says: the move in the API's words and what the case allows.
fn refused(id: CaseId, from: CaseStatus, action: StatusAction) -> ApiError {
    let allowed: Vec<&str> = StatusAction::ALL
        .into_iter()
        .filter(|a| from.transition(a.domain()).is_ok())
        .map(StatusAction::as_str)
        .collect();
    ApiError::new(
        StatusCode::CONFLICT,
        "illegal_transition",
        format!(
            "cannot apply '{}' to case {id}, which is {from} (a {from} case allows: {})",
            action.as_str(),
            if allowed.is_empty() {
                "nothing".to_string()
            } else {
                allowed.join(", ")
            }
        ),
    )
}

/// `POST /api/v1/cases/{id}/status`: `{"action": "open" | "pending" | "resolve" | "close" |
/// "reopen"}` through the case state machine; a move the case's status does not allow is
/// 409 `illegal_transition`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/status", tag = "cases", params(("id" = i64, Path, description = "case id"),
        ("If-Match" = Option<String>, Header, description = "the case's version (its ETag)")),
    request_body = StatusBody, security(("bearer" = [])),
    responses((status = 200, body = CaseDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "illegal_transition, version_conflict")))]
pub async fn status(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    input: Result<Json<StatusBody>, JsonRejection>,
) -> CaseAnswer {
    let me = caller(principal)?;
    let id = CaseId(path(id)?);
    let input = body(input)?;
    let care = state.engine.care();
    let (care, _) = expect_version(&care, id, &headers, input.version).await?;
    match care
        .apply(id, input.action.domain(), me.user.id, Utc::now())
        .await
    {
        Ok(record) => answer(record),
        Err(CareError::Case(CaseError::IllegalTransition { from, .. })) => {
            Err(refused(id, from, input.action))
        }
        Err(e) => Err(saving(e)),
    }
}

/// `POST /api/v1/cases/{id}/priority`: `{"priority": "urgent" | "high" | "normal" | "low"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/priority", tag = "cases", params(("id" = i64, Path, description = "case id"),
        ("If-Match" = Option<String>, Header, description = "the case's version (its ETag)")),
    request_body = PriorityBody, security(("bearer" = [])),
    responses((status = 200, body = CaseDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "invalid_value")))]
pub async fn priority(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    input: Result<Json<PriorityBody>, JsonRejection>,
) -> CaseAnswer {
    let me = caller(principal)?;
    let id = CaseId(path(id)?);
    let input = body(input)?;
    let priority: Priority = input.priority.parse().map_err(|e: CaseError| {
        ApiError::unprocessable("invalid_value", format!("priority: {e}"))
    })?;
    let care = state.engine.care();
    let (care, _) = expect_version(&care, id, &headers, input.version).await?;
    let record = care
        .set_priority(id, priority, me.user.id, Utc::now())
        .await
        .map_err(saving)?;
    answer(record)
}

/// `POST /api/v1/cases/{id}/tags`: `{"tag": "billing"}`; a tag the case has changes nothing.
#[utoipa::path(post, path = "/api/v1/cases/{id}/tags", tag = "cases", params(("id" = i64, Path, description = "case id"),
        ("If-Match" = Option<String>, Header, description = "the case's version (its ETag)")),
    request_body = TagBody, security(("bearer" = [])),
    responses((status = 200, body = CaseDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "invalid_tag")))]
pub async fn add_tag(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    input: Result<Json<TagBody>, JsonRejection>,
) -> CaseAnswer {
    let me = caller(principal)?;
    let id = CaseId(path(id)?);
    let input = body(input)?;
    let care = state.engine.care();
    let (care, _) = expect_version(&care, id, &headers, input.version).await?;
    let record = care
        .add_tag(id, &input.tag, me.user.id, Utc::now())
        .await
        .map_err(saving)?;
    answer(record)
}

/// `DELETE /api/v1/cases/{id}/tags/{tag}`; a tag the case does not have changes nothing.
#[utoipa::path(delete, path = "/api/v1/cases/{id}/tags/{tag}", tag = "cases",
    params(("id" = i64, Path, description = "case id"), ("tag" = String, Path, description = "the tag"),
        ("If-Match" = Option<String>, Header, description = "the case's version (its ETag)")),
    security(("bearer" = [])),
    responses((status = 200, body = CaseDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "invalid_tag")))]
pub async fn remove_tag(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    ids: Result<Path<(i64, String)>, PathRejection>,
    headers: HeaderMap,
) -> CaseAnswer {
    let me = caller(principal)?;
    let (id, tag) = path(ids)?;
    let id = CaseId(id);
    let care = state.engine.care();
    let (care, _) = expect_version(&care, id, &headers, None).await?;
    let record = care
        .remove_tag(id, &tag, me.user.id, Utc::now())
        .await
        .map_err(saving)?;
    answer(record)
}

/// `POST /api/v1/cases/{id}/notes`: `{"text": "..."}`, an internal note (never published).
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", params(("id" = i64, Path, description = "case id"),
        ("If-Match" = Option<String>, Header, description = "the case's version (its ETag)")),
    request_body = NoteBody, security(("bearer" = [])),
    responses((status = 201, body = NoteDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "invalid_value (an empty note)")))]
pub async fn add_note(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    input: Result<Json<NoteBody>, JsonRejection>,
) -> Result<(StatusCode, Json<NoteDto>), ApiError> {
    let me = caller(principal)?;
    let id = CaseId(path(id)?);
    let input = body(input)?;
    let care = state.engine.care();
    let (care, _) = expect_version(&care, id, &headers, input.version).await?;
    let note = care
        .add_note(id, me.user.id, &input.text, Utc::now())
        .await
        .map_err(saving)?;
    Ok((StatusCode::CREATED, Json(note.into())))
}

/// `POST /api/v1/cases/{id}/replies`: `{"text": "...", "idempotency_key": "..."}` queues a
/// reply in the outbox (202: the publisher sends it later). A reply longer than the network
/// allows is 422 `reply_too_long`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/replies", tag = "cases", params(("id" = i64, Path, description = "case id"),
        ("If-Match" = Option<String>, Header, description = "the case's version (its ETag)")),
    request_body = ReplyBody, security(("bearer" = [])),
    responses((status = 202, body = ReplyDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "reply_too_long, invalid_value (an empty reply)")))]
pub async fn queue_reply(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    input: Result<Json<ReplyBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ReplyDto>), ApiError> {
    let me = caller(principal)?;
    let id = CaseId(path(id)?);
    let input = body(input)?;
    let care = state.engine.care();
    let (care, _) = expect_version(&care, id, &headers, input.version).await?;
    // Without a key of the caller's, each request is its own reply.
    let key = input
        .idempotency_key
        .unwrap_or_else(|| format!("api-{}", hex::encode(rand::random::<[u8; 16]>())));
    let entry = care
        .queue_reply(id, me.user.id, &input.text, &key, Utc::now())
        .await
        .map_err(saving)?;
    Ok((StatusCode::ACCEPTED, Json(entry.into())))
}
