//! Sessions, CSRF, login limits, API tokens, cookies, first-run setup, and escaping of
//! untrusted post text, all through HTTP against a real store.

mod common;
#[path = "common/html.rs"]
mod html;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Answer, Browser, Call, PASSWORD, World, log_in, open_form};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rapport_domain::{Permission, Role};
use rapport_engine::accounts::hash_token;
use rapport_web::{LoginLimits, Surface, WebConfig, route_table};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

async fn admin_world(config: WebConfig) -> World {
    let world = World::new(config).await;
    world.user("admin", Role::Admin).await;
    world
        .engine
        .add_topic("Help", "help", Default::default())
        .await
        .unwrap();
    world
}

/// A concrete address for a route pattern, naming things that exist.
fn concrete(path: &str, user_id: i64, token_id: i64) -> String {
    path.replace("{name}", "Help")
        .replace("/users/{id}", &format!("/users/{user_id}"))
        .replace("/tokens/{id}", &format!("/tokens/{token_id}"))
}

fn refused_as_forged(a: &Answer) -> bool {
    a.status == StatusCode::FORBIDDEN && a.body.contains("This form expired")
}

#[tokio::test]
async fn every_form_post_needs_its_own_sessions_csrf_token() {
    let world = admin_world(WebConfig::default()).await;
    let admin = log_in(&world, "admin", PASSWORD).await.unwrap();
    let other = log_in(&world, "admin", PASSWORD).await.unwrap();
    assert_ne!(admin.csrf, other.csrf, "each session has its own token");
    let me = world.accounts.users().await.unwrap()[0].clone();
    let token = world
        .accounts
        .create_api_token(&me, "kept", &[Permission::ReadTopics])
        .await
        .unwrap();
    let posts: Vec<_> = route_table(&world.state)
        .into_iter()
        .filter(|r| r.surface == Surface::Page && r.method == "POST")
        .collect();
    assert!(posts.len() >= 10, "{posts:?}");
    for r in &posts {
        let uri = concrete(&r.path, me.id.0, token.token.id.0);
        let fields = [
            ("name", "Forged"),
            ("query", "forged"),
            ("role", "analyst"),
            ("password", "forged-password-1"),
            ("confirm", "forged-password-1"),
            ("scope", "users:manage"),
        ];
        let public = r.path == "/login" || r.path == "/setup";
        // The login and setup forms are checked against the pre-session cookie, the others
        // against the session; each is tried with no token, a wrong one, and the token of
        // another browser.
        let (mine, theirs) = if public {
            let (a, _) = open_form(&world, "/login").await;
            let (b, _) = open_form(&world, "/login").await;
            (a, b)
        } else {
            (admin.csrf.clone(), other.csrf.clone())
        };
        for (case, token) in [
            ("missing", None),
            ("wrong", Some("0".repeat(64))),
            ("another session's", Some(theirs.clone())),
        ] {
            let mut pairs: Vec<(&str, &str)> = fields.to_vec();
            if let Some(t) = &token {
                pairs.push(("csrf", t));
            }
            let call = Call::post(uri.clone())
                .by(&admin)
                .cookie("rapport_csrf", &mine)
                .form(&pairs);
            let answer = world.send(call.build()).await;
            assert!(
                refused_as_forged(&answer),
                "POST {uri} with the {case} token: {} {}",
                answer.status,
                answer.body
            );
        }
    }
    // Nothing changed: same topics, users and tokens, and the session still works.
    let topics = world.engine.topics().await.unwrap();
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0].topic.query, "help");
    assert_eq!(world.accounts.users().await.unwrap().len(), 1);
    let tokens = world.accounts.api_tokens().await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].revoked_at.is_none());
    let home = world.send(Call::get("/").by(&admin).build()).await;
    assert_eq!(home.status, StatusCode::OK);

    // The right token passes: a form post of this session, and the login form of a browser
    // that is logged in already (a second tab).
    let edit = Call::post("/topics/Help")
        .by(&admin)
        .form(&[("csrf", &admin.csrf), ("query", "help OR please")]);
    assert!(
        world
            .send(edit.build())
            .await
            .is_redirect_to("/topics/Help")
    );
    let form = world.send(Call::get("/login").by(&admin).build()).await;
    let (cookie, field) = (
        form.cookie("rapport_csrf").unwrap(),
        form.csrf_field().unwrap(),
    );
    let relogin = Call::post("/login")
        .by(&admin)
        .cookie("rapport_csrf", &cookie)
        .form(&[("csrf", &field), ("name", "admin"), ("password", PASSWORD)]);
    let answer = world.send(relogin.build()).await;
    assert!(answer.is_redirect_to("/"), "{answer:?}");
}

/// An HTTP client whose connections come from `from` (any 127.x.y.z address reaches the
/// server on 127.0.0.1), so the server sees a different client address per client.
fn client_from(from: IpAddr) -> Client<HttpConnector, Body> {
    let mut connector = HttpConnector::new();
    connector.set_local_address(Some(from));
    Client::builder(TokioExecutor::new()).build(connector)
}

async fn fetch(client: &Client<HttpConnector, Body>, request: Request<Body>) -> Answer {
    let res = client.request(request).await.expect("server answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(Body::new(res.into_body()), 1 << 20)
        .await
        .unwrap();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// One login attempt through the form, as a browser at `from` makes it, optionally through a
/// proxy that says the request came from `forwarded_for`.
async fn attempt_via(
    server: SocketAddr,
    from: &str,
    forwarded_for: Option<&str>,
    name: &str,
    password: &str,
) -> Answer {
    let client = client_from(from.parse().unwrap());
    let url = format!("http://{server}/login");
    let form = fetch(&client, Request::get(&url).body(Body::empty()).unwrap()).await;
    let token = form.cookie("rapport_csrf").unwrap();
    let call = Call::post(url).cookie("rapport_csrf", &token).form(&[
        ("csrf", &token),
        ("name", name),
        ("password", password),
    ]);
    let mut request = call.build();
    if let Some(xff) = forwarded_for {
        request
            .headers_mut()
            .insert("x-forwarded-for", xff.parse().unwrap());
    }
    fetch(&client, request).await
}

async fn attempt(server: SocketAddr, from: &str, name: &str, password: &str) -> StatusCode {
    attempt_via(server, from, None, name, password).await.status
}

/// Only failures count, they slow down the client that makes them rather than locking the
/// account, and `X-Forwarded-For` names the client only when a trusted proxy sends it. Before,
/// two wrong guesses from anywhere locked the real user out, and the twentieth successful
/// login from one address (a whole company behind one proxy) was refused.
#[tokio::test]
async fn failed_logins_slow_the_guesser_not_the_user_or_the_office() {
    let world = admin_world(WebConfig {
        login_limits: LoginLimits {
            per_pair: 2,
            per_address: 3,
            per_user: 6,
            base_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(600),
            window: Duration::from_secs(600),
            capacity: 1_000,
        },
        trusted_proxies: vec!["127.0.0.8/32".parse().unwrap()],
        ..Default::default()
    })
    .await;
    world.user("bea", Role::Agent).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(rapport_web::run(listener, world.state.clone(), async {
        let _ = stopped.await;
    }));
    let (wrong, limited, ok) = (
        StatusCode::UNAUTHORIZED,
        StatusCode::TOO_MANY_REQUESTS,
        StatusCode::SEE_OTHER,
    );

    // A guesser at one address gets two free failures, then must wait.
    for guess in ["guess-one-1", "guess-two-2"] {
        assert_eq!(attempt(server, "127.0.0.2", "admin", guess).await, wrong);
    }
    let refused = attempt_via(server, "127.0.0.2", None, "admin", PASSWORD).await;
    assert_eq!(refused.status, limited);
    assert_eq!(refused.headers["retry-after"], "30");
    // The real admin elsewhere is not locked out by it.
    assert_eq!(attempt(server, "127.0.0.4", "admin", PASSWORD).await, ok);

    // Successes never count: an office behind one address logs in all day.
    for _ in 0..25 {
        assert_eq!(attempt(server, "127.0.0.5", "bea", PASSWORD).await, ok);
    }

    // One address trying many names waits after three failures.
    for name in ["ann", "bob", "cy"] {
        assert_eq!(
            attempt(server, "127.0.0.6", name, "guess-three-3").await,
            wrong
        );
    }
    assert_eq!(attempt(server, "127.0.0.6", "bea", PASSWORD).await, limited);
    assert_eq!(attempt(server, "127.0.0.7", "bea", PASSWORD).await, ok);

    // Behind the trusted proxy, each forwarded client has its own count...
    for guess in ["guess-four-4", "guess-five-5"] {
        let a = attempt_via(server, "127.0.0.8", Some("198.51.100.1"), "bea", guess).await;
        assert_eq!(a.status, wrong);
    }
    let a = attempt_via(server, "127.0.0.8", Some("198.51.100.1"), "bea", PASSWORD).await;
    assert_eq!(a.status, limited);
    let a = attempt_via(server, "127.0.0.8", Some("198.51.100.2"), "bea", PASSWORD).await;
    assert_eq!(a.status, ok);
    // ...while a client that is not a proxy cannot escape its count by writing the header.
    for guess in ["guess-six-6", "guess-seven-7"] {
        let a = attempt_via(server, "127.0.0.9", Some("198.51.100.3"), "bea", guess).await;
        assert_eq!(a.status, wrong);
    }
    let a = attempt_via(server, "127.0.0.9", Some("198.51.100.4"), "bea", PASSWORD).await;
    assert_eq!(a.status, limited);

    // A megabyte user name is refused as a wrong login, not hashed or kept.
    let huge = "n".repeat(1 << 19);
    assert_eq!(
        attempt(server, "127.0.0.10", &huge, "whatever-1").await,
        wrong
    );

    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_maximum_age() {
    let world = admin_world(WebConfig::default()).await;
    let idle = world.accounts.config().session_idle;
    let max = world.accounts.config().session_max;
    assert!(idle < max);
    let home = |b: &Browser| world.send(Call::get("/").by(b).build());

    // Use keeps a session alive past its first idle expiry; a longer pause ends it.
    let b = log_in(&world, "admin", PASSWORD).await.unwrap();
    let step = idle - chrono::Duration::hours(1);
    for _ in 0..2 {
        world.advance(step);
        assert_eq!(home(&b).await.status, StatusCode::OK);
    }
    world.advance(idle + chrono::Duration::minutes(1));
    assert!(home(&b).await.is_redirect_to("/login"));

    // However busy, a session ends at its maximum age.
    let b = log_in(&world, "admin", PASSWORD).await.unwrap();
    let mut lived = chrono::Duration::zero();
    loop {
        world.advance(step);
        lived += step;
        let answer = home(&b).await;
        if lived < max {
            assert_eq!(answer.status, StatusCode::OK, "after {lived}");
        } else {
            assert!(answer.is_redirect_to("/login"), "after {lived}");
            break;
        }
    }
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let world = admin_world(WebConfig::default()).await;
    let b = log_in(&world, "admin", PASSWORD).await.unwrap();
    let out = world
        .send(
            Call::post("/logout")
                .by(&b)
                .form(&[("csrf", &b.csrf)])
                .build(),
        )
        .await;
    assert!(out.is_redirect_to("/login"));
    assert_eq!(out.cookie("rapport_session").as_deref(), Some(""));
    assert!(out.set_cookies()[0].contains("Max-Age=0"));
    // The old cookie, replayed, opens nothing.
    let again = world.send(Call::get("/topics").by(&b).build()).await;
    assert!(again.is_redirect_to("/login"));
    let token = b.session.as_deref().unwrap();
    assert!(world.accounts.session(token).await.unwrap().is_none());
}

/// The token secret shown on the page once, and the id its revoke form posts to.
fn made_token(page: &Answer) -> (String, String) {
    let secret = common::attribute_after(&page.body, r#"id="new-token" readonly value=""#)
        .expect("the new token is shown");
    let id = common::attribute_after(&page.body, r#"action="/settings/tokens/"#)
        .expect("a revoke form")
        .trim_end_matches("/revoke")
        .to_string();
    (secret, id)
}

#[tokio::test]
async fn api_tokens_are_shown_once_stored_hashed_and_revocable() {
    let world = admin_world(WebConfig::default()).await;
    let b = log_in(&world, "admin", PASSWORD).await.unwrap();
    let make = Call::post("/settings/tokens").by(&b).form(&[
        ("csrf", &b.csrf),
        ("name", "reporting"),
        ("scope", "topics:read"),
        ("scope", "reports:read"),
    ]);
    let page = world.send(make.build()).await;
    assert_eq!(page.status, StatusCode::CREATED);
    let (secret, id) = made_token(&page);
    assert!(secret.starts_with("rap_"));
    let me = |t: &str| world.send(Call::get("/api/v1/me").bearer(t).build());
    let answer = me(&secret).await;
    assert_eq!(answer.status, StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(
        body["permissions"],
        serde_json::json!(["topics:read", "reports:read"])
    );

    let listing = world
        .send(Call::get("/settings/users").by(&b).build())
        .await;
    assert!(!listing.body.contains(&secret), "the secret is shown once");
    // The store keeps the digest, never the secret.
    let stored = world.accounts.api_tokens().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].token_hash, hash_token(&secret));
    assert!(!stored[0].token_hash.contains(&secret[4..]));

    let revoke = Call::post(format!("/settings/tokens/{id}/revoke"))
        .by(&b)
        .form(&[("csrf", &b.csrf)]);
    assert!(
        world
            .send(revoke.build())
            .await
            .is_redirect_to("/settings/users")
    );
    let answer = me(&secret).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.body.contains(r#""code":"unauthorized""#));
    let listing = world
        .send(Call::get("/settings/users").by(&b).build())
        .await;
    assert!(listing.body.contains("revoked"));
}

#[tokio::test]
async fn token_scopes_and_the_creators_role_limit_the_api() {
    let world = admin_world(WebConfig::default()).await;
    let admin = world.accounts.users().await.unwrap()[0].clone();
    let reader = world
        .token_as(&admin, Role::Admin, &[Permission::ReadTopics])
        .await;
    let w = &world;
    let status = |method: &'static str, uri: &str, token: &str, body: Option<&str>| {
        let mut call = Call::new(method, uri.to_string()).bearer(token);
        if let Some(b) = body {
            call = call.json(b);
        }
        let req = call.build();
        async move { w.send(req).await.status }
    };
    let new_topic = Some(r#"{"name":"Scoped","query":"refund"}"#);
    assert_eq!(
        status("GET", "/api/v1/topics", &reader, None).await,
        StatusCode::OK
    );
    assert_eq!(
        status("GET", "/api/v1/topics/Help/matches", &reader, None).await,
        StatusCode::OK
    );
    for (method, uri, body) in [
        ("POST", "/api/v1/topics", new_topic),
        ("DELETE", "/api/v1/topics/Help", None),
        ("GET", "/api/v1/posts?q=help", None),
        ("GET", "/api/v1/stats", None),
        ("GET", "/api/v1/users", None),
    ] {
        assert_eq!(
            status(method, uri, &reader, body).await,
            StatusCode::FORBIDDEN,
            "{method} {uri}"
        );
    }
    // A token acts as its creator: scopes never add what the creator's role lacks.
    let later = world.user("later", Role::Analyst).await;
    let writer = world
        .token_as(&later, Role::Analyst, &Permission::ALL)
        .await;
    assert_eq!(
        status("POST", "/api/v1/topics", &writer, new_topic).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status("GET", "/api/v1/stats", &writer, None).await,
        StatusCode::OK
    );
    world.set_role(&later, Role::Admin).await;
    assert_eq!(
        status("POST", "/api/v1/topics", &writer, new_topic).await,
        StatusCode::CREATED
    );
    assert_eq!(world.engine.topics().await.unwrap().len(), 2);
}

#[tokio::test]
async fn sessions_open_pages_only_and_tokens_open_the_api_only() {
    let world = admin_world(WebConfig::default()).await;
    let b = log_in(&world, "admin", PASSWORD).await.unwrap();
    let admin = world.accounts.users().await.unwrap()[0].clone();
    let token = world.token_as(&admin, Role::Admin, &Permission::ALL).await;
    let api = world.send(Call::get("/api/v1/topics").by(&b).build()).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    let page = world
        .send(Call::get("/topics").bearer(&token).build())
        .await;
    assert!(page.is_redirect_to("/login"));
}

#[tokio::test]
async fn cookies_are_http_only_and_same_site() {
    for secure in [false, true] {
        let world = World::new(WebConfig {
            secure_cookies: secure,
            ..Default::default()
        })
        .await;
        let mut set = Vec::new();
        // The setup form, setup itself (logs the first admin in), the login form, login, logout.
        let (cookie, token) = open_form(&world, "/setup").await;
        let setup = Call::post("/setup").cookie("rapport_csrf", &cookie).form(&[
            ("csrf", &token),
            ("name", "admin"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ]);
        let answer = world.send(setup.build()).await;
        assert!(answer.is_redirect_to("/topics"), "{answer:?}");
        assert!(
            answer
                .cookie("rapport_session")
                .is_some_and(|s| s.len() == 64)
        );
        set.extend(answer.set_cookies());
        set.extend(world.send(Call::get("/login").build()).await.set_cookies());
        let b = log_in(&world, "admin", PASSWORD).await.unwrap();
        let out = Call::post("/logout").by(&b).form(&[("csrf", &b.csrf)]);
        set.extend(world.send(out.build()).await.set_cookies());
        for name in ["rapport_session", "rapport_csrf"] {
            assert!(
                set.iter().any(|c| c.starts_with(&format!("{name}="))),
                "{set:?}"
            );
        }
        for c in &set {
            let attrs: Vec<&str> = c.split(';').map(str::trim).collect();
            assert!(attrs.contains(&"HttpOnly"), "{c}");
            assert!(
                attrs.contains(&"SameSite=Lax") || attrs.contains(&"SameSite=Strict"),
                "{c}"
            );
            assert!(attrs.contains(&"Path=/"), "{c}");
            assert_eq!(attrs.contains(&"Secure"), secure, "{c}");
        }
    }
}

#[tokio::test]
async fn setup_is_open_only_until_the_first_user_exists() {
    let world = World::new(WebConfig::default()).await;
    assert!(
        world
            .send(Call::get("/login").build())
            .await
            .is_redirect_to("/setup")
    );
    assert!(
        world
            .send(Call::get("/").build())
            .await
            .is_redirect_to("/login")
    );
    let (cookie, token) = open_form(&world, "/setup").await;
    let setup = |name: &'static str, confirm: &'static str| {
        Call::post("/setup").cookie("rapport_csrf", &cookie).form(&[
            ("csrf", &token),
            ("name", name),
            ("password", PASSWORD),
            ("confirm", confirm),
        ])
    };
    let mismatch = world.send(setup("first", "something-else-1").build()).await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(world.accounts.needs_setup().await.unwrap());
    let made = world.send(setup("first", PASSWORD).build()).await;
    assert!(made.is_redirect_to("/topics"));

    // Now the page is gone and posting the form again creates no one.
    assert!(
        world
            .send(Call::get("/setup").build())
            .await
            .is_redirect_to("/login")
    );
    let again = world.send(setup("second", PASSWORD).build()).await;
    assert!(again.is_redirect_to("/login"), "{again:?}");
    assert!(again.cookie("rapport_session").is_none());
    let users = world.accounts.users().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(
        (users[0].name.as_str(), users[0].role),
        ("first", Role::Admin)
    );
    assert!(log_in(&world, "second", PASSWORD).await.is_err());
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let world = admin_world(WebConfig::default()).await;
    for uri in [
        "/login",
        "/api/v1/openapi.json",
        "/assets/app.css",
        "/healthz",
    ] {
        let a = world.send(Call::get(uri).build()).await;
        let h =
            |n: header::HeaderName| a.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
        let policy = h(header::CONTENT_SECURITY_POLICY);
        assert!(policy.contains("default-src 'self'"), "{uri}: {policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{uri}: {policy}");
        assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{uri}");
    }
}

/// Pages and API answers for a logged-in caller are never kept by a cache (a shared computer's
/// back button, a proxy), the public pages and assets may be, and HSTS is sent when Rapport is
/// served over HTTPS.
#[tokio::test]
async fn personal_answers_are_not_cached_and_https_sends_hsts() {
    let world = admin_world(WebConfig::default()).await;
    let admin = world.session("admin").await;
    let me = world.accounts.users().await.unwrap()[0].clone();
    let token = world
        .token_as(&me, Role::Admin, &[Permission::ReadTopics])
        .await;
    let cache = |a: &Answer| {
        a.headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_string())
    };
    for uri in ["/", "/topics", "/settings/users"] {
        let a = world.send(Call::get(uri).by(&admin).build()).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        assert_eq!(cache(&a).as_deref(), Some("no-store"), "{uri}");
        assert!(a.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    }
    let api = world
        .send(Call::get("/api/v1/topics").bearer(&token).build())
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(cache(&api).as_deref(), Some("no-store"));
    // The login form sets a cookie: not cached either.
    let login = world.send(Call::get("/login").build()).await;
    assert_eq!(cache(&login).as_deref(), Some("no-store"));
    // Assets keep their own rule, even for a logged-in browser; health is public.
    let css = world
        .send(Call::get("/assets/app.css").by(&admin).build())
        .await;
    assert_eq!(cache(&css).as_deref(), Some("public, max-age=3600"));
    assert_eq!(
        cache(&world.send(Call::get("/healthz").build()).await),
        None
    );

    let https = admin_world(WebConfig {
        secure_cookies: true,
        ..Default::default()
    })
    .await;
    let a = https.send(Call::get("/login").build()).await;
    assert_eq!(
        a.headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000; includeSubDomains"
    );
    assert!(a.cookie("rapport_csrf").is_some());
    assert!(
        a.set_cookies().iter().all(|c| c.contains("; Secure")),
        "{:?}",
        a.set_cookies()
    );
}

#[path = "security/xss.rs"]
mod xss;

/// `/topics/check`, which every role may call, once aborted the server on a query nested
/// 1,500 deep; it now answers with the parser's error and its column.
#[tokio::test]
async fn the_live_query_check_refuses_deep_nesting_and_the_server_answers_on() {
    let world = admin_world(WebConfig::default()).await;
    world.user("analyst", Role::Analyst).await;
    let analyst = world.session("analyst").await;
    let deep = format!("{}help", "%28".repeat(4_000));
    let answer = world
        .send(
            Call::get(format!("/topics/check?q={deep}"))
                .by(&analyst)
                .build(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["ok"], false, "{body}");
    assert_eq!(body["column"], rapport_query::MAX_DEPTH + 1);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("query nested too deeply"),
        "{body}"
    );
    let health = world.send(Call::get("/healthz").build()).await;
    assert_eq!(health.status, StatusCode::OK);
}
