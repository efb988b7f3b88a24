//! `GET /publish`: publications by state, a tab each (drafts, waiting for approval,
//! scheduled, published, failed), newest first, a page at a time.

use super::{excerpt, local};
use crate::AppState;
use crate::pages::{Chrome, message, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use rapport_domain::Permission;
use rapport_domain::publication::{PublicationId, PublicationQuery, PublicationStatus};
use rapport_engine::accounts::Principal;
use serde::Deserialize;

const PAGE: u32 = 50;

/// The tabs: their key, label and the statuses they show.
pub(super) const TABS: [(&str, &str, &[PublicationStatus]); 5] = [
    ("drafts", "Drafts", &[PublicationStatus::Draft]),
    (
        "review",
        "Waiting for approval",
        &[PublicationStatus::InReview],
    ),
    (
        "scheduled",
        "Scheduled",
        &[PublicationStatus::Scheduled, PublicationStatus::Publishing],
    ),
    ("published", "Published", &[PublicationStatus::Published]),
    ("failed", "Failed", &[PublicationStatus::Failed]),
];

#[derive(Debug, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    tab: String,
    before: Option<i64>,
}

pub(super) struct Row {
    pub href: String,
    pub text: String,
    pub channels: String,
    pub when: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub late: Option<String>,
}

#[derive(Template)]
#[template(path = "publish_list.html")]
struct ListPage {
    chrome: Chrome,
    tab: &'static str,
    tabs: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    next: Option<String>,
    can_write: bool,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(params): Query<ListParams>,
) -> Response {
    let (tab, _, statuses) = TABS
        .iter()
        .find(|(k, _, _)| *k == params.tab)
        .copied()
        .unwrap_or(TABS[0]);
    let query = PublicationQuery {
        statuses: statuses.to_vec(),
        before: params.before.map(PublicationId),
        limit: PAGE,
        ..Default::default()
    };
    let views = match state.engine.publications().list(&query, Utc::now()).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "listing publications failed");
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                Chrome::for_principal(&p, "Error", "publish"),
                "Something went wrong",
                "The publications could not be listed; try again.",
            );
        }
    };
    let next = (views.len() == PAGE as usize)
        .then(|| {
            views
                .last()
                .map(|v| format!("/publish?tab={tab}&before={}", v.publication.id))
        })
        .flatten();
    let rows = views
        .into_iter()
        .map(|v| {
            let p = v.publication;
            Row {
                href: format!("/publish/{}", p.id),
                text: excerpt(&p.body, 120),
                channels: p
                    .variants
                    .iter()
                    .map(|v| v.channel_name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                when: match p.published_at.or(p.scheduled_for) {
                    Some(t) => format!("{} ({})", local(t, &p.time_zone), p.time_zone),
                    None => "As soon as approved".into(),
                },
                status: p.status.label(),
                status_key: p.status.as_str(),
                late: v.late,
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_principal(&p, "Publish", "publish"),
            tab,
            tabs: TABS.iter().map(|(k, l, _)| (*k, *l)).collect(),
            rows,
            next,
            can_write: p.can(Permission::WritePublications),
        },
    )
}
