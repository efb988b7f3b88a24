//! Whether publications need an approver before they go out (the team's publishing policy).
//! Admins set it; with it on, a publication goes from draft to review, and only an admin other
//! than its author approves it.

use super::{FormPairs, checked, failed};
use crate::AppState;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::publication::PublishingPolicy;
use rapport_engine::accounts::Principal;

#[derive(Template)]
#[template(path = "settings_publishing.html")]
struct PublishingPage {
    chrome: Chrome,
    approval_required: bool,
}

pub async fn show(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    match state.engine.publications().policy().await {
        Ok(policy) => render(
            StatusCode::OK,
            &PublishingPage {
                chrome: Chrome::for_principal(&p, "Publishing", "settings"),
                approval_required: policy.approval_required,
            },
        ),
        Err(e) => failed(&p, e),
    }
}

pub async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    let policy = PublishingPolicy {
        approval_required: checked(&form, "approval_required"),
    };
    match state.engine.publications().set_policy(policy).await {
        Ok(()) => Redirect::to("/settings/publishing").into_response(),
        Err(e) => failed(&p, e),
    }
}
