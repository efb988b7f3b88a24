//! `GET /api/v1/cases`, `/cases/counts` and `/cases/{id}`: the shared inbox read through
//! the API.
//!
//! A page of a list ends with an opaque `next` cursor. It wraps the store's keyset position
//! together with the view and sort it was made for, so a cursor handed to another view is
//! refused (400 `invalid_cursor`) instead of starting somewhere meaningless.

use super::care_common::{bad_parameter, caller, etag, limit, path, query};
use super::dto::ErrorBody;
use super::dto_care::{
    CaseCounts, CaseDetail, CaseDto, CaseList, CaseListParams, CaseSummaryDto, ContactDto,
    PriorityCount, TeamCount, TopicCount,
};
use crate::{ApiError, AppState};
use axum::Extension;
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use rapport_domain::care::{InboxCursor, InboxQuery, InboxSort, InboxView, PageStart};
use rapport_domain::{CaseId, Priority, TeamId, TopicId, UserId};
use rapport_engine::accounts::Principal;

/// The view named by the parameters; `me` is the token's user.
fn view(p: &CaseListParams, me: UserId) -> Result<InboxView, ApiError> {
    let needs = |name: &str| {
        bad_parameter(
            name,
            format!("view={} needs it", p.view.as_deref().unwrap_or("")),
        )
    };
    Ok(match p.view.as_deref().unwrap_or("all_open") {
        "all_open" => InboxView::AllOpen,
        "mine" => InboxView::Mine(me),
        "unassigned" => InboxView::Unassigned,
        "at_risk" => InboxView::AtRisk,
        "team" => InboxView::Team(TeamId(p.team.ok_or_else(|| needs("team"))?)),
        "topic" => InboxView::Topic(TopicId(p.topic.ok_or_else(|| needs("topic"))?)),
        "priority" => {
            let name = p.priority.as_deref().ok_or_else(|| needs("priority"))?;
            InboxView::Priority(
                name.parse::<Priority>()
                    .map_err(|e| bad_parameter("priority", e))?,
            )
        }
        other => {
            return Err(bad_parameter(
                "view",
                format!(
                    "unknown view '{other}' (expected all_open, mine, unassigned, at_risk, \
                     team, topic or priority)"
                ),
            ));
        }
    })
}

/// What a cursor is bound to: the view and the sort.
fn scope(view: InboxView, sort: InboxSort) -> String {
    let view = match view {
        InboxView::Mine(u) => format!("mine:{u}"),
        InboxView::Unassigned => "unassigned".into(),
        InboxView::Team(t) => format!("team:{t}"),
        InboxView::AllOpen => "all_open".into(),
        InboxView::AtRisk => "at_risk".into(),
        InboxView::Topic(t) => format!("topic:{t}"),
        InboxView::Priority(p) => format!("priority:{p}"),
    };
    format!("{view}|{}", sort.as_str())
}

fn encode_cursor(scope: &str, at: InboxCursor) -> String {
    hex::encode(format!("{scope}|{at}"))
}

fn decode_cursor(scope: &str, cursor: &str) -> Result<InboxCursor, ApiError> {
    let bad = |why: &str| ApiError::bad_request("invalid_cursor", format!("cursor: {why}"));
    let text = hex::decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| bad("not a cursor this API gave out"))?;
    let (made_for, at) = text
        .rsplit_once('|')
        .ok_or_else(|| bad("not a cursor this API gave out"))?;
    if made_for != scope {
        return Err(bad(
            "it belongs to another view or sort; start again without it",
        ));
    }
    at.parse()
        .map_err(|_| bad("not a cursor this API gave out"))
}

/// `GET /api/v1/cases`: one page of an inbox view, narrowed by the filters given.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListParams), security(("bearer" = [])),
    responses((status = 200, body = CaseList), (status = 400, body = ErrorBody, description = "invalid_parameter, invalid_cursor"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    params: Result<Query<CaseListParams>, QueryRejection>,
) -> Result<Json<CaseList>, ApiError> {
    let me = caller(principal)?;
    let p = query(params)?;
    let view = view(&p, me.user.id)?;
    let sort: InboxSort = match p.sort.as_deref() {
        None => InboxSort::default(),
        Some(s) => s.parse().map_err(|e| bad_parameter("sort", e))?,
    };
    let filter = p
        .filter()
        .map_err(|e| ApiError::bad_request("invalid_parameter", e))?;
    // A cursor is bound to the filters too.
    let scope: String = std::iter::once(scope(view, sort))
        .chain(filter.params().iter().map(|(k, v)| format!("&{k}={v}")))
        .collect();
    let start = match p.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => PageStart::First,
        Some(c) => PageStart::After(decode_cursor(&scope, c)?),
    };
    let page = state
        .engine
        .care()
        .filtered_inbox(
            &InboxQuery {
                view,
                sort,
                limit: limit(p.limit),
                start,
            },
            &filter,
        )
        .await?;
    Ok(Json(CaseList {
        cases: page.items.into_iter().map(CaseSummaryDto::from).collect(),
        next: page.next.map(|c| encode_cursor(&scope, c)),
    }))
}

/// `GET /api/v1/cases/counts`: how many active cases each view holds (`mine`: the token's
/// user's).
#[utoipa::path(get, path = "/api/v1/cases/counts", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = CaseCounts), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn counts(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
) -> Result<Json<CaseCounts>, ApiError> {
    let me = caller(principal)?;
    let c = state.engine.care().counts(Some(me.user.id)).await?;
    Ok(Json(CaseCounts {
        all_open: c.all_open,
        unassigned: c.unassigned,
        mine: c.mine,
        at_risk: c.at_risk,
        by_priority: c
            .by_priority
            .into_iter()
            .map(|(p, count)| PriorityCount {
                priority: p.to_string(),
                count,
            })
            .collect(),
        by_team: c
            .by_team
            .into_iter()
            .map(|(t, count)| TeamCount {
                team_id: t.0,
                count,
            })
            .collect(),
        by_topic: c
            .by_topic
            .into_iter()
            .map(|(t, count)| TopicCount {
                topic_id: t.0,
                count,
            })
            .collect(),
    }))
}

/// `GET /api/v1/cases/{id}`: the case with its posts, notes, replies and audit log. The
/// `ETag` is the case's version, for `If-Match` on the actions.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path, description = "case id")),
    security(("bearer" = [])),
    responses((status = 200, body = CaseDetail, headers(("ETag" = String, description = "the case's version"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<(HeaderMap, Json<CaseDetail>), ApiError> {
    let id = CaseId(path(id)?);
    let page = state.engine.care().case_page(id).await?;
    let contact = page
        .contact
        .map(|c| ContactDto::new(c, page.contact_fields));
    let version = page.record.version;
    Ok((
        etag(version),
        Json(CaseDetail {
            case: CaseDto::from(page.record),
            contact,
            posts: page.posts.into_iter().map(Into::into).collect(),
            notes: page.notes.into_iter().map(Into::into).collect(),
            replies: page.replies.into_iter().map(Into::into).collect(),
            events: page.events.into_iter().map(Into::into).collect(),
        }),
    ))
}
