//! `GET /search?q=`: the header's search box, over cases, posts and contacts at once
//! ([`Engine::search_everywhere`] says what each kind finds and how plain words are read).
//!
//! Results are grouped by kind, each with its count and a link to all of them
//! (`/search?q=...&kind=cases`, which lists up to [`MORE`]; posts also open in the topic
//! backtest for those who read topics). A group is shown only to a role that may read that
//! kind. A query the language refuses, one that runs past the deadline and a user with too many
//! searches running get the page with a message, never an error page.
//!
//! [`Engine::search_everywhere`]: rapport_engine::Engine::search_everywhere

use super::{Chrome, message, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rapport_domain::Permission;
use rapport_engine::accounts::Principal;
use rapport_engine::{EngineError, Everywhere, Kinds};
use serde::Deserialize;

/// Items per group on the overview.
const FIRST: usize = 5;
/// Items listed when one kind is asked for.
const MORE: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    /// `cases`, `posts` or `contacts`: that kind alone, more of it.
    #[serde(default)]
    kind: String,
}

/// One group of results as the page lists it.
pub struct Group {
    /// `cases`, `posts` or `contacts` (ids and CSS classes).
    pub kind: &'static str,
    pub title: &'static str,
    pub count: u64,
    pub items: Vec<Item>,
    /// All of this kind (empty when every one is listed).
    pub more: String,
    /// The same query in the topic backtest (posts, for those who read topics).
    pub backtest: String,
}

pub struct Item {
    pub href: String,
    pub title: String,
    pub meta: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    /// The language query that ran, when plain words were turned into one.
    ran: String,
    error: String,
    groups: Vec<Group>,
    /// The kind asked for alone, if any.
    kind: &'static str,
    /// Whether anything was searched (a query was given and accepted).
    searched: bool,
    /// The overview of the same query.
    all_link: String,
}

/// `q` encoded for a query string.
pub(crate) fn encode(q: &str) -> String {
    let mut out = String::new();
    for b in q.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The groups of a search, in the order cases, posts, contacts.
fn groups(found: Everywhere, p: &Principal, q: &str, listed: usize) -> Vec<Group> {
    let more = |kind: &str, count: u64| {
        if count as usize > listed {
            format!("/search?q={}&kind={kind}", encode(q))
        } else {
            String::new()
        }
    };
    let mut out = Vec::new();
    if let Some(cases) = found.cases {
        out.push(Group {
            kind: "cases",
            title: "Cases",
            more: more("cases", cases.count),
            backtest: String::new(),
            count: cases.count,
            items: cases
                .items
                .into_iter()
                .map(|c| Item {
                    href: format!("/cases/{}", c.id),
                    title: format!("Case {} · {}", c.id, c.contact_name),
                    meta: format!(
                        "{} · {} priority · {} · matching post {}",
                        c.status,
                        c.priority,
                        c.network,
                        when(c.at)
                    ),
                    text: excerpt(&c.text),
                })
                .collect(),
        });
    }
    if let Some(posts) = found.posts {
        out.push(Group {
            kind: "posts",
            title: "Posts",
            more: more("posts", posts.count),
            backtest: if p.can(Permission::ReadTopics) {
                format!("/topics/backtest?q={}", encode(&found.query))
            } else {
                String::new()
            },
            count: posts.count,
            items: posts
                .items
                .into_iter()
                .map(|h| Item {
                    href: String::new(),
                    title: format!("@{}", h.author),
                    meta: format!(
                        "{} · {}",
                        h.network,
                        chrono::DateTime::parse_from_rfc3339(&h.created_at)
                            .map(|t| when(t.with_timezone(&chrono::Utc)))
                            .unwrap_or(h.created_at)
                    ),
                    text: excerpt(&h.text),
                })
                .collect(),
        });
    }
    if let Some(contacts) = found.contacts {
        out.push(Group {
            kind: "contacts",
            title: "Contacts",
            more: more("contacts", contacts.count),
            backtest: String::new(),
            count: contacts.count,
            items: contacts
                .items
                .into_iter()
                .map(|c| {
                    let handles: Vec<String> = c
                        .handles
                        .iter()
                        .map(|(n, h)| format!("{n}: @{h}"))
                        .collect();
                    let why = match (c.by_name, c.posts) {
                        (true, 0) => "found by name or handle".to_string(),
                        (true, n) => format!("found by name or handle; {n} matching posts"),
                        (false, 1) => "wrote 1 matching post".to_string(),
                        (false, n) => format!("wrote {n} matching posts"),
                    };
                    Item {
                        href: format!("/contacts/{}", c.id),
                        title: c.name,
                        meta: why,
                        text: handles.join(" · "),
                    }
                })
                .collect(),
        });
    }
    out
}

/// What the caller may read.
fn kinds(p: &Principal, only: &str) -> Kinds {
    let wanted = |k: &str| only.is_empty() || only == k;
    Kinds {
        cases: p.can(Permission::ReadInbox) && wanted("cases"),
        posts: p.can(Permission::ReadPosts) && wanted("posts"),
        contacts: p.can(Permission::ReadContacts) && wanted("contacts"),
    }
}

/// A search's refusal as the page says it, or `None` when it is not the user's to fix.
fn user_error(e: &EngineError) -> Option<(StatusCode, String)> {
    match e {
        EngineError::Query(q) => Some((
            StatusCode::BAD_REQUEST,
            format!(
                "The query is not valid: {q}. Plain words search for posts holding all of them."
            ),
        )),
        EngineError::InvalidInput(m) => Some((StatusCode::BAD_REQUEST, format!("{m}."))),
        EngineError::QueryTimeout { .. } => Some((StatusCode::UNPROCESSABLE_ENTITY, e.to_string())),
        _ => None,
    }
}

/// `GET /search?q=&kind=`.
pub async fn search(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(params): Query<SearchParams>,
) -> Response {
    let q = params.q.trim().to_string();
    let kind = match params.kind.as_str() {
        "cases" => "cases",
        "posts" => "posts",
        "contacts" => "contacts",
        _ => "",
    };
    let mut chrome = Chrome::for_principal(&p, "Search", "search");
    chrome.search = q.clone();
    let mut page = SearchPage {
        chrome,
        q: q.clone(),
        ran: String::new(),
        error: String::new(),
        groups: Vec::new(),
        kind,
        searched: false,
        all_link: format!("/search?q={}", encode(&q)),
    };
    if q.is_empty() {
        return render(StatusCode::OK, &page);
    }
    let _slot = match state.heavy.enter(p.user.id) {
        Ok(slot) => slot,
        Err(busy) => {
            page.error = format!("{}.", capitalized(&busy.to_string()));
            return render(StatusCode::TOO_MANY_REQUESTS, &page);
        }
    };
    let listed = if kind.is_empty() { FIRST } else { MORE };
    match state
        .engine
        .search_everywhere(&q, kinds(&p, kind), listed)
        .await
    {
        Ok(found) => {
            if found.plain && found.query != q {
                page.ran = found.query.clone();
            }
            page.groups = groups(found, &p, &q, listed);
            page.searched = true;
            render(StatusCode::OK, &page)
        }
        Err(e) => match user_error(&e) {
            Some((status, text)) => {
                page.error = text;
                render(status, &page)
            }
            None => {
                tracing::error!(error = %e, "search failed");
                message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Chrome::for_principal(&p, "Error", "search"),
                    "Something went wrong",
                    "The search failed; try again.",
                )
            }
        },
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn queries_are_encoded_for_links() {
        assert_eq!(
            encode("from:delta \"lost bag\""),
            "from%3Adelta%20%22lost%20bag%22"
        );
    }
}
