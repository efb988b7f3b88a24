//! `/api/v1/publications`: compose once for several channels, preview each network's variant,
//! review, schedule, and follow what went out. (`/api/v1/posts` stays the search over stored
//! posts.)

use super::care_common::{bad_parameter, body, caller, limit, path, query};
use super::dto::ErrorBody;
use super::dto_publish::{
    PreviewDto, PublicationDto, PublicationInput, PublicationList, PublicationParams, ReviewInput,
};
use crate::{ApiError, AppState};
use axum::Extension;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use rapport_domain::publication::{PublicationId, PublicationQuery, PublicationStatus};
use rapport_engine::accounts::Principal;

fn not_found(id: PublicationId) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no publication {id}"),
    )
}

async fn view(state: &AppState, id: PublicationId) -> Result<PublicationDto, ApiError> {
    match state.engine.publications().get(id, Utc::now()).await? {
        Some(v) => Ok(v.into()),
        None => Err(not_found(id)),
    }
}

/// `GET /api/v1/publications`: newest first a page at a time, or the ones in a time range
/// (the calendar), optionally of some statuses.
#[utoipa::path(get, path = "/api/v1/publications", tag = "publications", params(PublicationParams),
    security(("bearer" = [])),
    responses((status = 200, body = PublicationList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    params: Result<Query<PublicationParams>, QueryRejection>,
) -> Result<Json<PublicationList>, ApiError> {
    caller(principal)?;
    let params = query(params)?;
    let statuses = params
        .status
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<PublicationStatus>()
                .map_err(|e| bad_parameter("status", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let instant =
        |name: &str, v: &Option<String>| -> Result<Option<chrono::DateTime<Utc>>, ApiError> {
            v.as_deref()
                .map(|t| {
                    chrono::DateTime::parse_from_rfc3339(t.trim())
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(|e| bad_parameter(name, e))
                })
                .transpose()
        };
    let (from, until) = (
        instant("from", &params.from)?,
        instant("until", &params.until)?,
    );
    if let (Some(from), Some(until)) = (from, until)
        && until <= from
    {
        return Err(bad_parameter("until", "must be after from"));
    }
    let limit = limit(params.limit);
    let ranged = from.is_some() || until.is_some();
    let views = state
        .engine
        .publications()
        .list(
            &PublicationQuery {
                statuses,
                from,
                until,
                before: params.before.map(PublicationId),
                limit,
            },
            Utc::now(),
        )
        .await?;
    let next_before = (!ranged && views.len() == limit as usize)
        .then(|| views.last().map(|v| v.publication.id.0))
        .flatten();
    Ok(Json(PublicationList {
        publications: views.into_iter().map(Into::into).collect(),
        next_before,
    }))
}

/// `GET /api/v1/publications/{id}`.
#[utoipa::path(get, path = "/api/v1/publications/{id}", tag = "publications",
    params(("id" = i64, Path, description = "publication id")), security(("bearer" = [])),
    responses((status = 200, body = PublicationDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<PublicationDto>, ApiError> {
    caller(principal)?;
    Ok(Json(view(&state, PublicationId(path(id)?)).await?))
}

/// `POST /api/v1/publications`: a new draft (201). Unknown channels and time zones are 422.
#[utoipa::path(post, path = "/api/v1/publications", tag = "publications", request_body = PublicationInput,
    security(("bearer" = [])),
    responses((status = 201, body = PublicationDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    input: Result<Json<PublicationInput>, JsonRejection>,
) -> Result<(StatusCode, Json<PublicationDto>), ApiError> {
    let me = caller(principal)?;
    let input = body(input)?;
    let p = state
        .engine
        .publications()
        .compose(me.user.id, &input.draft()?, Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json(view(&state, p.id).await?)))
}

/// `PUT /api/v1/publications/{id}`: new text, channels or time, naming the `version` read.
/// A new text or channels on a publication in review or scheduled sends it back to a draft;
/// a new time alone keeps it where it is. 409 when it changed meanwhile or went out.
#[utoipa::path(put, path = "/api/v1/publications/{id}", tag = "publications",
    params(("id" = i64, Path, description = "publication id")), request_body = PublicationInput,
    security(("bearer" = [])),
    responses((status = 200, body = PublicationDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<PublicationInput>, JsonRejection>,
) -> Result<Json<PublicationDto>, ApiError> {
    caller(principal)?;
    let id = PublicationId(path(id)?);
    let input = body(input)?;
    let version = input.version.ok_or_else(|| {
        ApiError::bad_request("invalid_body", "version: name the version you read")
    })?;
    state
        .engine
        .publications()
        .edit(id, version, &input.draft()?, Utc::now())
        .await?;
    Ok(Json(view(&state, id).await?))
}

/// `DELETE /api/v1/publications/{id}`: removes a draft or one in review (204).
#[utoipa::path(delete, path = "/api/v1/publications/{id}", tag = "publications",
    params(("id" = i64, Path, description = "publication id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    caller(principal)?;
    state
        .engine
        .publications()
        .delete(PublicationId(path(id)?))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/publications/preview`: each channel's variant as it would go out, part by
/// part, counted as its network counts. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/publications/preview", tag = "publications", request_body = PublicationInput,
    security(("bearer" = [])),
    responses((status = 200, body = PreviewDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    input: Result<Json<PublicationInput>, JsonRejection>,
) -> Result<Json<PreviewDto>, ApiError> {
    caller(principal)?;
    let input = body(input)?;
    let variants = state.engine.publications().preview(&input.draft()?).await?;
    Ok(Json(PreviewDto {
        variants: variants.into_iter().map(Into::into).collect(),
    }))
}

/// Which review step a `POST /api/v1/publications/{id}/{step}` takes.
#[derive(Debug, Clone, Copy)]
enum Step {
    Submit,
    Approve,
    SendBack,
    Unschedule,
}

async fn step(
    state: &AppState,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<ReviewInput>, JsonRejection>,
    step: Step,
) -> Result<Json<PublicationDto>, ApiError> {
    let me = caller(principal)?;
    let id = PublicationId(path(id)?);
    let input = body(input)?;
    let p = state.engine.publications();
    let now = Utc::now();
    match step {
        Step::Submit => p.submit(id, input.version, now).await?,
        Step::Approve => p.approve(id, input.version, me.user.id, now).await?,
        Step::SendBack => {
            p.send_back(
                id,
                input.version,
                me.user.id,
                input.comment.as_deref().unwrap_or(""),
                now,
            )
            .await?
        }
        Step::Unschedule => p.unschedule(id, input.version, now).await?,
    };
    Ok(Json(view(state, id).await?))
}

/// `POST /api/v1/publications/{id}/submit`: to review when the team requires approval,
/// else onto the schedule (at its time, or at once without one).
#[utoipa::path(post, path = "/api/v1/publications/{id}/submit", tag = "publications",
    params(("id" = i64, Path, description = "publication id")), request_body = ReviewInput,
    security(("bearer" = [])),
    responses((status = 200, body = PublicationDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<ReviewInput>, JsonRejection>,
) -> Result<Json<PublicationDto>, ApiError> {
    step(&state, principal, id, input, Step::Submit).await
}

/// `POST /api/v1/publications/{id}/approve`: an approver (not its author) lets it go out at
/// its time.
#[utoipa::path(post, path = "/api/v1/publications/{id}/approve", tag = "publications",
    params(("id" = i64, Path, description = "publication id")), request_body = ReviewInput,
    security(("bearer" = [])),
    responses((status = 200, body = PublicationDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "the author approving their own")))]
pub async fn approve(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<ReviewInput>, JsonRejection>,
) -> Result<Json<PublicationDto>, ApiError> {
    step(&state, principal, id, input, Step::Approve).await
}

/// `POST /api/v1/publications/{id}/send-back`: back to its author as a draft, with a
/// `comment` saying what to change.
#[utoipa::path(post, path = "/api/v1/publications/{id}/send-back", tag = "publications",
    params(("id" = i64, Path, description = "publication id")), request_body = ReviewInput,
    security(("bearer" = [])),
    responses((status = 200, body = PublicationDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn send_back(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<ReviewInput>, JsonRejection>,
) -> Result<Json<PublicationDto>, ApiError> {
    step(&state, principal, id, input, Step::SendBack).await
}

/// `POST /api/v1/publications/{id}/unschedule`: off the schedule (or out of review), back to
/// a draft, before it goes out.
#[utoipa::path(post, path = "/api/v1/publications/{id}/unschedule", tag = "publications",
    params(("id" = i64, Path, description = "publication id")), request_body = ReviewInput,
    security(("bearer" = [])),
    responses((status = 200, body = PublicationDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn unschedule(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
    input: Result<Json<ReviewInput>, JsonRejection>,
) -> Result<Json<PublicationDto>, ApiError> {
    step(&state, principal, id, input, Step::Unschedule).await
}
