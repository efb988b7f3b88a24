use super::dto::{ErrorBody, Me};
use crate::ApiError;
use axum::{Extension, Json};
use rapport_domain::Permission;
use rapport_engine::accounts::Principal;

/// `GET /api/v1/me`: who the token belongs to and what it may do.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Option<Extension<Principal>>) -> Result<Json<Me>, ApiError> {
    let Some(Extension(p)) = caller else {
        return Err(ApiError::unauthorized());
    };
    let permissions = Permission::ALL
        .into_iter()
        .filter(|x| p.can(*x))
        .map(|x| x.as_str().to_string())
        .collect();
    Ok(Json(Me {
        user: p.user.into(),
        permissions,
    }))
}
