//! `GET /api/v1/outbox`, `/outbox/{id}` and `POST /outbox/{id}/resend`: the replies on their
//! way to the networks, with the publisher's states.

use super::care_common::{bad_parameter, body, caller, limit, path, query};
use super::dto::ErrorBody;
use super::dto_care::{OutboxList, OutboxParams, ReplyDto, ResendBody};
use crate::{ApiError, AppState};
use axum::Extension;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use rapport_domain::care::{ReplyId, ReplyStatus};
use rapport_engine::accounts::Principal;

/// `GET /api/v1/outbox`: replies in id order, optionally in one state, a page at a time.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "outbox", params(OutboxParams), security(("bearer" = [])),
    responses((status = 200, body = OutboxList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    params: Result<Query<OutboxParams>, QueryRejection>,
) -> Result<Json<OutboxList>, ApiError> {
    caller(principal)?;
    let params = query(params)?;
    let status = match params.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<ReplyStatus>()
                .map_err(|e| bad_parameter("status", e))?,
        ),
    };
    let limit = limit(params.limit);
    let entries = state
        .engine
        .care()
        .outbox_entries(status, params.after.map(ReplyId), limit)
        .await?;
    let next = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.entry.id.0))
        .flatten();
    Ok(Json(OutboxList {
        entries: entries.into_iter().map(Into::into).collect(),
        next_after: next,
    }))
}

/// `GET /api/v1/outbox/{id}`: one reply with its state.
#[utoipa::path(get, path = "/api/v1/outbox/{id}", tag = "outbox", params(("id" = i64, Path, description = "outbox entry id")),
    security(("bearer" = [])),
    responses((status = 200, body = ReplyDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<ReplyDto>, ApiError> {
    caller(principal)?;
    let id = ReplyId(path(id)?);
    match state.engine.care().outbox_entry(id).await? {
        Some(entry) => Ok(Json(entry.into())),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no outbox entry {id}"),
        )),
    }
}

/// `POST /api/v1/outbox/{id}/resend`: `{"text": "..."}` queues a failed reply again with the
/// edited text (202). Only a failed reply can be resent: 409 `conflict` otherwise.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/resend", tag = "outbox", params(("id" = i64, Path, description = "outbox entry id")),
    request_body = ResendBody, security(("bearer" = [])),
    responses((status = 202, body = ReplyDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "reply_too_long, invalid_value (an empty reply)")))]
pub async fn resend(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<ResendBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ReplyDto>), ApiError> {
    let me = caller(principal)?;
    let id = ReplyId(path(id)?);
    let input = body(input)?;
    let care = state.engine.care();
    if care.outbox_entry(id).await?.is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no outbox entry {id}"),
        ));
    }
    let entry = care
        .resend_reply(id, &input.text, me.user.id, Utc::now())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(entry.into())))
}
