//! The contact pages: the list (`GET /contacts`: search, stage and tag filters, sort, keyset
//! pages), one contact (`show.rs`: identities, fields, leads, the touchpoint timeline, merge
//! and split), the forms that change a contact (`forms.rs`) and the leads list
//! (`GET /leads`). Every page reads through the care use cases, the same ones the API uses.

mod forms;
mod privacy;
mod show;

pub use forms::{merge, save_fields, split};
pub use privacy::{erase, export};
pub use show::show;

use super::{Chrome, message, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use rapport_domain::care::{
    ContactCursor, ContactQuery, ContactSort, ContactSummary, LeadCursor, LifecycleStage,
};
use rapport_engine::accounts::Principal;
use rapport_engine::care::CareError;
use serde::Deserialize;

/// Contacts on one page of the list.
const PAGE_SIZE: u32 = 50;
/// Leads on one page of the leads list.
const LEADS_PAGE: u32 = 50;

/// How times read on the contact pages.
pub(crate) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Percent-encodes a query-string value.
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A short excerpt of post text for lists (whole characters, never mid-character).
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

pub(crate) fn failed(p: &Principal, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "contact page failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "contacts"),
        "Something went wrong",
        "The request failed; try again.",
    )
}

pub(crate) fn not_found(p: &Principal, id: &str) -> Response {
    message(
        StatusCode::NOT_FOUND,
        Chrome::for_principal(p, "Not found", "contacts"),
        "No such contact",
        &format!("There is no contact {id}."),
    )
}

/// A care error the user can act on, as a status and a sentence; `None` for the others.
pub(crate) fn user_error(e: &CareError) -> Option<(StatusCode, String)> {
    match e {
        CareError::Invalid { field, reason } => {
            Some((StatusCode::BAD_REQUEST, format!("{field}: {reason}.")))
        }
        CareError::InvalidInput(m) => {
            Some((StatusCode::BAD_REQUEST, format!("{}.", capitalize(m))))
        }
        CareError::NotFound(m) => Some((StatusCode::NOT_FOUND, format!("There is no {m}."))),
        _ => None,
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What the list's search form sends.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    own: String,
    #[serde(default)]
    after: String,
    /// Contacts per page, 1 to 500; 50 when left out.
    #[serde(default)]
    limit: String,
}

/// One row of the list, ready to show.
pub(crate) struct Row {
    pub id: i64,
    pub name: String,
    /// `network @handle` per identity.
    pub identities: Vec<String>,
    pub email: String,
    pub company: String,
    pub stage: String,
    pub tags: Vec<String>,
    pub posts: u64,
    pub open_cases: u64,
    pub last: String,
}

impl Row {
    pub(crate) fn new(c: ContactSummary) -> Self {
        Row {
            id: c.id.0,
            name: c.name,
            identities: c
                .identities
                .iter()
                .map(|i| format!("{} @{}", i.network, i.handle))
                .collect(),
            email: c.email.unwrap_or_default(),
            company: c.company.unwrap_or_default(),
            stage: c.stage.map(|s| s.as_str().to_string()).unwrap_or_default(),
            tags: c.tags.into_iter().collect(),
            posts: c.posts,
            open_cases: c.open_cases,
            last: c.last_activity_at.map(when).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    stage: String,
    tag: String,
    sort: String,
    own: bool,
    stages: Vec<&'static str>,
    error: String,
    rows: Vec<Row>,
    /// Whether this is a later page (a link back to the first one is offered).
    paged: bool,
    next_url: String,
    first_url: String,
}

/// Reads the list's parameters into a query, or says which one is wrong.
fn list_query(params: &ListParams) -> Result<ContactQuery, String> {
    let stage = match params.stage.trim() {
        "" => None,
        s => Some(s.parse::<LifecycleStage>()?),
    };
    let sort = match params.sort.trim() {
        "" => ContactSort::LastActivity,
        s => s.parse::<ContactSort>()?,
    };
    let after = match params.after.trim() {
        "" => None,
        a => Some(a.parse::<ContactCursor>().map_err(|_| {
            "That page link is no longer valid; start again from the first page.".to_string()
        })?),
    };
    let limit = match params.limit.trim() {
        "" => PAGE_SIZE,
        l => l
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| format!("Contacts per page must be 1 to 500, not '{l}'."))?,
    };
    let tag = params.tag.trim();
    Ok(ContactQuery {
        text: params.q.trim().to_string(),
        stage,
        tag: (!tag.is_empty()).then(|| tag.to_string()),
        include_own: !params.own.is_empty(),
        sort,
        limit,
        after,
    })
}

/// `GET /contacts`.
pub async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(params): Query<ListParams>,
) -> Response {
    let base = |after: &str| {
        let mut url = format!(
            "/contacts?q={}&stage={}&tag={}&sort={}",
            enc(params.q.trim()),
            enc(params.stage.trim()),
            enc(params.tag.trim()),
            enc(params.sort.trim())
        );
        if !params.own.is_empty() {
            url.push_str("&own=1");
        }
        if !params.limit.trim().is_empty() {
            url.push_str(&format!("&limit={}", enc(params.limit.trim())));
        }
        if !after.is_empty() {
            url.push_str(&format!("&after={}", enc(after)));
        }
        url
    };
    let mut page = ListPage {
        chrome: Chrome::for_principal(&p, "Contacts", "contacts"),
        q: params.q.clone(),
        stage: params.stage.trim().to_string(),
        tag: params.tag.clone(),
        sort: match params.sort.trim() {
            "" => ContactSort::LastActivity.as_str().to_string(),
            s => s.to_string(),
        },
        own: !params.own.is_empty(),
        stages: LifecycleStage::ALL.iter().map(|s| s.as_str()).collect(),
        error: String::new(),
        rows: Vec::new(),
        paged: !params.after.trim().is_empty(),
        next_url: String::new(),
        first_url: base(""),
    };
    let query = match list_query(&params) {
        Ok(q) => q,
        Err(e) => {
            page.error = e;
            return render(StatusCode::BAD_REQUEST, &page);
        }
    };
    match state.engine.care().contacts(&query).await {
        Ok(found) => {
            page.rows = found.items.into_iter().map(Row::new).collect();
            page.next_url = found.next.map(|c| base(&c.to_string())).unwrap_or_default();
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

/// One row of the leads list.
struct LeadRow {
    contact_id: i64,
    name: String,
    post: String,
    network: String,
    at: String,
    stage: String,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadsPage {
    chrome: Chrome,
    rows: Vec<LeadRow>,
    error: String,
    /// Whether this is a later page (a link back to the first one is offered).
    paged: bool,
    next_url: String,
}

/// What the leads list's links send: where the page starts.
#[derive(Debug, Default, Deserialize)]
pub struct LeadParams {
    #[serde(default)]
    after: String,
    /// Leads per page, 1 to 500; 50 when left out.
    #[serde(default)]
    limit: String,
}

/// `GET /leads`: contacts flagged as leads, the latest flag first, one row per contact, in
/// keyset pages (`?after=` the position after the last row of the page before, `&limit=`
/// rows per page).
pub async fn leads(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(params): Query<LeadParams>,
) -> Response {
    let mut page = LeadsPage {
        chrome: Chrome::for_principal(&p, "Leads", "contacts"),
        rows: Vec::new(),
        error: String::new(),
        paged: !params.after.trim().is_empty(),
        next_url: String::new(),
    };
    let limit = match params.limit.trim() {
        "" => LEADS_PAGE,
        l => match l.parse::<u32>().ok().filter(|n| (1..=500).contains(n)) {
            Some(n) => n,
            None => {
                page.error = format!("Leads per page must be 1 to 500, not '{l}'.");
                return render(StatusCode::BAD_REQUEST, &page);
            }
        },
    };
    let after = match params.after.trim() {
        "" => None,
        a => match a.parse::<LeadCursor>() {
            Ok(c) => Some(c),
            Err(_) => {
                page.error = "That page link is no longer valid; start again from the first page."
                    .to_string();
                return render(StatusCode::BAD_REQUEST, &page);
            }
        },
    };
    let found = match state.engine.care().leads_with_posts(after, limit).await {
        Ok(l) => l,
        Err(e) => return failed(&p, e),
    };
    page.next_url = found
        .next
        .map(|c| {
            let mut url = format!("/leads?after={}", enc(&c.to_string()));
            if limit != LEADS_PAGE {
                url.push_str(&format!("&limit={limit}"));
            }
            url
        })
        .unwrap_or_default();
    page.rows = found
        .items
        .into_iter()
        .map(|l| LeadRow {
            contact_id: l.lead.contact_id.0,
            name: l.lead.contact_name,
            post: l
                .post
                .as_ref()
                .map(|s| excerpt(&s.post.text, 160))
                .unwrap_or_default(),
            network: l
                .post
                .as_ref()
                .map(|s| s.post.network.to_string())
                .unwrap_or_default(),
            at: when(l.lead.at),
            stage: l
                .lead
                .stage
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        })
        .collect();
    render(StatusCode::OK, &page)
}
