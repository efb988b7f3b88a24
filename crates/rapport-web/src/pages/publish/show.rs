//! `GET /publish/{id}`: one publication with each channel's variant side by side, where it
//! stands (late, and why), the review (approve, or send back with a comment), and once out,
//! each post's link and the replies it drew. The steps post to `/publish/{id}/schedule`
//! (submit, unschedule), `/publish/{id}/review` (approve, send back) and
//! `/publish/{id}/delete` (asks first).

use super::local;
use crate::AppState;
use crate::pages::settings_care::{FormPairs, field};
use crate::pages::{Ask, Chrome, confirm, confirmed, message, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rapport_domain::Permission;
use rapport_domain::care::ReplyStatus;
use rapport_domain::publication::{PublicationId, PublicationStatus};
use rapport_engine::EngineError;
use rapport_engine::accounts::Principal;
use rapport_engine::publish::PublicationView;

struct PartRow {
    text: String,
    state: &'static str,
    url: Option<String>,
    error: Option<String>,
}

struct VariantRow {
    channel: String,
    network: String,
    removed: bool,
    edited: bool,
    parts: Vec<PartRow>,
}

struct ReplyRow {
    author: String,
    text: String,
    at: String,
}

#[derive(Template)]
#[template(path = "publish_show.html")]
struct ShowPage {
    chrome: Chrome,
    tab: &'static str,
    can_write: bool,
    id: i64,
    version: i64,
    status: &'static str,
    status_key: &'static str,
    when: String,
    late: Option<String>,
    review_comment: Option<String>,
    variants: Vec<VariantRow>,
    replies: Vec<ReplyRow>,
    editable: bool,
    can_submit: bool,
    can_unschedule: bool,
    can_review: bool,
    own: bool,
    removable: bool,
    error: String,
}

fn state_of(s: ReplyStatus) -> &'static str {
    match s {
        ReplyStatus::Queued => "waiting to be sent",
        ReplyStatus::Sending => "sending",
        ReplyStatus::Sent => "published",
        ReplyStatus::Failed => "failed",
        ReplyStatus::Unknown => "checking with the network",
    }
}

async fn page(
    state: &AppState,
    p: &Principal,
    id: i64,
    status: StatusCode,
    error: String,
) -> Response {
    let publications = state.engine.publications();
    let view: PublicationView = match publications.get(PublicationId(id), Utc::now()).await {
        Ok(Some(v)) => v,
        Ok(None) => return not_found(p, id),
        Err(e) => return failed(p, e),
    };
    let replies = if view
        .entries
        .iter()
        .any(|e| e.entry.status == ReplyStatus::Sent)
    {
        match publications.replies(PublicationId(id), 50).await {
            Ok(r) => r,
            Err(e) => return failed(p, e),
        }
    } else {
        Vec::new()
    };
    let pubn = &view.publication;
    let variants = pubn
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let entries: Vec<_> = view
                .entries
                .iter()
                .filter(|e| e.variant == Some(i as u32))
                .collect();
            let parts = if entries.is_empty() {
                v.parts
                    .iter()
                    .map(|t| PartRow {
                        text: t.clone(),
                        state: "",
                        url: None,
                        error: None,
                    })
                    .collect()
            } else {
                entries
                    .iter()
                    .map(|e| PartRow {
                        text: e.entry.body.clone(),
                        state: state_of(e.entry.status),
                        // Only a web address becomes a link (the network said what it is).
                        url: e
                            .sent_url
                            .clone()
                            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
                        error: e
                            .entry
                            .last_error
                            .clone()
                            .filter(|_| e.entry.status != ReplyStatus::Sent),
                    })
                    .collect()
            };
            VariantRow {
                channel: v.channel_name.clone(),
                network: v.network.to_string(),
                removed: v.channel.is_none(),
                edited: v.text.is_some(),
                parts,
            }
        })
        .collect();
    let when = match (pubn.published_at, pubn.scheduled_for) {
        (Some(t), _) => format!(
            "Published {} ({})",
            local(t, &pubn.time_zone),
            pubn.time_zone
        ),
        (None, Some(t)) => format!("{} ({})", local(t, &pubn.time_zone), pubn.time_zone),
        (None, None) => "As soon as approved".into(),
    };
    let can_write = p.can(Permission::WritePublications);
    let status_now = pubn.status;
    render(
        status,
        &ShowPage {
            chrome: Chrome::for_principal(p, &format!("Publication {id}"), "publish"),
            tab: "",
            can_write,
            id,
            version: pubn.version,
            status: status_now.label(),
            status_key: status_now.as_str(),
            when,
            late: view.late.clone(),
            review_comment: pubn.review_comment.clone(),
            variants,
            replies: replies
                .into_iter()
                .map(|r| ReplyRow {
                    author: r.post.author.handle.clone(),
                    text: r.post.text.clone(),
                    at: local(r.post.created_at, &pubn.time_zone),
                })
                .collect(),
            editable: can_write && status_now.editable(),
            can_submit: can_write && status_now == PublicationStatus::Draft,
            can_unschedule: can_write
                && matches!(
                    status_now,
                    PublicationStatus::Scheduled | PublicationStatus::InReview
                ),
            can_review: p.can(Permission::ApprovePublications)
                && status_now == PublicationStatus::InReview,
            own: pubn.author == p.user.id,
            removable: can_write
                && matches!(
                    status_now,
                    PublicationStatus::Draft | PublicationStatus::InReview
                ),
            error,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    page(&state, &p, id, StatusCode::OK, String::new()).await
}

/// `POST /publish/{id}/schedule`: `action=submit` or `action=unschedule`.
pub async fn schedule(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<FormPairs>,
) -> Response {
    let version = field(&form, "version").parse().unwrap_or(-1);
    let publications = state.engine.publications();
    let now = Utc::now();
    let done = match field(&form, "action") {
        "submit" => publications.submit(PublicationId(id), version, now).await,
        "unschedule" => {
            publications
                .unschedule(PublicationId(id), version, now)
                .await
        }
        other => return bad_action(&p, other),
    };
    after(&state, &p, id, done.map(|_| ())).await
}

/// `POST /publish/{id}/review`: `action=approve`, or `action=send_back` with a `comment`.
pub async fn review(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<FormPairs>,
) -> Response {
    let version = field(&form, "version").parse().unwrap_or(-1);
    let publications = state.engine.publications();
    let now = Utc::now();
    let done = match field(&form, "action") {
        "approve" => {
            publications
                .approve(PublicationId(id), version, p.user.id, now)
                .await
        }
        "send_back" => {
            publications
                .send_back(
                    PublicationId(id),
                    version,
                    p.user.id,
                    field(&form, "comment"),
                    now,
                )
                .await
        }
        other => return bad_action(&p, other),
    };
    after(&state, &p, id, done.map(|_| ())).await
}

/// `POST /publish/{id}/delete`: asks first, then removes a draft or one in review.
pub async fn delete(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<FormPairs>,
) -> Response {
    let action = format!("/publish/{id}/delete");
    if !confirmed(&form) {
        let cancel = format!("/publish/{id}");
        return confirm(
            &p,
            "publish",
            &Ask {
                heading: "Remove this publication?",
                question: "The draft and its variants are removed. Nothing of it was sent.",
                button: "Remove publication",
                cancel: &cancel,
            },
            &action,
            &form,
        );
    }
    match state.engine.publications().delete(PublicationId(id)).await {
        Ok(()) => Redirect::to("/publish").into_response(),
        Err(e) => after(&state, &p, id, Err(e)).await,
    }
}

/// Back to the publication after a step; a refused step is said on it.
async fn after(
    state: &AppState,
    p: &Principal,
    id: i64,
    done: Result<(), EngineError>,
) -> Response {
    match done {
        Ok(()) => Redirect::to(&format!("/publish/{id}")).into_response(),
        Err(EngineError::NotFound(_)) => not_found(p, id),
        Err(EngineError::Conflict(m)) => page(state, p, id, StatusCode::CONFLICT, m).await,
        Err(EngineError::InvalidInput(m)) => page(state, p, id, StatusCode::BAD_REQUEST, m).await,
        Err(e) => failed(p, e),
    }
}

fn bad_action(p: &Principal, action: &str) -> Response {
    message(
        StatusCode::BAD_REQUEST,
        Chrome::for_principal(p, "Not understood", "publish"),
        "Not understood",
        &format!("'{action}' is not a step a publication takes."),
    )
}

fn not_found(p: &Principal, id: i64) -> Response {
    message(
        StatusCode::NOT_FOUND,
        Chrome::for_principal(p, "Not found", "publish"),
        "Not found",
        &format!("There is no publication {id}."),
    )
}

fn failed(p: &Principal, e: EngineError) -> Response {
    tracing::error!(error = %e, "a publication page failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "publish"),
        "Something went wrong",
        "The request failed; try again.",
    )
}
