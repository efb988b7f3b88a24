//! `GET /reports/listening.csv?chart=...`: one chart's numbers as CSV, the same figures as
//! its table, for the same parameters as the page. Cells a spreadsheet would read as a
//! formula are quoted with a leading `'`.

use super::{PAGE_POSTS, pairs};
use crate::AppState;
use crate::api::reports_listening::{
    authors_dto, intents_dto, share_dto, trending_dto, volume_dto,
};
use crate::listening::{BadParam, parse};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_domain::listening::AuthorOrder;

/// The charts one can download.
const CHARTS: &str = "volume, share, intents, authors, reach, terms or hashtags";

/// A text cell as a spreadsheet may take it.
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_default()
}

fn bad(status: StatusCode, text: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// `GET /reports/listening.csv`.
pub async fn csv(
    State(state): State<AppState>,
    Query(raw): Query<Vec<(String, String)>>,
) -> Response {
    let chart = raw
        .iter()
        .rev()
        .find(|(k, _)| k == "chart")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let r = match parse(&state.engine, &pairs(raw)).await {
        Ok(r) => r,
        Err(BadParam(name, why)) => return bad(StatusCode::BAD_REQUEST, format!("{name}: {why}")),
    };
    let e = &state.engine;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let result: Result<(), rapport_engine::EngineError> = async {
        match chart.as_str() {
            "volume" => {
                let v = volume_dto(
                    PAGE_POSTS,
                    &r,
                    &e.listening_volume(&r.filter, r.bucket).await?,
                );
                rows.push(
                    [
                        "start",
                        "end",
                        "posts",
                        "positive",
                        "neutral",
                        "negative",
                        "unlabelled",
                        "net_sentiment",
                    ]
                    .map(String::from)
                    .to_vec(),
                );
                for p in v.points {
                    let s = p.sentiment;
                    rows.push(vec![
                        p.start,
                        p.end,
                        s.posts.to_string(),
                        s.positive.to_string(),
                        s.neutral.to_string(),
                        s.negative.to_string(),
                        s.unlabelled.to_string(),
                        opt(s.net_sentiment),
                    ]);
                }
            }
            "share" => {
                let s = share_dto(PAGE_POSTS, &r, &e.listening_share(&r.filter).await?);
                rows.push(
                    [
                        "topic",
                        "posts",
                        "share",
                        "positive",
                        "neutral",
                        "negative",
                        "unlabelled",
                        "net_sentiment",
                    ]
                    .map(String::from)
                    .to_vec(),
                );
                for t in s.topics {
                    let c = t.sentiment;
                    rows.push(vec![
                        cell(&t.topic),
                        c.posts.to_string(),
                        format!("{:.4}", t.share),
                        c.positive.to_string(),
                        c.neutral.to_string(),
                        c.negative.to_string(),
                        c.unlabelled.to_string(),
                        opt(c.net_sentiment),
                    ]);
                }
            }
            "intents" => {
                let m = intents_dto(PAGE_POSTS, &r, &e.listening_intents(&r.filter).await?);
                rows.push(["intent", "posts", "share"].map(String::from).to_vec());
                for i in m.intents {
                    rows.push(vec![
                        i.intent,
                        i.posts.to_string(),
                        format!("{:.4}", i.share),
                    ]);
                }
            }
            "authors" | "reach" => {
                let order = if chart == "reach" {
                    AuthorOrder::Reach
                } else {
                    AuthorOrder::Volume
                };
                let a = authors_dto(
                    PAGE_POSTS,
                    &r,
                    &chart,
                    &e.listening_authors(&r.filter, order, r.top).await?,
                );
                rows.push(
                    ["network", "handle", "posts", "followers", "engagement"]
                        .map(String::from)
                        .to_vec(),
                );
                for a in a.authors {
                    rows.push(vec![
                        a.network,
                        cell(&a.handle),
                        a.posts.to_string(),
                        a.followers.map(|f| f.to_string()).unwrap_or_default(),
                        a.engagement.to_string(),
                    ]);
                }
            }
            "terms" | "hashtags" => {
                let t = trending_dto(
                    PAGE_POSTS,
                    &r,
                    &e.listening_trending(&r.filter, r.top as usize).await?,
                );
                rows.push(
                    ["term", "posts", "previous_posts", "score"]
                        .map(String::from)
                        .to_vec(),
                );
                let list = if chart == "terms" {
                    t.terms
                } else {
                    t.hashtags
                };
                for t in list {
                    rows.push(vec![
                        cell(&t.term),
                        t.current.to_string(),
                        t.previous.to_string(),
                        format!("{:.4}", t.score),
                    ]);
                }
            }
            _ => {}
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::error!(error = %err, "listening CSV failed");
        return bad(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into());
    }
    if rows.is_empty() {
        return bad(StatusCode::BAD_REQUEST, format!("chart: expected {CHARTS}"));
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        if out.write_record(row).is_err() {
            return bad(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into());
        }
    }
    let Ok(body) = out.into_inner() else {
        return bad(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into());
    };
    let disposition = format!("attachment; filename=\"rapport-listening-{chart}.csv\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}
