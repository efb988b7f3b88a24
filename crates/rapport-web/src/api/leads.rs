//! `GET /api/v1/leads`: contacts flagged as leads by their posts' intent, newest first.

use super::care_common::{limit, query};
use super::dto::ErrorBody;
use super::dto_care::{LeadList, LimitParams};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

/// `GET /api/v1/leads?limit=`.
#[utoipa::path(get, path = "/api/v1/leads", tag = "contacts", params(LimitParams), security(("bearer" = [])),
    responses((status = 200, body = LeadList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    params: Result<Query<LimitParams>, QueryRejection>,
) -> Result<Json<LeadList>, ApiError> {
    let limit = limit(query(params)?.limit);
    let leads = state.engine.care().leads(limit).await?;
    Ok(Json(LeadList {
        leads: leads.into_iter().map(Into::into).collect(),
    }))
}
