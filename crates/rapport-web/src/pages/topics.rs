//! The topics pages: list, add, edit with live parse errors, remove, backtest.

use super::{Chrome, message, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use rapport_domain::{Permission, TopicOptions};
use rapport_engine::accounts::Principal;
use rapport_engine::{EngineError, SearchHit, TopicInfo};
use serde::{Deserialize, Serialize};

const POSTS_SHOWN: u32 = 20;

#[derive(Template)]
#[template(path = "topics.html")]
struct TopicsPage {
    chrome: Chrome,
    topics: Vec<TopicInfo>,
    can_write: bool,
    error: String,
    name: String,
    query: String,
    query_error: String,
    ignore_accents: bool,
}

#[derive(Template)]
#[template(path = "topic.html")]
struct TopicPage {
    chrome: Chrome,
    topic_name: String,
    matches: u64,
    posts: Vec<SearchHit>,
    can_write: bool,
    error: String,
    query: String,
    query_error: String,
    ignore_accents: bool,
}

#[derive(Template)]
#[template(path = "backtest.html")]
struct BacktestPage {
    chrome: Chrome,
    query: String,
    error: String,
    count: u64,
    scanned: u64,
    per_day: Vec<(String, u64)>,
    posts: Vec<SearchHit>,
}

#[derive(Deserialize)]
pub struct TopicForm {
    #[serde(default)]
    name: String,
    query: String,
    ignore_accents: Option<String>,
}

fn failed(p: &Principal, e: EngineError) -> Response {
    tracing::error!(error = %e, "topics page failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "topics"),
        "Something went wrong",
        "The request failed; try again.",
    )
}

async fn list_page(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    form: Option<(&TopicForm, String)>,
) -> Response {
    let topics = match state.engine.topics().await {
        Ok(t) => t,
        Err(e) => return failed(p, e),
    };
    let (name, query, ignore_accents, error) = match form {
        Some((f, error)) => (
            f.name.clone(),
            f.query.clone(),
            f.ignore_accents.is_some(),
            error,
        ),
        None => Default::default(),
    };
    let query_error = if error.contains("column") {
        error.clone()
    } else {
        String::new()
    };
    render(
        status,
        &TopicsPage {
            chrome: Chrome::for_principal(p, "Topics", "topics"),
            topics,
            can_write: p.can(Permission::WriteTopics),
            error,
            name,
            query,
            query_error,
            ignore_accents,
        },
    )
}

/// `GET /topics`.
pub async fn list(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    list_page(&state, &p, StatusCode::OK, None).await
}

fn user_error(e: &EngineError) -> Option<(StatusCode, String)> {
    match e {
        EngineError::Query(_) | EngineError::BadTopicName(_) => {
            Some((StatusCode::BAD_REQUEST, e.to_string()))
        }
        EngineError::TopicExists(_) => Some((StatusCode::CONFLICT, e.to_string())),
        EngineError::NoSuchTopic(_) => Some((StatusCode::NOT_FOUND, e.to_string())),
        EngineError::QueryTimeout { .. } => Some((StatusCode::UNPROCESSABLE_ENTITY, e.to_string())),
        _ => None,
    }
}

fn topic_url(name: &str) -> String {
    let mut url = String::from("/topics/");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// `POST /topics`: adds a topic; a bad query shows the form again with the error.
pub async fn add(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(f): Form<TopicForm>,
) -> Response {
    let options = TopicOptions {
        ignore_accents: f.ignore_accents.is_some(),
    };
    let _slot = match state.heavy.enter(p.user.id) {
        Ok(slot) => slot,
        Err(busy) => {
            let status = StatusCode::TOO_MANY_REQUESTS;
            return list_page(&state, &p, status, Some((&f, busy.to_string()))).await;
        }
    };
    match state
        .engine
        .add_topic(f.name.trim(), &f.query, options)
        .await
    {
        Ok((topic, _)) => Redirect::to(&topic_url(&topic.name)).into_response(),
        Err(e) => match user_error(&e) {
            Some((status, text)) => list_page(&state, &p, status, Some((&f, text))).await,
            None => failed(&p, e),
        },
    }
}

async fn topic_page(
    state: &AppState,
    p: &Principal,
    name: &str,
    status: StatusCode,
    form: Option<(&TopicForm, String)>,
) -> Response {
    let topics = match state.engine.topics().await {
        Ok(t) => t,
        Err(e) => return failed(p, e),
    };
    let Some(info) = topics.into_iter().find(|t| t.topic.name == name) else {
        return message(
            StatusCode::NOT_FOUND,
            Chrome::for_principal(p, "Not found", "topics"),
            "No such topic",
            &format!("There is no topic named '{name}'."),
        );
    };
    let posts = match state.engine.topic_posts(name, POSTS_SHOWN).await {
        Ok((_, posts)) => posts,
        Err(e) => return failed(p, e),
    };
    let (query, ignore_accents, error) = match form {
        Some((f, error)) => (f.query.clone(), f.ignore_accents.is_some(), error),
        None => (
            info.topic.query.clone(),
            info.topic.options.ignore_accents,
            String::new(),
        ),
    };
    let query_error = if error.contains("column") {
        error.clone()
    } else {
        String::new()
    };
    render(
        status,
        &TopicPage {
            chrome: Chrome::for_principal(p, &info.topic.name, "topics"),
            topic_name: info.topic.name.clone(),
            matches: info.matches,
            posts,
            can_write: p.can(Permission::WriteTopics),
            error,
            query,
            query_error,
            ignore_accents,
        },
    )
}

/// `GET /topics/{name}`: the topic, its edit form and its newest matches.
pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(name): Path<String>,
) -> Response {
    topic_page(&state, &p, &name, StatusCode::OK, None).await
}

/// `POST /topics/{name}`: a new query; the matches are rebuilt.
pub async fn edit(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(name): Path<String>,
    Form(f): Form<TopicForm>,
) -> Response {
    let options = TopicOptions {
        ignore_accents: f.ignore_accents.is_some(),
    };
    let _slot = match state.heavy.enter(p.user.id) {
        Ok(slot) => slot,
        Err(busy) => {
            let (status, text) = (StatusCode::TOO_MANY_REQUESTS, busy.to_string());
            return topic_page(&state, &p, &name, status, Some((&f, text))).await;
        }
    };
    match state.engine.update_topic(&name, &f.query, options).await {
        Ok(_) => Redirect::to(&topic_url(&name)).into_response(),
        Err(e) => match user_error(&e) {
            Some((status, text)) => topic_page(&state, &p, &name, status, Some((&f, text))).await,
            None => failed(&p, e),
        },
    }
}

/// `POST /topics/{name}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(name): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !super::confirmed(&form) {
        let question =
            format!("Remove the topic '{name}'? Its matches go with it; the posts stay.");
        let action = format!("{}/delete", topic_url(&name));
        let cancel = topic_url(&name);
        let ask = super::Ask {
            heading: "Remove topic",
            question: &question,
            button: "Remove topic",
            cancel: &cancel,
        };
        return super::confirm(&p, "topics", &ask, &action, &form);
    }
    match state.engine.remove_topic(&name).await {
        Ok(()) | Err(EngineError::NoSuchTopic(_)) => Redirect::to("/topics").into_response(),
        Err(e) => failed(&p, e),
    }
}

#[derive(Deserialize)]
pub struct CheckParams {
    #[serde(default)]
    q: String,
}

/// What the query field shows as the user types.
#[derive(Serialize)]
pub struct CheckAnswer {
    ok: bool,
    /// The error, with its column, when the query does not parse.
    message: Option<String>,
    column: Option<usize>,
}

/// `GET /topics/check?q=QUERY`: whether a query parses, for the live error under the field.
pub async fn check(Query(params): Query<CheckParams>) -> Json<CheckAnswer> {
    Json(match rapport_query::parse(&params.q) {
        Ok(_) => CheckAnswer {
            ok: true,
            message: None,
            column: None,
        },
        Err(e) => CheckAnswer {
            ok: false,
            column: Some(e.column),
            message: Some(e.to_string()),
        },
    })
}

#[derive(Deserialize)]
pub struct BacktestParams {
    #[serde(default)]
    q: String,
    ignore_accents: Option<String>,
}

/// `GET /topics/backtest?q=QUERY`: what a topic with this query would have matched.
pub async fn backtest(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(params): Query<BacktestParams>,
) -> Response {
    let options = TopicOptions {
        ignore_accents: params.ignore_accents.is_some(),
    };
    let mut page = BacktestPage {
        chrome: Chrome::for_principal(&p, "Backtest", "topics"),
        query: params.q.clone(),
        error: String::new(),
        count: 0,
        scanned: 0,
        per_day: Vec::new(),
        posts: Vec::new(),
    };
    let _slot = match state.heavy.enter(p.user.id) {
        Ok(slot) => slot,
        Err(busy) => {
            page.error = busy.to_string();
            return render(StatusCode::TOO_MANY_REQUESTS, &page);
        }
    };
    match state
        .engine
        .backtest(&params.q, options, POSTS_SHOWN as usize)
        .await
    {
        Ok(bt) => {
            page.count = bt.count;
            page.scanned = bt.scanned;
            page.per_day = bt
                .per_day
                .into_iter()
                .map(|(d, n)| (d.to_string(), n))
                .collect();
            page.posts = bt.posts;
            render(StatusCode::OK, &page)
        }
        Err(e) => match user_error(&e) {
            Some((status, text)) => {
                page.error = text;
                render(status, &page)
            }
            None => failed(&p, e),
        },
    }
}
