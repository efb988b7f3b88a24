//! `GET /api/v1/reports/listening/posts`: the posts behind a figure.

use super::{ListeningParams, PostsParams, request};
use crate::api::dto::{ErrorBody, PostDto};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Serialize;
use utoipa::ToSchema;

/// The posts a figure counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListeningPostsDto {
    /// Every post under the filter, however many are listed.
    pub count: u64,
    /// Newest first, `limit` from `offset`.
    pub posts: Vec<PostDto>,
}

/// `GET /api/v1/reports/listening/posts`: the posts under the filter, newest first, with
/// their count: what every `posts_url` of the listening reports asks for. Narrow it with
/// `sentiment`, `intent`, `author`, `hashtag` or `term` as the figures' links do.
#[utoipa::path(get, path = "/api/v1/reports/listening/posts", tag = "reports", params(ListeningParams, PostsParams), security(("bearer" = [])),
    responses((status = 200, body = ListeningPostsDto),
        (status = 400, body = ErrorBody, description = "a parameter that cannot be read, or a topic that does not exist (`invalid_parameter`, naming it)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "an empty period (`invalid_value`)")))]
pub async fn posts(
    State(state): State<AppState>,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ListeningPostsDto>, ApiError> {
    let r = request(&state, pairs).await?;
    let found = state
        .engine
        .listening_posts(&r.filter, r.term.as_deref(), r.limit, r.offset)
        .await?;
    Ok(Json(ListeningPostsDto {
        count: found.count,
        posts: found.posts.into_iter().map(PostDto::from).collect(),
    }))
}
