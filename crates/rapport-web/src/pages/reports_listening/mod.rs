//! Reports › Listening: `GET /reports/listening` draws every listening report of a period
//! (volume and sentiment over time, net sentiment, share of voice, intents, top authors,
//! trending terms and hashtags), each chart with its numbers as a table and a CSV download
//! (`/reports/listening.csv?chart=...`), every bar and row linking to the posts it counts
//! (`/reports/listening/posts?...`). Post text, handles, terms and topic names are untrusted:
//! the templates escape them and the SVG writer escapes what it draws.

mod csv_export;
mod svg;

pub use csv_export::csv;

use super::{Chrome, message, render};
use crate::AppState;
use crate::api::reports_listening::{ListeningDto, listening_dto};
use crate::listening::{BadParam, Request, parse, query_string};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rapport_domain::Network;
use rapport_engine::SearchHit;
use rapport_engine::accounts::Principal;

/// Where the page's figures link to.
const PAGE_POSTS: &str = "/reports/listening/posts";

/// The filter form as the page shows it.
pub struct Form {
    pub from: String,
    pub to: String,
    pub buckets: Vec<(&'static str, bool)>,
    /// Topic names, and whether each is picked.
    pub topics: Vec<(String, bool)>,
    pub networks: Vec<(&'static str, bool)>,
    pub lang: String,
}

impl Form {
    fn of(r: &Request) -> Form {
        Form {
            from: r.filter.from.to_rfc3339(),
            to: r.filter.to.to_rfc3339(),
            buckets: rapport_domain::listening::Bucket::ALL
                .into_iter()
                .map(|b| (b.as_str(), b == r.bucket))
                .collect(),
            topics: r
                .topics
                .iter()
                .map(|t| (t.name.clone(), r.filter.topics.contains(&t.id)))
                .collect(),
            networks: [
                Network::Bluesky,
                Network::Mastodon,
                Network::X,
                Network::Import,
            ]
            .into_iter()
            .map(|n| (n.as_str(), r.filter.networks.contains(&n)))
            .collect(),
            lang: r.filter.langs.join(" "),
        }
    }
}

#[derive(Template)]
#[template(path = "reports_listening.html")]
struct ListeningPage {
    chrome: Chrome,
    form: Form,
    error: String,
    report: Option<ListeningDto>,
    volume_svg: String,
    net_svg: String,
    share_svg: String,
    intents_svg: String,
    /// The request's query string, for the CSV links.
    query: String,
}

#[derive(Template)]
#[template(path = "reports_listening_posts.html")]
struct PostsPage {
    chrome: Chrome,
    error: String,
    /// What the posts are, in words.
    what: Vec<(String, String)>,
    count: u64,
    posts: Vec<SearchHit>,
    back: String,
    next: String,
}

/// Splits the form's language box (`en fr`, `en, fr`) into one `lang` each.
fn pairs(raw: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in raw {
        if k == "lang" {
            for l in v.split([' ', ',']).filter(|l| !l.is_empty()) {
                out.push((k.clone(), l.to_string()));
            }
        } else {
            out.push((k, v));
        }
    }
    out
}

fn failed(p: &Principal, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "listening report failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "reports"),
        "Something went wrong",
        "The report failed; try again.",
    )
}

/// `GET /reports/listening`: the page.
pub async fn page(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(raw): Query<Vec<(String, String)>>,
) -> Response {
    let chrome = Chrome::for_principal(&p, "Listening report", "reports");
    let r = match parse(&state.engine, &pairs(raw)).await {
        Ok(r) => r,
        Err(BadParam(name, why)) => {
            let fallback = parse(&state.engine, &[]).await;
            let Ok(fallback) = fallback else {
                return failed(&p, why);
            };
            let page = ListeningPage {
                chrome,
                form: Form::of(&fallback),
                error: format!("{name}: {why}"),
                report: None,
                volume_svg: String::new(),
                net_svg: String::new(),
                share_svg: String::new(),
                intents_svg: String::new(),
                query: String::new(),
            };
            return render(StatusCode::BAD_REQUEST, &page);
        }
    };
    let report = match state
        .engine
        .listening_report(&r.filter, r.bucket, r.top)
        .await
    {
        Ok(report) => listening_dto(PAGE_POSTS, &r, &report),
        Err(e) => return failed(&p, e),
    };
    let page = ListeningPage {
        chrome,
        form: Form::of(&r),
        error: String::new(),
        volume_svg: svg::volume(&report.volume),
        net_svg: svg::net(&report.volume),
        share_svg: svg::share(&report.share_of_voice),
        intents_svg: svg::intents(&report.intents),
        report: Some(report),
        query: query_string(&r.filter, r.bucket, None, &r.topics),
    };
    render(StatusCode::OK, &page)
}

/// `GET /reports/listening/posts`: the posts behind a figure, 50 a page.
pub async fn posts(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(raw): Query<Vec<(String, String)>>,
) -> Response {
    let chrome = Chrome::for_principal(&p, "Posts behind a figure", "reports");
    let r = match parse(&state.engine, &pairs(raw)).await {
        Ok(r) => r,
        Err(BadParam(name, why)) => {
            let page = PostsPage {
                chrome,
                error: format!("{name}: {why}"),
                what: Vec::new(),
                count: 0,
                posts: Vec::new(),
                back: "/reports/listening".into(),
                next: String::new(),
            };
            return render(StatusCode::BAD_REQUEST, &page);
        }
    };
    let found = match state
        .engine
        .listening_posts(&r.filter, r.term.as_deref(), r.limit, r.offset)
        .await
    {
        Ok(found) => found,
        Err(e) => return failed(&p, e),
    };
    let f = &r.filter;
    let mut what = vec![
        ("From".to_string(), f.from.to_rfc3339()),
        ("To".to_string(), f.to.to_rfc3339()),
    ];
    let names: Vec<String> = r
        .topics
        .iter()
        .filter(|t| f.topics.contains(&t.id))
        .map(|t| t.name.clone())
        .collect();
    for (label, value) in [
        ("Topics", names.join(", ")),
        (
            "Networks",
            f.networks
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("Languages", f.langs.join(", ")),
        (
            "Sentiment",
            f.sentiment.map(|s| s.to_string()).unwrap_or_default(),
        ),
        (
            "Intent",
            f.intent.map(|s| s.to_string()).unwrap_or_default(),
        ),
        (
            "Author",
            f.author.as_ref().map(|a| a.to_string()).unwrap_or_default(),
        ),
        (
            "Hashtag",
            f.hashtag
                .as_ref()
                .map(|h| format!("#{h}"))
                .unwrap_or_default(),
        ),
        ("Term", r.term.clone().unwrap_or_default()),
    ] {
        if !value.is_empty() {
            what.push((label.to_string(), value));
        }
    }
    let mut unnarrowed = f.clone();
    unnarrowed.sentiment = None;
    unnarrowed.intent = None;
    unnarrowed.author = None;
    unnarrowed.hashtag = None;
    let back = format!(
        "/reports/listening?{}",
        query_string(&unnarrowed, r.bucket, None, &r.topics)
    );
    let seen = u64::from(r.offset) + found.posts.len() as u64;
    let next = if seen < found.count {
        format!(
            "{PAGE_POSTS}?{}&offset={seen}&limit={}",
            query_string(f, r.bucket, r.term.as_deref(), &r.topics),
            r.limit
        )
    } else {
        String::new()
    };
    render(
        StatusCode::OK,
        &PostsPage {
            chrome,
            error: String::new(),
            what,
            count: found.count,
            posts: found.posts,
            back,
            next,
        },
    )
}
