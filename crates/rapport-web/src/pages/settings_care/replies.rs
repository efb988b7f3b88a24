//! Saved replies: a name, an optional shortcut and a body with variables, previewed for a
//! sample customer. Saved replies are shared by every agent and go out under the brand's name,
//! so only admins change them (as in Zendesk, where admins manage shared macros); agents pick
//! them in the case composer.

use super::sla::encode_path;
use super::{FormPairs, Problem, Refusal, failed, field, not_found};
use crate::AppState;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::template::Variable;
use rapport_domain::{CaseId, PersonVars, TemplateContext};
use rapport_engine::accounts::Principal;
use rapport_engine::care::Care;

struct VariableRow {
    name: &'static str,
    sample: String,
    fallback: &'static str,
}

struct ReplyRow {
    name: String,
    href: String,
    shortcut: String,
    body: String,
}

#[derive(Template)]
#[template(path = "settings_replies.html")]
struct RepliesPage {
    chrome: Chrome,
    replies: Vec<ReplyRow>,
    variables: Vec<VariableRow>,
    /// The reply being edited (`None`: a new one).
    editing: Option<String>,
    action: String,
    name: String,
    shortcut: String,
    body: String,
    preview: String,
    problem: Problem,
}

/// The sample a preview is rendered for: a customer, the admin as the agent, a case number
/// and a brand.
fn sample(p: &Principal) -> TemplateContext {
    let agent = if p.user.display_name.trim().is_empty() {
        p.user.name.clone()
    } else {
        p.user.display_name.clone()
    };
    TemplateContext {
        contact: PersonVars {
            name: Some("Sam Example".into()),
            first_name: None,
        },
        agent: PersonVars {
            name: Some(agent),
            first_name: None,
        },
        case_id: Some(CaseId(1042)),
        brand_name: Some("Example Co".into()),
    }
}

struct Typed {
    name: String,
    shortcut: String,
    body: String,
}

fn worded(mut problem: Problem) -> Problem {
    let label = match problem.field.as_str() {
        "name" => "Name",
        "body" => "Body",
        "shortcut" => "Shortcut",
        _ => return problem,
    };
    problem.message = format!("{label}: {}", problem.message);
    problem
}

async fn page_with(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    editing: Option<String>,
    typed: Typed,
    problem: Problem,
) -> Response {
    let care = state.engine.care();
    let replies = match care.saved_replies().await {
        Ok(r) => r,
        Err(e) => return failed(p, e),
    };
    let ctx = sample(p);
    // The preview of what was typed; a body that does not parse shows its error instead.
    let (preview, problem) = if typed.body.is_empty() {
        (String::new(), problem)
    } else {
        match Care::preview_saved_reply(&typed.body, &ctx) {
            Ok(text) => (text, problem),
            Err(e) if problem.message.is_empty() => match Refusal::from(e) {
                Refusal::Input(_, pr) => (String::new(), worded(pr)),
                Refusal::Failed(_) => (String::new(), problem),
            },
            Err(_) => (String::new(), problem),
        }
    };
    let variables = Variable::ALL
        .into_iter()
        .map(|v| VariableRow {
            name: v.name(),
            sample: ctx.value(v).unwrap_or_else(|| v.fallback().to_string()),
            fallback: v.fallback(),
        })
        .collect();
    let action = match &editing {
        Some(n) => format!("/settings/replies/{}", encode_path(n)),
        None => "/settings/replies".to_string(),
    };
    let title = match &editing {
        Some(n) => format!("Saved reply {n}"),
        None => "Saved replies".to_string(),
    };
    render(
        status,
        &RepliesPage {
            chrome: Chrome::for_principal(p, &title, "settings"),
            replies: replies
                .into_iter()
                .map(|r| ReplyRow {
                    href: format!("/settings/replies/{}", encode_path(&r.name)),
                    name: r.name,
                    shortcut: r.shortcut.unwrap_or_default(),
                    body: r.body,
                })
                .collect(),
            variables,
            editing,
            action,
            name: typed.name,
            shortcut: typed.shortcut,
            body: typed.body,
            preview,
            problem,
        },
    )
}

/// `GET /settings/replies`.
pub async fn list(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    let empty = Typed {
        name: String::new(),
        shortcut: String::new(),
        body: String::new(),
    };
    page_with(&state, &p, StatusCode::OK, None, empty, Problem::default()).await
}

/// Saves the form (or only previews it when the Preview button sent it).
async fn submit(
    state: &AppState,
    p: &Principal,
    form: &[(String, String)],
    editing: Option<String>,
) -> Response {
    let typed = Typed {
        name: field(form, "name").to_string(),
        shortcut: field(form, "shortcut").to_string(),
        body: field(form, "body").to_string(),
    };
    if field(form, "action") == "preview" {
        return page_with(state, p, StatusCode::OK, editing, typed, Problem::default()).await;
    }
    let care = state.engine.care();
    let shortcut = Some(typed.shortcut.as_str());
    let result = match &editing {
        Some(old) => {
            care.replace_saved_reply(old, &typed.name, &typed.body, shortcut)
                .await
        }
        None => {
            care.add_saved_reply(&typed.name, &typed.body, shortcut)
                .await
        }
    };
    match result.map_err(Refusal::from) {
        Ok(saved) => {
            tracing::info!(by = %p.user.name, reply = %saved.name, "saved reply stored");
            Redirect::to(&format!("/settings/replies/{}", encode_path(&saved.name))).into_response()
        }
        Err(Refusal::Input(StatusCode::NOT_FOUND, problem)) => not_found(p, &problem.message),
        Err(Refusal::Input(status, problem)) => {
            page_with(state, p, status, editing, typed, worded(problem)).await
        }
        Err(Refusal::Failed(e)) => failed(p, e),
    }
}

/// `POST /settings/replies`: adds a saved reply.
pub async fn create(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    submit(&state, &p, &form, None).await
}

/// `GET /settings/replies/{name}`: one saved reply's form and its preview.
pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(name): Path<String>,
) -> Response {
    let replies = match state.engine.care().saved_replies().await {
        Ok(r) => r,
        Err(e) => return failed(&p, e),
    };
    let Some(reply) = replies.into_iter().find(|r| r.name == name) else {
        return not_found(&p, &format!("There is no saved reply named '{name}'."));
    };
    let typed = Typed {
        name: reply.name.clone(),
        shortcut: reply.shortcut.unwrap_or_default(),
        body: reply.body,
    };
    page_with(
        &state,
        &p,
        StatusCode::OK,
        Some(reply.name),
        typed,
        Problem::default(),
    )
    .await
}

/// `POST /settings/replies/{name}`: saves changes (a new name renames it).
pub async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(name): Path<String>,
    Form(form): Form<FormPairs>,
) -> Response {
    submit(&state, &p, &form, Some(name)).await
}

/// `POST /settings/replies/{name}/delete`.
pub async fn remove(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(name): Path<String>,
    Form(form): Form<FormPairs>,
) -> Response {
    if !crate::pages::confirmed(&form) {
        let question = format!("Remove the saved reply '{name}'? Agents can no longer insert it.");
        let href = format!("/settings/replies/{}", encode_path(&name));
        let action = format!("{href}/delete");
        let ask = crate::pages::Ask {
            heading: "Remove saved reply",
            question: &question,
            button: "Remove saved reply",
            cancel: "/settings/replies",
        };
        return crate::pages::confirm(&p, "settings", &ask, &action, &form);
    }
    match state.engine.care().remove_saved_reply(&name).await {
        Ok(true) => {
            tracing::info!(by = %p.user.name, reply = %name, "saved reply removed");
            Redirect::to("/settings/replies").into_response()
        }
        Ok(false) => not_found(&p, &format!("There is no saved reply named '{name}'.")),
        Err(e) => failed(&p, e),
    }
}
