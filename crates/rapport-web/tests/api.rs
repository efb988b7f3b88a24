//! The HTTP surface: who may call what, the answers, and the errors, against a real store.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use rapport_domain::Permission;
use rapport_engine::accounts::{Accounts, AccountsConfig};
use rapport_engine::testing::{TestStore, backend_from_env, fresh_store};
use rapport_engine::{Engine, EngineConfig, demo};
use rapport_web::{AppState, WebConfig, app};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// The scraper's token for `/metrics`.
const METRICS_TOKEN: &str = "scraper-token-1";

/// A state with an admin and an API token holding every scope.
async fn state() -> (AppState, TestStore) {
    let (s, _, db) = state_with_token().await;
    (s, db)
}

async fn state_with_token() -> (AppState, String, TestStore) {
    let store = fresh_store(backend_from_env()).await;
    let engine = Engine::new(store.store(), EngineConfig::default())
        .await
        .unwrap();
    let spec = demo::DemoSpec {
        threads: 60,
        ..Default::default()
    };
    engine.ingest_posts(demo::generate(&spec)).await.unwrap();
    let accounts = Accounts::new(store.store(), AccountsConfig::default());
    let admin = accounts
        .setup_first_admin("admin", "", "admin-password-1")
        .await
        .unwrap();
    let token = accounts
        .create_api_token(&admin, "tests", &Permission::ALL)
        .await
        .unwrap()
        .secret;
    let config = WebConfig {
        max_body_bytes: 64 * 1024,
        metrics: rapport_web::MetricsAccess {
            token: Some(METRICS_TOKEN.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    (
        AppState::new(Arc::new(engine), Arc::new(accounts), config),
        token,
        store,
    )
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = to_bytes(res.into_body(), 1 << 20).await.unwrap();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

#[tokio::test]
async fn health_needs_no_token_and_the_api_refuses_strangers() {
    let (s, _db) = state().await;
    assert_eq!(
        call(&s, "GET", "/healthz", None, None).await.0,
        StatusCode::OK
    );
    for uri in [
        "/api/v1/stats",
        "/api/v1/topics",
        "/api/v1/posts?q=refund",
        "/api/v1/topics/x/matches",
    ] {
        let (status, body) = call(&s, "GET", uri, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(body["error"]["code"], "unauthorized");
        let (status, _) = call(&s, "GET", uri, Some("wrong"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
    }
    let (status, _) = call(
        &s,
        "POST",
        "/api/v1/topics",
        None,
        Some(r#"{"name":"a","query":"b"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(&s, "DELETE", "/api/v1/topics/a", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn topics_are_created_listed_matched_and_removed() {
    let (s, token, _db) = state_with_token().await;
    let t = Some(token.as_str());
    let (status, body) = call(
        &s,
        "POST",
        "/api/v1/topics",
        t,
        Some(r#"{"name":"Refunds","query":"refund* OR \"charged twice\""}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let matched = body["matches"].as_u64().unwrap();
    // The demo's customers ask for refunds: counted here from the generated posts themselves,
    // word by word, not through the matcher.
    let expected = demo::generate(&demo::DemoSpec {
        threads: 60,
        ..Default::default()
    })
    .iter()
    .filter(|p| {
        let words: Vec<String> = p
            .text
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        words.iter().any(|w| w.starts_with("refund"))
            || words
                .windows(2)
                .any(|w| w[0] == "charged" && w[1] == "twice")
    })
    .count() as u64;
    assert!(expected > 0, "the demo holds refund requests");
    assert_eq!(matched, expected, "{body}");
    let (_, search) = call(
        &s,
        "GET",
        "/api/v1/posts?q=refund*%20OR%20%22charged%20twice%22&limit=5",
        t,
        None,
    )
    .await;
    assert_eq!(search["count"].as_u64().unwrap(), matched);
    let posts = search["posts"].as_array().unwrap();
    assert!(!posts.is_empty() && posts.len() <= 5, "{search}");
    for post in posts {
        let text = post["text"].as_str().unwrap().to_lowercase();
        assert!(
            text.contains("refund") || text.contains("charged twice"),
            "{text}"
        );
    }

    let (status, body) = call(
        &s,
        "POST",
        "/api/v1/topics",
        t,
        Some(r#"{"name":"Refunds","query":"x"}"#),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );

    let (_, list) = call(&s, "GET", "/api/v1/topics", t, None).await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["topics"][0]["matches"].as_u64(), Some(matched));

    let (status, m) = call(&s, "GET", "/api/v1/topics/Refunds/matches?limit=3", t, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["count"].as_u64(), Some(matched));

    assert_eq!(
        call(&s, "DELETE", "/api/v1/topics/Refunds", t, None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = call(&s, "DELETE", "/api/v1/topics/Refunds", t, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let (s, token, _db) = state_with_token().await;
    let t = Some(token.as_str());
    let (status, body) = call(
        &s,
        "POST",
        "/api/v1/topics",
        t,
        Some(r#"{"name":"Broken","query":"(wifi OR router"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_query");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("column"),
        "{body}"
    );

    let (status, body) = call(
        &s,
        "POST",
        "/api/v1/topics",
        t,
        Some(r#"{"name": "x", "query": "#),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );

    let (status, _) = call(
        &s,
        "POST",
        "/api/v1/topics",
        t,
        Some(r#"{"name":"x","query":"y","extra":1}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let big = format!(r#"{{"name":"big","query":"{}"}}"#, "a ".repeat(100_000));
    let (status, _) = call(&s, "POST", "/api/v1/topics", t, Some(&big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (status, body) = call(&s, "GET", "/api/v1/posts", t, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_query"))
    );

    let (_, list) = call(&s, "GET", "/api/v1/topics", t, None).await;
    assert_eq!(list["count"], 0);
}

#[tokio::test]
async fn stats_and_metrics_report_the_store() {
    let (s, token, _db) = state_with_token().await;
    let (_, stats) = call(&s, "GET", "/api/v1/stats", Some(token.as_str()), None).await;
    let posts = stats["posts"].as_u64().unwrap();
    assert!(posts > 60);
    let (status, _) = call(&s, "GET", "/metrics", None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "metrics are not public");
    let (status, text) = call(&s, "GET", "/metrics", Some(METRICS_TOKEN), None).await;
    assert_eq!(status, StatusCode::OK);
    let text = text.as_str().unwrap();
    assert!(
        text.contains(&format!("rapport_store_posts {posts}")),
        "{text}"
    );
}

#[tokio::test]
async fn run_serves_on_a_real_socket_and_shuts_down() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (s, _db) = state().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(rapport_web::run(listener, s, async {
        let _ = stopped.await;
    }));
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#"{"status":"ok"}"#));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// A query nested thousands deep once overflowed a server thread's stack and aborted the
/// process; now the search and topic endpoints answer with the parser's error, and the server
/// goes on answering.
#[tokio::test]
async fn deeply_nested_queries_get_an_error_not_a_crash() {
    let (s, token, _db) = state_with_token().await;
    let t = Some(token.as_str());
    let deep = format!("{}refund{}", "(".repeat(4_000), ")".repeat(4_000));
    let encoded = deep.replace('(', "%28").replace(')', "%29");
    let (status, body) = call(&s, "GET", &format!("/api/v1/posts?q={encoded}"), t, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_query");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("query nested too deeply"), "{message}");

    let topic = serde_json::json!({"name": "Deep", "query": deep}).to_string();
    let (status, body) = call(&s, "POST", "/api/v1/topics", t, Some(&topic)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_query");

    let (status, body) = call(&s, "GET", "/api/v1/topics", t, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !body.to_string().contains("\"Deep\""),
        "the refused topic was not stored: {body}"
    );
}

/// A query parameter the route cannot read gets the API's JSON error, as the OpenAPI document
/// lists it, not the framework's plain-text 400 (found by schemathesis).
#[tokio::test]
async fn unreadable_parameters_get_the_json_error_the_document_lists() {
    let (s, token, _db) = state_with_token().await;
    let t = Some(token.as_str());
    let (status, _) = call(
        &s,
        "POST",
        "/api/v1/topics",
        t,
        Some(r#"{"name":"Wifi","query":"wifi"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, doc) = call(&s, "GET", "/api/v1/openapi.json", t, None).await;
    for (uri, path) in [
        ("/api/v1/topics?offset=-1", "/api/v1/topics"),
        ("/api/v1/users?limit=many", "/api/v1/users"),
        ("/api/v1/posts?q=wifi&limit=-5", "/api/v1/posts"),
        (
            "/api/v1/topics/Wifi/matches?offset=x",
            "/api/v1/topics/{name}/matches",
        ),
    ] {
        let (status, body) = call(&s, "GET", uri, t, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"]["code"], "invalid_parameter", "{uri}: {body}");
        assert!(
            doc["paths"][path]["get"]["responses"]["400"].is_object(),
            "{path} lists its 400"
        );
    }
}
