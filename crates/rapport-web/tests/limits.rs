//! What keeps one client from holding the server: connection timeouts and cap, the search
//! deadline and the per-user bound on searches; and who may read `/metrics`, and when cookies
//! are `Secure` behind a proxy. The connection tests talk raw HTTP over real sockets to
//! [`rapport_web::run`], since the limits live in the accept loop.

mod common;

use common::{Call, TWCS_SAMPLE, World};
use rapport_domain::{Permission, Role};
use rapport_engine::EngineConfig;
use rapport_web::{ConnectionLimits, MetricsAccess, WebConfig};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves `world` on a loopback port; the server stops when the returned sender is dropped.
async fn serve(world: &World) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(rapport_web::run(listener, world.state.clone(), async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

fn limits(header_read: u64, request: u64, max_connections: usize) -> WebConfig {
    WebConfig {
        connections: ConnectionLimits {
            header_read_timeout: Duration::from_millis(header_read),
            request_timeout: Duration::from_millis(request),
            max_connections,
        },
        ..WebConfig::default()
    }
}

/// Reads until the server closes the connection (or `within` passes): what it sent, and
/// whether it closed.
async fn read_until_closed(conn: &mut TcpStream, within: Duration) -> (String, bool) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let until = Instant::now() + within;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&got).into(), false),
        }
    }
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    let world = World::new(limits(300, 5_000, 64)).await;
    let (addr, _stop) = serve(&world).await;
    let mut conn = TcpStream::connect(addr).await.unwrap();
    let (_, closed) = read_until_closed(&mut conn, Duration::from_secs(5)).await;
    assert!(closed, "a connection that sends nothing is closed");
}

#[tokio::test]
async fn a_trickling_request_is_closed_before_its_headers_end() {
    let world = World::new(limits(400, 5_000, 64)).await;
    let (addr, _stop) = serve(&world).await;
    let mut conn = TcpStream::connect(addr).await.unwrap();
    let request = b"GET /healthz HTTP/1.1\r\nHost: rapport\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let started = Instant::now();
    let mut refused = false;
    for byte in request {
        if conn.write_all(&[*byte]).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if started.elapsed() > Duration::from_secs(6) {
            break;
        }
    }
    let (answer, closed) = read_until_closed(&mut conn, Duration::from_secs(3)).await;
    assert!(
        refused || closed,
        "still open after {:?}",
        started.elapsed()
    );
    assert!(!answer.contains(" 200 "), "{answer}");
}

#[tokio::test]
async fn a_kept_alive_connection_that_goes_quiet_is_closed() {
    let world = World::new(limits(300, 5_000, 64)).await;
    let (addr, _stop) = serve(&world).await;
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: rapport\r\n\r\n")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut conn, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle kept-alive connection is closed");
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_408() {
    let world = World::new(limits(5_000, 400, 64)).await;
    let (addr, _stop) = serve(&world).await;
    let mut conn = TcpStream::connect(addr).await.unwrap();
    // Complete headers, then a body that stops after a few bytes of the 100 announced.
    conn.write_all(
        b"POST /login HTTP/1.1\r\nHost: rapport\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=a",
    )
    .await
    .unwrap();
    let (answer, _) = read_until_closed(&mut conn, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn clients_past_the_connection_cap_wait_for_a_free_slot() {
    let world = World::new(limits(3_000, 5_000, 1)).await;
    let (addr, _stop) = serve(&world).await;
    let holder = TcpStream::connect(addr).await.unwrap();
    // Let the server take the first connection into its only slot.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut waiting = TcpStream::connect(addr).await.unwrap();
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: rapport\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (early, _) = read_until_closed(&mut waiting, Duration::from_millis(500)).await;
    assert_eq!(early, "", "served past the cap");
    drop(holder);
    let (answer, _) = read_until_closed(&mut waiting, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

async fn raw_get(addr: SocketAddr, path: &str, extra_headers: &str) -> String {
    let mut conn = TcpStream::connect(addr).await.unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: rapport\r\nConnection: close\r\n{extra_headers}\r\n");
    conn.write_all(request.as_bytes()).await.unwrap();
    read_until_closed(&mut conn, Duration::from_secs(10))
        .await
        .0
}

#[tokio::test]
async fn metrics_are_served_to_the_machine_itself_and_to_the_token_only() {
    let world = World::new(WebConfig {
        metrics: MetricsAccess {
            token: Some("scrape-secret-1".into()),
            ..MetricsAccess::default()
        },
        ..WebConfig::default()
    })
    .await;
    let (addr, _stop) = serve(&world).await;
    let local = raw_get(addr, "/metrics", "").await;
    assert!(local.starts_with("HTTP/1.1 200"), "{local}");
    assert!(local.contains("rapport_store_posts 0"), "{local}");
    // A web server on the same machine forwarding strangers' requests: not local.
    let proxied = raw_get(addr, "/metrics", "X-Forwarded-For: 203.0.113.7\r\n").await;
    assert!(proxied.starts_with("HTTP/1.1 403"), "{proxied}");
    let wrong = raw_get(
        addr,
        "/metrics",
        "X-Forwarded-For: 203.0.113.7\r\nAuthorization: Bearer nope\r\n",
    )
    .await;
    assert!(wrong.starts_with("HTTP/1.1 403"), "{wrong}");
    let with_token = raw_get(
        addr,
        "/metrics",
        "X-Forwarded-For: 203.0.113.7\r\nAuthorization: Bearer scrape-secret-1\r\n",
    )
    .await;
    assert!(with_token.starts_with("HTTP/1.1 200"), "{with_token}");

    // From elsewhere (here: a client the server cannot place), without the token: refused.
    let unplaced = world.send(Call::get("/metrics").build()).await;
    assert_eq!(unplaced.status, 403);
}

#[tokio::test]
async fn metrics_from_an_address_outside_the_allowed_networks_are_refused() {
    let world = World::new(WebConfig {
        metrics: MetricsAccess {
            allow: vec!["10.9.0.0/16".parse().unwrap()],
            token: None,
        },
        ..WebConfig::default()
    })
    .await;
    let (addr, _stop) = serve(&world).await;
    let answer = raw_get(addr, "/metrics", "").await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("server.metrics_allow"), "{answer}");
}

/// The `Set-Cookie` lines of an answer.
fn cookies(answer: &str) -> Vec<&str> {
    answer
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .collect()
}

#[tokio::test]
async fn cookies_are_secure_when_a_trusted_proxy_says_https() {
    let behind_proxy = World::new(WebConfig {
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..WebConfig::default()
    })
    .await;
    // With no user yet every page leads to first-run setup; the login page needs one.
    behind_proxy.user("root", Role::Admin).await;
    let (addr, _stop) = serve(&behind_proxy).await;
    let https = raw_get(addr, "/login", "X-Forwarded-Proto: https\r\n").await;
    let set = cookies(&https);
    assert!(
        !set.is_empty(),
        "the login page sets its pre-session cookie: {https}"
    );
    assert!(set.iter().all(|c| c.contains("; Secure")), "{set:?}");
    assert!(
        https
            .to_ascii_lowercase()
            .contains("strict-transport-security")
    );
    let http = raw_get(addr, "/login", "X-Forwarded-Proto: http\r\n").await;
    assert!(
        cookies(&http).iter().all(|c| !c.contains("Secure")),
        "{http}"
    );

    // The same claim from a client that is not a configured proxy counts for nothing.
    let direct = World::new(WebConfig::default()).await;
    direct.user("root", Role::Admin).await;
    let (addr, _stop2) = serve(&direct).await;
    let claimed = raw_get(addr, "/login", "X-Forwarded-Proto: https\r\n").await;
    let set = cookies(&claimed);
    assert!(!set.is_empty(), "{claimed}");
    assert!(set.iter().all(|c| !c.contains("Secure")), "{set:?}");
    assert!(
        !claimed
            .to_ascii_lowercase()
            .contains("strict-transport-security")
    );
}

/// The real sample behind an analyst's token, searched through the API for a common query
/// with the engine's deadline at `deadline`: the world (still serving) and the answer.
async fn search_with_deadline(deadline: Duration) -> (World, common::Answer) {
    let engine = EngineConfig {
        query_deadline: Some(deadline),
        ..EngineConfig::default()
    };
    let world = World::with_engine(WebConfig::default(), engine).await;
    world.user("root", Role::Admin).await;
    let analyst = world.user("ana", Role::Analyst).await;
    let token = world
        .token_as(&analyst, Role::Analyst, &[Permission::ReadPosts])
        .await;
    let summary = world.import_twcs(Path::new(TWCS_SAMPLE)).await;
    assert!(summary.imported > 50, "the sample holds posts: {summary:?}");
    let answer = world
        .send(
            Call::get("/api/v1/posts?q=the%20OR%20you")
                .bearer(&token)
                .build(),
        )
        .await;
    (world, answer)
}

#[tokio::test]
async fn a_search_past_the_deadline_is_stopped_with_a_clear_error() {
    let (world, answer) = search_with_deadline(Duration::from_nanos(1)).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("query_timeout"), "{}", answer.body);
    assert!(answer.body.contains("narrower"), "{}", answer.body);
    // The server is still answering.
    assert_eq!(world.send(Call::get("/healthz").build()).await.status, 200);
}

#[tokio::test]
async fn a_search_within_the_deadline_answers() {
    let (_world, answer) = search_with_deadline(Duration::from_secs(60)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let list: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert!(list["count"].as_u64().unwrap() > 10, "{list}");
}
