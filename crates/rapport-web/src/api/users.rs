use super::dto::{ErrorBody, Page, UserDto, UserList};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Query, State};

/// `GET /api/v1/users?offset=&limit=`: every user (admins only).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(Page), security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Query(page): Query<Page>,
) -> Result<Json<UserList>, ApiError> {
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
