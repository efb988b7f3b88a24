//! The shared inbox: one page per view (mine, unassigned, a team, all open, at risk, a topic,
//! a priority) with every view's count beside it, sort choices and keyset pages.
//!
//! The page works without script: views and sort are links and a GET form, the filters a GET
//! form whose fields stay in the address (`filters.rs`), bulk actions a form posted to
//! `/inbox/bulk` (`bulk.rs`), saved views forms posted to `/inbox/views` (`saved.rs`). `assets/inbox.js` adds keyboard shortcuts and
//! live updates: on every event of `/inbox/events` (`pages/live.rs`) it fetches
//! `/inbox?...&fragment=1`, the counts and the list alone, and swaps them in.

mod bulk;
mod filters;
mod saved;
mod view;

pub use bulk::bulk;
pub use saved::{create_view, delete_view, rename_view};

use super::{Chrome, message, render};
use crate::AppState;
use crate::auth::{cookie, set_cookie};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use filters::{FilterBar, SavedLink};
use rapport_domain::Topic;
use rapport_domain::care::{InboxCursor, InboxFilter, InboxQuery, InboxSort, PageStart};
use rapport_domain::care::{SavedView, SavedViewId, Team};
use rapport_domain::{Permission, Priority, User};
use rapport_engine::accounts::Principal;
use rapport_engine::care::{CareError, as_seen_by};
use serde::Deserialize;
use view::{Row, SortChoice, ViewGroup, ViewKey};

/// Cases per page, unless the address asks for another number (at most [`MAX_PAGE_SIZE`]).
const PAGE_SIZE: u32 = 50;
const MAX_PAGE_SIZE: u32 = 200;

/// The cookie that carries the outcome of a bulk action across its redirect.
pub(crate) const FLASH_COOKIE: &str = "rapport_inbox_flash";

/// What the address selects. Everything is optional; unknown values fall back to the
/// defaults with a message rather than an error page.
#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    /// `mine`, `unassigned`, `all`, `at_risk`, `team:ID`, `topic:ID` or `priority:NAME`.
    #[serde(default)]
    pub view: Option<String>,
    /// `priority`, `sla_due`, `newest` or `oldest`.
    #[serde(default)]
    pub sort: Option<String>,
    /// The cursor of the page to show (`KEY.ID`, as the previous page gave it).
    #[serde(default)]
    pub after: Option<String>,
    /// Cases per page, 1 to 200.
    #[serde(default)]
    pub limit: Option<String>,
    /// `1`: only the counts and the list, for the page's script to swap in.
    #[serde(default)]
    pub fragment: Option<String>,
    /// The token that takes the last bulk action back (the undo toast).
    #[serde(default)]
    pub undo: Option<String>,
    /// A saved view to open: its view and filters replace those of the address.
    #[serde(default)]
    pub saved: Option<String>,
}

/// The view, sort and page the address asked for, with what was wrong with it.
struct Selection {
    view: ViewKey,
    sort: InboxSort,
    after: Option<InboxCursor>,
    /// `Some` when the address chose the page size.
    limit: Option<u32>,
    filter: InboxFilter,
    /// The saved view opened, when one is.
    saved: Option<SavedViewId>,
    problems: Vec<String>,
}

fn select(p: &InboxParams, pairs: &[(String, String)], me: &User) -> Selection {
    let (filter, mut problems) = InboxFilter::from_params(|k| {
        pairs
            .iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.as_str())
    });
    let view = match p.view.as_deref().filter(|v| !v.is_empty()) {
        None => ViewKey::AllOpen,
        Some(v) => ViewKey::parse(v, me.id).unwrap_or_else(|e| {
            problems.push(e);
            ViewKey::AllOpen
        }),
    };
    let sort = match p.sort.as_deref().filter(|s| !s.is_empty()) {
        None => InboxSort::default(),
        Some(s) => s.parse().unwrap_or_else(|e| {
            problems.push(e);
            InboxSort::default()
        }),
    };
    let after = match p.after.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(a) => match a.parse() {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(e);
                None
            }
        },
    };
    let limit = match p.limit.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(l) => match l.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Some(n),
            _ => {
                problems.push(format!(
                    "Page size '{l}' is not a number from 1 to {MAX_PAGE_SIZE}; showing {PAGE_SIZE}."
                ));
                None
            }
        },
    };
    let saved = match p.saved.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(n) => Some(SavedViewId(n)),
            Err(_) => {
                problems.push(format!("'{s}' is not a saved view; showing the filters."));
                None
            }
        },
    };
    Selection {
        view,
        sort,
        after,
        limit,
        filter,
        saved,
        problems,
    }
}

/// Opens the saved view the address names: its view and filters replace the address's.
async fn open_saved(state: &AppState, me: &User, sel: &mut Selection) -> Option<SavedView> {
    let id = sel.saved?;
    match state.engine.care().saved_view(me.id, id).await {
        Ok(v) => {
            sel.view = ViewKey::from_view(as_seen_by(v.view, me.id));
            sel.filter = v.filter.clone();
            Some(v)
        }
        Err(e) => {
            sel.saved = None;
            sel.problems.push(match e {
                CareError::NotFound(_) => "That saved view is gone or not shared with you.".into(),
                e => format!("The saved view could not be opened: {e}"),
            });
            None
        }
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    list: List,
    can_write: bool,
    /// The outcome of the last bulk action, or what was wrong with the address.
    flash: String,
    /// Who cases can be assigned to: (user id, name).
    agents: Vec<(i64, String)>,
    priorities: Vec<&'static str>,
    /// The token of the undo toast, when the page comes back from a bulk action.
    undo: String,
    bar: FilterBar,
    /// The saved view opened: (id, name, whether the user owns it).
    saved: Option<(i64, String, bool)>,
    /// Whether there is something to save: filters, or a view other than all open.
    can_save: bool,
}

#[derive(Template)]
#[template(path = "inbox_fragment.html")]
struct Fragment {
    list: List,
    can_write: bool,
}

/// What the list part of the page shows (the part the script refreshes).
pub(crate) struct List {
    pub view: String,
    pub view_label: String,
    pub sort: &'static str,
    pub sorts: Vec<SortChoice>,
    pub groups: Vec<ViewGroup>,
    pub rows: Vec<Row>,
    /// The address of the next page, when there is one.
    pub next: String,
    /// The address of the first page, when this is a later one.
    pub first: String,
    /// This page's address (the script refetches it).
    pub here: String,
    /// The saved views the user sees, with their counts.
    pub saved: Vec<SavedLink>,
    /// How many cases the view holds with the filters, when filters are set.
    pub filtered: Option<u64>,
}

fn failed(p: &Principal, what: &str, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "inbox: {what} failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "inbox"),
        "Something went wrong",
        "The inbox could not be loaded; try again.",
    )
}

/// Users who may work cases, for the assign control and the assignee column.
fn agents(users: &[User]) -> Vec<(i64, String)> {
    users
        .iter()
        .filter(|u| u.can(Permission::WriteCases))
        .map(|u| (u.id.0, view::user_label(u)))
        .collect()
}

/// Builds the counts and the list for `sel` as `p` sees them.
async fn list(
    state: &AppState,
    p: &Principal,
    sel: &Selection,
    users: &[User],
    (topics, teams): (&[Topic], &[Team]),
) -> Result<List, String> {
    let care = state.engine.care();
    let me = p.user.id;
    let query = InboxQuery {
        view: sel.view.to_view(),
        sort: sel.sort,
        limit: sel.limit.unwrap_or(PAGE_SIZE),
        start: sel.after.map_or(PageStart::First, PageStart::After),
    };
    let mut page = care
        .filtered_inbox(&query, &sel.filter)
        .await
        .map_err(|e| format!("inbox list: {e}"))?;
    // A full page gets a cursor even when nothing follows it; look one case ahead so the
    // last page does not link to an empty one.
    if let Some(c) = page.next {
        let ahead = InboxQuery {
            limit: 1,
            start: PageStart::After(c),
            ..query
        };
        let more = care
            .filtered_inbox(&ahead, &sel.filter)
            .await
            .map_err(|e| format!("inbox list: {e}"))?;
        if more.items.is_empty() {
            page.next = None;
        }
    }
    let counts = care
        .counts(Some(me))
        .await
        .map_err(|e| format!("inbox counts: {e}"))?;
    // The saved views' counts in one statement.
    let views = care
        .saved_views_among(me, teams)
        .await
        .map_err(|e| format!("saved views: {e}"))?;
    let filtered = if sel.filter.is_empty() {
        None
    } else {
        let set = [(query.view, sel.filter.clone())];
        let n = care
            .filtered_counts(&set)
            .await
            .map_err(|e| format!("inbox counts: {e}"))?;
        n.first().copied()
    };
    let now = Utc::now();
    let mut groups = view::groups(&sel.view, &counts, topics, teams, me);
    // A saved view open is the current one, not the view it narrows.
    if sel.saved.is_some() {
        for l in groups.iter_mut().flat_map(|g| g.links.iter_mut()) {
            l.current = false;
        }
    }
    let view_label = view::label(&sel.view, topics, teams);
    let key = sel.view.key();
    let sort = sel.sort.as_str();
    let filter_query = match sel.saved {
        Some(id) => format!("&saved={id}"),
        None => filters::query(&sel.filter),
    };
    let mut base = match sel.saved {
        Some(id) => format!("/inbox?saved={id}&sort={sort}"),
        None => format!(
            "/inbox?view={}&sort={sort}{filter_query}",
            view::encode(&key)
        ),
    };
    if let Some(n) = sel.limit {
        base.push_str(&format!("&limit={n}"));
    }
    Ok(List {
        sorts: view::sorts(sel.sort),
        rows: page.items.iter().map(|i| Row::new(i, users, now)).collect(),
        next: page
            .next
            .map(|c| format!("{base}&after={c}"))
            .unwrap_or_default(),
        first: if sel.after.is_some() {
            base.clone()
        } else {
            String::new()
        },
        here: match sel.after {
            Some(c) => format!("{base}&after={c}"),
            None => base,
        },
        groups,
        view_label,
        view: key,
        sort,
        saved: filters::saved_links(&views, teams, sel.saved.map(|v| v.0)),
        filtered,
    })
}

/// The filter bar's choices, with the filter of `sel` selected.
async fn bar(
    state: &AppState,
    p: &Principal,
    sel: &Selection,
    users: &[User],
    (topics, teams): (&[Topic], &[Team]),
) -> Result<FilterBar, String> {
    let accounts = state
        .engine
        .care()
        .own_accounts()
        .await
        .map_err(|e| format!("own accounts: {e}"))?;
    Ok(FilterBar::new(
        &sel.filter,
        &filters::Options {
            accounts: &accounts,
            topics,
            agents: &agents(users),
            teams,
            me: p.user.id,
        },
    ))
}

/// The flash message a bulk action left, and the header that clears it.
fn take_flash(headers: &HeaderMap) -> Option<String> {
    let raw = cookie(headers, FLASH_COOKIE)?;
    let bytes = hex::decode(raw).ok()?;
    String::from_utf8(bytes).ok()
}

/// `GET /inbox`: the page, or with `fragment=1` its counts and list alone.
pub async fn page(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Query(params): Query<InboxParams>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let mut sel = select(&params, &pairs, &p.user);
    let opened = open_saved(&state, &p.user, &mut sel).await;
    let users = match state.accounts.users().await {
        Ok(u) => u,
        Err(e) => return failed(&p, "users", e),
    };
    let care = state.engine.care();
    // The topics' names only: their match counts would cost a pass over every match.
    let (topics, teams) = match (state.engine.topic_list().await, care.teams().await) {
        (Ok(t), Ok(m)) => (t, m),
        (Err(e), _) => return failed(&p, "topics", e),
        (_, Err(e)) => return failed(&p, "teams", e),
    };
    let list = match list(&state, &p, &sel, &users, (&topics, &teams)).await {
        Ok(l) => l,
        Err(e) => return failed(&p, "listing", e),
    };
    let can_write = p.can(Permission::WriteCases);
    if params.fragment.as_deref() == Some("1") {
        return render(StatusCode::OK, &Fragment { list, can_write });
    }
    let taken = take_flash(&headers);
    let mut flash = sel.problems.join(" ");
    if let Some(f) = &taken {
        flash = format!("{f} {flash}").trim().to_string();
    }
    let bar = match bar(&state, &p, &sel, &users, (&topics, &teams)).await {
        Ok(b) => b,
        Err(e) => return failed(&p, "filters", e),
    };
    let title = match &opened {
        Some(v) => format!("Inbox: {}", v.name),
        None => format!("Inbox: {}", list.view_label),
    };
    let mut response = render(
        StatusCode::OK,
        &InboxPage {
            chrome: Chrome::for_principal(&p, &title, "inbox"),
            list,
            can_write,
            flash,
            undo: params
                .undo
                .filter(|t| can_write && super::undo::well_formed(t))
                .unwrap_or_default(),
            agents: agents(&users),
            priorities: Priority::ALL.iter().map(|p| p.as_str()).collect(),
            can_save: !sel.filter.is_empty() || !matches!(sel.view, ViewKey::AllOpen),
            saved: opened.map(|v| (v.id.0, v.name, v.owner == p.user.id)),
            bar,
        },
    );
    if taken.is_some() || cookie(&headers, FLASH_COOKIE).is_some() {
        let clear = set_cookie(FLASH_COOKIE, "", 0, state.config.secure_cookies);
        if let Ok(v) = clear.parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response.into_response()
}
