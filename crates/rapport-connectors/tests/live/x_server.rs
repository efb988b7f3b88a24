//! A test server written from X's public API v2 documentation; X cannot run here.
//!
//! It serves what the filtered-stream client uses: `GET /2/tweets/search/stream` (NDJSON
//! envelopes `{"data", "includes": {"users"}, "matching_rules"}` over a long-lived response,
//! a `\r\n` keep-alive between them), a 429 answer with `x-rate-limit-limit`,
//! `x-rate-limit-remaining` and `x-rate-limit-reset` (epoch seconds) and a problem-document
//! body, 401 for a wrong bearer token, and the rules endpoints `GET` / `POST
//! /2/tweets/search/stream/rules` (`add` / `delete.ids`, `dry_run=true` validates without
//! changing anything, invalid rules come back in `errors` with `meta.summary.invalid`).
//!
//! For publishing (see `x_posting.rs`): `POST /2/tweets` (`text`, `reply.in_reply_to_tweet_id`;
//! 201 with `data.id`; `x-rate-limit-*` headers on every answer; 402 when the pay-per-use
//! balance is used up; 403 when the self-serve reply rule refuses a reply to a post that
//! neither mentions nor quotes the account), `GET /2/users/me` and `GET /2/users/:id/tweets`
//! (newest first, `start_time`), all with the user-context token.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const TOKEN: &str = "test-bearer-token";

#[path = "x_posting.rs"]
mod x_posting;
#[allow(unused_imports)]
pub use x_posting::{PostPlan, Posting, USER_TOKEN};

/// What one stream connection does, in the order connections arrive; the last plan repeats.
#[derive(Debug, Clone)]
pub enum Plan {
    /// 429 with `x-rate-limit-reset` this many seconds ahead.
    RateLimited(i64),
    /// These lines (keep-alives between them), then keep-alives forever.
    Lines(Vec<String>),
    /// These lines, then the connection is cut.
    LinesThenDrop(Vec<String>),
    /// Headers, then nothing at all, not even keep-alives.
    Hang,
}

#[derive(Default)]
pub struct Recorded {
    /// Query strings of the stream connections.
    pub streams: Vec<HashMap<String, String>>,
    /// `(dry_run, body)` of every rules POST.
    pub rule_posts: Vec<(bool, Value)>,
    /// The rules: `(id, value, tag)`.
    pub rules: Vec<(String, String, String)>,
}

#[derive(Clone)]
struct AppState {
    plans: Arc<Mutex<Vec<Plan>>>,
    connections: Arc<Mutex<usize>>,
    recorded: Arc<Mutex<Recorded>>,
}

pub struct XServer {
    pub api: String,
    pub recorded: Arc<Mutex<Recorded>>,
    /// The account that posts, its tweets and what the next posts meet.
    #[allow(dead_code)]
    pub posting: Arc<Mutex<Posting>>,
}

impl XServer {
    pub async fn start(plans: Vec<Plan>, rules: Vec<(&str, &str, &str)>) -> XServer {
        let recorded = Arc::new(Mutex::new(Recorded {
            rules: rules
                .into_iter()
                .map(|(i, v, t)| (i.into(), v.into(), t.into()))
                .collect(),
            ..Recorded::default()
        }));
        let state = AppState {
            plans: Arc::new(Mutex::new(plans)),
            connections: Arc::default(),
            recorded: recorded.clone(),
        };
        let posting = Arc::new(Mutex::new(Posting::default()));
        let app = Router::new()
            .route("/2/tweets/search/stream", get(stream))
            .route(
                "/2/tweets/search/stream/rules",
                get(list_rules).post(post_rules),
            )
            .with_state(state)
            .merge(x_posting::routes(posting.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        XServer {
            api,
            recorded,
            posting,
        }
    }
}

/// The 401 answer for a request without the right bearer token.
fn refused(headers: &HeaderMap) -> Option<Response> {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if auth == Some(&format!("Bearer {TOKEN}")) {
        return None;
    }
    let body = json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"});
    Some((StatusCode::UNAUTHORIZED, Json(body)).into_response())
}

async fn stream(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = refused(&headers) {
        return r;
    }
    s.recorded.lock().unwrap().streams.push(q);
    let plan = {
        let plans = s.plans.lock().unwrap();
        let mut n = s.connections.lock().unwrap();
        let plan = plans[(*n).min(plans.len() - 1)].clone();
        *n += 1;
        plan
    };
    let (lines, cut) = match plan {
        Plan::RateLimited(ahead) => {
            let reset = chrono::Utc::now().timestamp() + ahead;
            let body = json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429});
            let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
            let h = r.headers_mut();
            h.insert("x-rate-limit-limit", "50".parse().unwrap());
            h.insert("x-rate-limit-remaining", "0".parse().unwrap());
            h.insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
            return r;
        }
        Plan::Hang => {
            let body = Body::from_stream(futures_util::stream::pending::<
                Result<String, std::io::Error>,
            >());
            return Response::new(body);
        }
        Plan::Lines(lines) => (lines, false),
        Plan::LinesThenDrop(lines) => (lines, true),
    };
    // Each line, then "\r\n" keep-alives every 50 ms (X sends one every 20 s).
    let items = lines
        .into_iter()
        .map(|l| Ok::<_, std::io::Error>(format!("\r\n{l}\r\n")));
    let head = futures_util::stream::iter(items);
    let tail = futures_util::stream::unfold(cut, |cut| async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if cut {
            Some((Err(std::io::Error::other("connection cut")), cut))
        } else {
            Some((Ok("\r\n".to_string()), cut))
        }
    });
    let mut r = Response::new(Body::from_stream(head.chain(tail)));
    r.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    r
}

async fn list_rules(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(r) = refused(&headers) {
        return r;
    }
    let rec = s.recorded.lock().unwrap();
    let data: Vec<Value> = rec
        .rules
        .iter()
        .map(|(i, v, t)| json!({"id": i, "value": v, "tag": t}))
        .collect();
    let sent = chrono::Utc::now().to_rfc3339();
    Json(json!({"data": data, "meta": {"sent": sent, "result_count": rec.rules.len()}}))
        .into_response()
}

/// X rejects rules it cannot parse; here: unbalanced quotes or parentheses, or too long.
fn invalid(value: &str) -> Option<&'static str> {
    let depth = value.chars().try_fold(0i32, |d, c| match c {
        '(' => Some(d + 1),
        ')' => (d > 0).then_some(d - 1),
        _ => Some(d),
    });
    if value.matches('"').count() % 2 == 1 || depth != Some(0) {
        return Some("There were errors processing your request: mismatched quotes or parentheses");
    }
    (value.chars().count() > 512).then_some("Rule value is too long")
}

async fn post_rules(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = refused(&headers) {
        return r;
    }
    let dry_run = q.get("dry_run").is_some_and(|v| v == "true");
    let mut rec = s.recorded.lock().unwrap();
    rec.rule_posts.push((dry_run, body.clone()));
    let sent = chrono::Utc::now().to_rfc3339();
    if let Some(ids) = body.pointer("/delete/ids").and_then(Value::as_array) {
        let ids: Vec<&str> = ids.iter().filter_map(Value::as_str).collect();
        let deleted = rec
            .rules
            .iter()
            .filter(|r| ids.contains(&r.0.as_str()))
            .count();
        if !dry_run {
            rec.rules.retain(|r| !ids.contains(&r.0.as_str()));
        }
        let meta = json!({"sent": sent, "summary": {"deleted": deleted, "not_deleted": ids.len() - deleted}});
        return Json(json!({"meta": meta})).into_response();
    }
    let add = body
        .get("add")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (mut data, mut errors) = (Vec::new(), Vec::new());
    for rule in &add {
        let value = rule["value"].as_str().unwrap_or_default().to_string();
        let tag = rule["tag"].as_str().unwrap_or_default().to_string();
        if let Some(why) = invalid(&value) {
            errors.push(
                json!({"value": value, "details": [why], "title": "UnprocessableEntity",
                "type": "https://api.twitter.com/2/problems/invalid-rules"}),
            );
            continue;
        }
        let id = format!(
            "{}",
            1_600_000_000_000_000_000u64 + rec.rules.len() as u64 + data.len() as u64 + 100
        );
        data.push(json!({"id": id, "value": value, "tag": tag}));
    }
    if !dry_run && errors.is_empty() {
        for d in &data {
            let f = |k: &str| d[k].as_str().unwrap().to_string();
            rec.rules.push((f("id"), f("value"), f("tag")));
        }
    }
    let summary = json!({"created": if dry_run { 0 } else { data.len() }, "not_created": errors.len(),
        "valid": data.len(), "invalid": errors.len()});
    let mut answer = json!({"data": data, "meta": {"sent": sent, "summary": summary}});
    if !errors.is_empty() {
        answer["errors"] = Value::Array(errors);
    }
    Json(answer).into_response()
}
