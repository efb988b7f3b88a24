//! The composer: `GET /publish/new`, `POST /publish` (a new one), `GET /publish/{id}/edit`
//! and `POST /publish/{id}` (a change). One text, the channels to send it through (each may
//! get its own text), a date and time in a time zone; "Preview" shows each channel's variant
//! side by side, part by part, counted as its network counts, before anything is saved.

use super::{fields_of, instant};
use crate::AppState;
use crate::pages::settings_care::{FormPairs, Problem, field, fields};
use crate::pages::{Chrome, message, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rapport_domain::Network;
use rapport_domain::publication::{Publication, PublicationId, PublicationStatus};
use rapport_engine::EngineError;
use rapport_engine::accounts::Principal;
use rapport_engine::publish::{ChannelText, Draft, VariantPreview};

pub(super) struct ChannelRow {
    pub name: String,
    pub network: Network,
    pub checked: bool,
    /// Its own text, when edited.
    pub text: String,
    /// The field names (`variant:<name>`) and ids.
    pub field: String,
    pub id: String,
}

#[derive(Template)]
#[template(path = "publish_compose.html")]
struct ComposePage {
    chrome: Chrome,
    tab: &'static str,
    can_write: bool,
    heading: String,
    action: String,
    version: String,
    text: String,
    channels: Vec<ChannelRow>,
    date: String,
    time: String,
    time_zone: String,
    zones: Vec<&'static str>,
    previews: Vec<VariantPreview>,
    problem: Problem,
    submit_label: &'static str,
    review_comment: Option<String>,
}

/// What was typed, read back from the form.
struct Typed {
    draft: Draft,
    date: String,
    time: String,
    version: Option<i64>,
}

/// What was typed, and the problem with its date or time if there is one.
fn typed(form: &FormPairs) -> (Typed, Option<Problem>) {
    let chosen: Vec<ChannelText> = fields(form, "channel")
        .map(|name| ChannelText {
            channel: name.to_string(),
            text: Some(field(form, &format!("variant:{name}")).to_string())
                .filter(|t| !t.trim().is_empty()),
        })
        .collect();
    let zone = field(form, "time_zone").trim().to_string();
    let (date, time) = (
        field(form, "date").to_string(),
        field(form, "time").to_string(),
    );
    let mut t = Typed {
        draft: Draft {
            body: field(form, "text").to_string(),
            channels: chosen,
            scheduled_for: None,
            time_zone: zone.clone(),
        },
        date,
        time,
        version: field(form, "version").parse().ok(),
    };
    match instant(&t.date, &t.time, &zone) {
        Ok(at) => {
            t.draft.scheduled_for = at;
            (t, None)
        }
        Err(e) => (t, Some(Problem::new("date", e))),
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    editing: Option<&Publication>,
    typed: &Typed,
    previews: Vec<VariantPreview>,
    problem: Problem,
) -> Response {
    let publications = state.engine.publications();
    let (names, policy) = match (
        publications.channel_names().await,
        publications.policy().await,
    ) {
        (Ok(n), Ok(pol)) => (n, pol),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "the composer failed");
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                Chrome::for_principal(p, "Error", "publish"),
                "Something went wrong",
                "The composer could not be opened; try again.",
            );
        }
    };
    let channels = names
        .into_iter()
        .enumerate()
        .map(|(i, (name, network))| {
            let chosen = typed.draft.channels.iter().find(|c| c.channel == name);
            ChannelRow {
                checked: chosen.is_some(),
                text: chosen.and_then(|c| c.text.clone()).unwrap_or_default(),
                field: format!("variant:{name}"),
                id: format!("variant-{i}"),
                name,
                network,
            }
        })
        .collect();
    let (heading, action) = match editing {
        Some(e) => (
            format!("Edit publication {}", e.id),
            format!("/publish/{}", e.id),
        ),
        None => ("Compose".to_string(), "/publish".to_string()),
    };
    render(
        status,
        &ComposePage {
            chrome: Chrome::for_principal(p, &heading, "publish"),
            tab: "new",
            can_write: true,
            heading,
            action,
            version: typed.version.map(|v| v.to_string()).unwrap_or_default(),
            text: typed.draft.body.clone(),
            channels,
            date: typed.date.clone(),
            time: typed.time.clone(),
            time_zone: if typed.draft.time_zone.is_empty() {
                "UTC".into()
            } else {
                typed.draft.time_zone.clone()
            },
            zones: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
            previews,
            problem,
            submit_label: if policy.approval_required {
                "Submit for approval"
            } else {
                "Schedule"
            },
            review_comment: editing
                .filter(|e| e.status == PublicationStatus::Draft)
                .and_then(|e| e.review_comment.clone()),
        },
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Response {
    let typed = Typed {
        draft: Draft::default(),
        date: String::new(),
        time: String::new(),
        version: None,
    };
    page(
        &state,
        &p,
        StatusCode::OK,
        None,
        &typed,
        Vec::new(),
        Problem::default(),
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    let Some(existing) = load(&state, &p, PublicationId(id)).await else {
        return not_found(&p, id);
    };
    let (date, time) = fields_of(existing.scheduled_for, &existing.time_zone);
    let typed = Typed {
        draft: Draft {
            body: existing.body.clone(),
            channels: existing
                .variants
                .iter()
                .map(|v| ChannelText {
                    channel: v.channel_name.clone(),
                    text: v.text.clone(),
                })
                .collect(),
            scheduled_for: existing.scheduled_for,
            time_zone: existing.time_zone.clone(),
        },
        date,
        time,
        version: Some(existing.version),
    };
    page(
        &state,
        &p,
        StatusCode::OK,
        Some(&existing),
        &typed,
        Vec::new(),
        Problem::default(),
    )
    .await
}

async fn load(state: &AppState, p: &Principal, id: PublicationId) -> Option<Publication> {
    match state.engine.publications().get(id, Utc::now()).await {
        Ok(v) => v.map(|v| v.publication),
        Err(e) => {
            tracing::error!(error = %e, user = p.user.id.0, "reading a publication failed");
            None
        }
    }
}

fn not_found(p: &Principal, id: i64) -> Response {
    message(
        StatusCode::NOT_FOUND,
        Chrome::for_principal(p, "Not found", "publish"),
        "Not found",
        &format!("There is no publication {id}."),
    )
}

/// A refusal as the form shows it: which field, and the status.
fn refused(e: EngineError) -> Result<(StatusCode, Problem), EngineError> {
    match e {
        EngineError::InvalidInput(m) => {
            let field = if m.contains("channel") {
                "channel"
            } else if m.contains("time zone") {
                "time_zone"
            } else {
                "text"
            };
            Ok((StatusCode::BAD_REQUEST, Problem::new(field, m)))
        }
        EngineError::Conflict(m) => Ok((StatusCode::CONFLICT, Problem::new("", m))),
        other => Err(other),
    }
}

/// `POST /publish`: preview, save as a draft, or save and submit.
pub async fn create(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    handle(&state, &p, None, form).await
}

/// `POST /publish/{id}`: the same for an existing one, at the version it was read.
pub async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<FormPairs>,
) -> Response {
    let Some(existing) = load(&state, &p, PublicationId(id)).await else {
        return not_found(&p, id);
    };
    handle(&state, &p, Some(existing), form).await
}

async fn handle(
    state: &AppState,
    p: &Principal,
    editing: Option<Publication>,
    form: FormPairs,
) -> Response {
    let action = field(&form, "action").to_string();
    let (typed, problem) = typed(&form);
    if let Some(problem) = problem {
        return page(
            state,
            p,
            StatusCode::BAD_REQUEST,
            editing.as_ref(),
            &typed,
            Vec::new(),
            problem,
        )
        .await;
    }
    let publications = state.engine.publications();
    let previews = match publications.preview(&typed.draft).await {
        Ok(v) => v,
        Err(e) => return failure(state, p, editing.as_ref(), &typed, e).await,
    };
    if action == "preview" {
        return page(
            state,
            p,
            StatusCode::OK,
            editing.as_ref(),
            &typed,
            previews,
            Problem::default(),
        )
        .await;
    }
    let now = Utc::now();
    let saved = match &editing {
        None => publications.compose(p.user.id, &typed.draft, now).await,
        Some(e) => {
            let version = typed.version.unwrap_or(e.version);
            publications.edit(e.id, version, &typed.draft, now).await
        }
    };
    let saved = match saved {
        Ok(s) => s,
        Err(e) => return failure(state, p, editing.as_ref(), &typed, e).await,
    };
    if action == "submit"
        && let Err(e) = publications.submit(saved.id, saved.version, now).await
    {
        // Saved as a draft; the page says why it did not go further.
        let typed = Typed {
            version: Some(saved.version),
            ..typed
        };
        return failure(state, p, Some(&saved), &typed, e).await;
    }
    Redirect::to(&format!("/publish/{}", saved.id)).into_response()
}

async fn failure(
    state: &AppState,
    p: &Principal,
    editing: Option<&Publication>,
    typed: &Typed,
    e: EngineError,
) -> Response {
    match refused(e) {
        Ok((status, problem)) => page(state, p, status, editing, typed, Vec::new(), problem).await,
        Err(e) => {
            tracing::error!(error = %e, "saving a publication failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                Chrome::for_principal(p, "Error", "publish"),
                "Something went wrong",
                "The publication could not be saved; try again.",
            )
        }
    }
}
