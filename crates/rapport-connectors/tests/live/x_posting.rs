//! The posting half of the X test server (see `x_server.rs`), written from X's public API v2
//! documentation: `POST /2/tweets`, `GET /2/users/me`, `GET /2/users/:id/tweets`.
// Each test binary that starts the server uses its own part of this.
#![allow(dead_code)]

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The user-context token that may post, as the account `brand` (id `4242`).
pub const USER_TOKEN: &str = "test-user-token";
pub const ME_ID: &str = "4242";
pub const ME: &str = "brand";

/// What the next `POST /2/tweets` meets, in order; afterwards they succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum PostPlan {
    /// 402: the pay-per-use balance is used up.
    PaymentRequired,
    /// 429 with the reset this many seconds ahead.
    RateLimited(i64),
    /// The post is created, then the answer is a 503: the client cannot know.
    CreatedThen503,
    /// The post is created, then the answer never comes (the client times out).
    CreatedThenHang,
    /// 503 before anything is created.
    Unavailable,
}

#[derive(Default)]
pub struct Posting {
    pub plans: VecDeque<PostPlan>,
    /// Every tweet the server holds, oldest first: the customers' and the account's.
    pub tweets: Vec<Value>,
    /// Every `POST /2/tweets` body received.
    pub posts: Vec<Value>,
    /// `x-rate-limit-remaining` of the next answer.
    pub remaining: Option<u32>,
    /// How long each created post waits before it is answered (a client killed meanwhile
    /// never learns of it).
    pub answer_delay: Duration,
    next_id: u64,
}

impl Posting {
    /// A customer's tweet the account may be answering.
    pub fn customer_tweet(&mut self, id: &str, author: &str, text: &str, mentions: &[&str]) {
        let mentions: Vec<Value> = mentions.iter().map(|m| json!({"username": m})).collect();
        self.tweets
            .push(json!({"id": id, "text": text, "author_id": author,
            "created_at": chrono::Utc::now().to_rfc3339(), "entities": {"mentions": mentions}}));
    }

    /// The account's posts that reply to `id`.
    pub fn replies_to(&self, id: &str) -> Vec<&Value> {
        self.tweets
            .iter()
            .filter(|t| t["author_id"] == ME_ID)
            .filter(|t| {
                t["referenced_tweets"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|r| r["type"] == "replied_to" && r["id"] == id))
            })
            .collect()
    }

    fn create(&mut self, text: &str, reply_to: Option<&str>) -> Value {
        self.next_id += 1;
        let id = format!("{}", 1_870_000_000_000_000_000u64 + self.next_id);
        let mut tweet = json!({"id": id, "text": text, "author_id": ME_ID,
            "created_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "edit_history_tweet_ids": [id]});
        if let Some(parent) = reply_to {
            tweet["referenced_tweets"] = json!([{"type": "replied_to", "id": parent}]);
            tweet["in_reply_to_user_id"] = json!("customer");
        }
        self.tweets.push(tweet.clone());
        tweet
    }

    /// X's self-serve rule: a reply only to a post that mentions or quotes the account.
    fn may_reply_to(&self, id: &str) -> bool {
        let Some(t) = self.tweets.iter().find(|t| t["id"] == id) else {
            return false;
        };
        let mentioned = t["entities"]["mentions"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["username"] == ME));
        let quoted = t["referenced_tweets"].as_array().is_some_and(|r| {
            r.iter().any(|r| {
                r["type"] == "quoted"
                    && self
                        .tweets
                        .iter()
                        .any(|q| q["id"] == r["id"] && q["author_id"] == ME_ID)
            })
        });
        mentioned || quoted || t["author_id"] == ME_ID
    }
}

type Shared = Arc<Mutex<Posting>>;

pub fn routes(posting: Shared) -> Router {
    Router::new()
        .route("/2/tweets", post(create))
        .route("/2/users/me", get(me))
        .route("/2/users/{id}/tweets", get(timeline))
        .with_state(posting)
}

fn unauthorized(headers: &HeaderMap) -> Option<Response> {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if auth == Some(&format!("Bearer {USER_TOKEN}")) {
        return None;
    }
    let body = json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"});
    Some((StatusCode::UNAUTHORIZED, Json(body)).into_response())
}

fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let body =
        json!({"title": title, "detail": detail, "type": "about:blank", "status": status.as_u16()});
    (status, Json(body)).into_response()
}

fn with_limits(mut r: Response, remaining: u32, reset_in: i64) -> Response {
    let reset = chrono::Utc::now().timestamp() + reset_in;
    let h = r.headers_mut();
    h.insert("x-rate-limit-limit", "100".parse().unwrap());
    h.insert(
        "x-rate-limit-remaining",
        remaining.to_string().parse().unwrap(),
    );
    h.insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
    r
}

async fn create(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = unauthorized(&headers) {
        return r;
    }
    let (plan, remaining) = {
        let mut p = s.lock().unwrap();
        p.posts.push(body.clone());
        (p.plans.pop_front(), p.remaining.unwrap_or(99))
    };
    let text = body["text"].as_str().unwrap_or_default().to_string();
    let reply_to = body["reply"]["in_reply_to_tweet_id"]
        .as_str()
        .map(str::to_string);
    match plan {
        Some(PostPlan::PaymentRequired) => {
            return problem(
                StatusCode::PAYMENT_REQUIRED,
                "Payment Required",
                "Your enrolled account does not have any credits to fulfill this request.",
            );
        }
        Some(PostPlan::RateLimited(ahead)) => {
            let r = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests",
                "Too Many Requests",
            );
            return with_limits(r, 0, ahead);
        }
        Some(PostPlan::Unavailable) => {
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable",
                "Service Unavailable",
            );
        }
        _ => {}
    }
    if text.is_empty() || text.chars().count() > 280 {
        return problem(
            StatusCode::BAD_REQUEST,
            "Invalid Request",
            "Tweet text is empty or too long.",
        );
    }
    if let Some(parent) = &reply_to
        && !s.lock().unwrap().may_reply_to(parent)
    {
        return problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Reply to this conversation is not allowed because you have not been mentioned or \
             otherwise engaged by the author of the post you are replying to.",
        );
    }
    let (tweet, delay) = {
        let mut p = s.lock().unwrap();
        (p.create(&text, reply_to.as_deref()), p.answer_delay)
    };
    tokio::time::sleep(delay).await;
    match plan {
        Some(PostPlan::CreatedThen503) => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service Unavailable",
            "Service Unavailable",
        ),
        Some(PostPlan::CreatedThenHang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        _ => {
            let data = json!({"id": tweet["id"], "text": tweet["text"],
                "edit_history_tweet_ids": tweet["edit_history_tweet_ids"]});
            let r = (StatusCode::CREATED, Json(json!({"data": data}))).into_response();
            with_limits(r, remaining, 900)
        }
    }
}

async fn me(headers: HeaderMap) -> Response {
    if let Some(r) = unauthorized(&headers) {
        return r;
    }
    Json(json!({"data": {"id": ME_ID, "name": "Brand", "username": ME}})).into_response()
}

async fn timeline(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = unauthorized(&headers) {
        return r;
    }
    let since = q
        .get("start_time")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let max: usize = q
        .get("max_results")
        .and_then(|m| m.parse().ok())
        .unwrap_or(10)
        .clamp(5, 100);
    let p = s.lock().unwrap();
    let data: Vec<Value> = p
        .tweets
        .iter()
        .rev()
        .filter(|t| t["author_id"] == id.as_str())
        .filter(|t| {
            let at = t["created_at"]
                .as_str()
                .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok());
            since.is_none_or(|s| at.is_some_and(|a| a >= s))
        })
        .take(max)
        .cloned()
        .collect();
    let count = data.len();
    Json(json!({"data": data, "meta": {"result_count": count}})).into_response()
}
