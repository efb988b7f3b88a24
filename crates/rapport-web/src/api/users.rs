use super::dto::{ErrorBody, Page, UserDto, UserList};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

/// `GET /api/v1/users?offset=&limit=`: every user (admins only).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(Page), security(("bearer" = [])),
    responses((status = 400, body = ErrorBody, description = "invalid_parameter"), (status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    page: Result<Query<Page>, QueryRejection>,
) -> Result<Json<UserList>, ApiError> {
    let page = super::care_common::query(page)?;
    let all = state.accounts.users().await?;
    let count = all.len();
    let users = all
        .into_iter()
        .skip(super::clamp_offset(page.offset))
        .take(super::clamp_limit(page.limit))
        .map(UserDto::from)
        .collect();
    Ok(Json(UserList { count, users }))
}
