//! `GET /api/v1/reports/listening/authors`: top authors by volume or by reach.

use super::{API_POSTS, AuthorsDto, ListeningParams, request};
use crate::api::care_common::bad_parameter;
use crate::api::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use rapport_domain::listening::AuthorOrder;
use serde::Deserialize;
use utoipa::IntoParams;

/// How the authors are ranked.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrderParams {
    /// `volume` (most posts, the default) or `reach` (most followers where a source gave them;
    /// the others after, by engagement: likes, reposts, replies and quotes).
    order: Option<String>,
}

/// `GET /api/v1/reports/listening/authors`: the top authors of the period, by volume or by
/// reach, each with their posts, followers and engagement.
#[utoipa::path(get, path = "/api/v1/reports/listening/authors", tag = "reports", params(ListeningParams, OrderParams), security(("bearer" = [])),
    responses((status = 200, body = AuthorsDto),
        (status = 400, body = ErrorBody, description = "a parameter that cannot be read, or a topic that does not exist (`invalid_parameter`, naming it)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "an empty period or too many buckets (`invalid_value`)")))]
pub async fn authors(
    State(state): State<AppState>,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<AuthorsDto>, ApiError> {
    let order = match &pairs {
        Ok(Query(p)) => p
            .iter()
            .rev()
            .find(|(k, v)| k == "order" && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_ascii_lowercase()),
        Err(_) => None,
    };
    let (order, name) = match order.as_deref() {
        None | Some("volume") => (AuthorOrder::Volume, "volume"),
        Some("reach") => (AuthorOrder::Reach, "reach"),
        Some(other) => {
            return Err(bad_parameter(
                "order",
                format!("expected volume or reach, got '{other}'"),
            ));
        }
    };
    let r = request(&state, pairs).await?;
    let rows = state
        .engine
        .listening_authors(&r.filter, order, r.top)
        .await?;
    Ok(Json(super::authors_dto(API_POSTS, &r, name, &rows)))
}
