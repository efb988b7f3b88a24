//! `GET/POST /api/v1/views` and `DELETE /api/v1/views/{id}`: the caller's saved inbox views
//! (their own and their teams') with their live counts; saving one; removing one they own.

use super::care_common::{caller, path};
use super::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use rapport_domain::TeamId;
use rapport_domain::care::{InboxFilter, InboxView, SavedViewId};
use rapport_engine::accounts::Principal;
use rapport_engine::care::{ViewWithCount, as_seen_by};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A saved view as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ViewDto {
    pub id: i64,
    pub name: String,
    pub owner_id: i64,
    /// The team that sees it; absent for a personal view.
    pub team_id: Option<i64>,
    /// The view it narrows: `all_open`, `mine` (whoever opens it), `unassigned`, `at_risk`,
    /// `team:ID`, `topic:ID` or `priority:NAME`.
    pub view: String,
    /// The filters, as `GET /api/v1/cases` takes them (`{"sentiment": "negative"}`).
    #[schema(value_type = Object)]
    pub filters: serde_json::Map<String, serde_json::Value>,
    /// Active cases it holds now (for views listed).
    pub count: Option<u64>,
    /// Whether the caller owns it (and may delete it).
    pub own: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViewList {
    pub views: Vec<ViewDto>,
}

/// `POST /api/v1/views`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewView {
    pub name: String,
    /// A team of the caller's, for a team view; absent for a personal one.
    pub team_id: Option<i64>,
    /// As in [`ViewDto::view`]; default `all_open`.
    pub view: Option<String>,
    /// Filter name to value, as `GET /api/v1/cases` takes them.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub filters: std::collections::BTreeMap<String, String>,
}

fn view_key(v: InboxView) -> String {
    match v {
        InboxView::Mine(_) => "mine".into(),
        InboxView::Unassigned => "unassigned".into(),
        InboxView::AllOpen => "all_open".into(),
        InboxView::AtRisk => "at_risk".into(),
        InboxView::Team(t) => format!("team:{t}"),
        InboxView::Topic(t) => format!("topic:{t}"),
        InboxView::Priority(p) => format!("priority:{p}"),
    }
}

fn parse_view(s: &str, me: rapport_domain::UserId) -> Result<InboxView, ApiError> {
    let bad = || {
        super::care_common::bad_parameter(
            "view",
            format!(
                "unknown view '{s}' (expected all_open, mine, unassigned, at_risk, team:ID, \
                 topic:ID or priority:NAME)"
            ),
        )
    };
    Ok(match s {
        "all_open" => InboxView::AllOpen,
        "mine" => InboxView::Mine(me),
        "unassigned" => InboxView::Unassigned,
        "at_risk" => InboxView::AtRisk,
        _ => {
            let (kind, arg) = s.split_once(':').ok_or_else(bad)?;
            match kind {
                "team" => InboxView::Team(TeamId(arg.parse().map_err(|_| bad())?)),
                "topic" => {
                    InboxView::Topic(rapport_domain::TopicId(arg.parse().map_err(|_| bad())?))
                }
                "priority" => InboxView::Priority(arg.parse().map_err(|_| bad())?),
                _ => return Err(bad()),
            }
        }
    })
}

fn dto(v: &ViewWithCount, count: Option<u64>) -> ViewDto {
    ViewDto {
        id: v.view.id.0,
        name: v.view.name.clone(),
        owner_id: v.view.owner.0,
        team_id: v.view.team.map(|t| t.0),
        view: view_key(v.view.view),
        filters: v
            .view
            .filter
            .params()
            .into_iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
            .collect(),
        count,
        own: v.own,
    }
}

/// `GET /api/v1/views`: the caller's views and their teams', by name, with live counts.
#[utoipa::path(get, path = "/api/v1/views", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = ViewList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
) -> Result<Json<ViewList>, ApiError> {
    let me = caller(principal)?;
    let views = state.engine.care().saved_views(me.user.id).await?;
    Ok(Json(ViewList {
        views: views.iter().map(|v| dto(v, Some(v.count))).collect(),
    }))
}

/// `POST /api/v1/views`: saves a filter set under a name, personal or for one of the caller's
/// teams. 409 when the caller has a view of that name.
#[utoipa::path(post, path = "/api/v1/views", tag = "cases", request_body = NewView, security(("bearer" = [])),
    responses((status = 201, body = ViewDto), (status = 400, body = ErrorBody, description = "invalid_body, invalid_parameter"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "a name that is empty or too long, a team the caller is not in")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    body: Result<Json<NewView>, JsonRejection>,
) -> Result<(StatusCode, Json<ViewDto>), ApiError> {
    let me = caller(principal)?;
    let Json(new) = body.map_err(|e| ApiError::bad_request("invalid_body", e.body_text()))?;
    if let Some(k) = new
        .filters
        .keys()
        .find(|k| !rapport_domain::care::FILTER_PARAMS.contains(&k.as_str()))
    {
        return Err(super::care_common::bad_parameter(
            "filters",
            format!("unknown filter '{k}'"),
        ));
    }
    let (filter, problems) = InboxFilter::from_params(|k| new.filters.get(k).map(String::as_str));
    if !problems.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            problems.join(" "),
        ));
    }
    let view = parse_view(new.view.as_deref().unwrap_or("all_open"), me.user.id)?;
    let care = state.engine.care();
    let saved = care
        .save_view(me.user.id, &new.name, new.team_id.map(TeamId), view, filter)
        .await?;
    let count = care
        .filtered_counts(&[(as_seen_by(saved.view, me.user.id), saved.filter.clone())])
        .await?
        .first()
        .copied();
    let shown = ViewWithCount {
        view: saved,
        count: count.unwrap_or(0),
        own: true,
    };
    Ok((StatusCode::CREATED, Json(dto(&shown, count))))
}

/// `DELETE /api/v1/views/{id}`: removes a view the caller owns (404 for any other).
#[utoipa::path(delete, path = "/api/v1/views/{id}", tag = "cases", params(("id" = i64, Path, description = "view id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let me = caller(principal)?;
    let id = path(id)?;
    state
        .engine
        .care()
        .delete_view(me.user.id, SavedViewId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
