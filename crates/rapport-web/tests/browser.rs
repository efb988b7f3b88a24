//! The UI in a real browser: headless Chromium driven through chromedriver (WebDriver).
//!
//! First-run setup, log out, log in, a topic whose query error the page's own script shows
//! while it is typed, then fixed and saved and listed with its match count, and the layout
//! at 1280x800 and at a phone's 390x844 (no sideways scrolling). Screenshots go to
//! `target/browser-screenshots/`: the final page always, and the page a step failed on.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`;
//! `RAPPORT_CHROMIUM` and `RAPPORT_CHROMEDRIVER` name other binaries). Without them the test
//! fails, unless `RAPPORT_SKIP_BROWSER=1`.

mod common;

use common::{TWCS_SAMPLE, World};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use rapport_web::WebConfig;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);
const ADMIN: &str = "ada";
const ADMIN_PASSWORD: &str = "lovelace-1815";
const BROKEN_QUERY: &str = "(help OR please";
const FIXED_QUERY: &str = "help OR please";

fn binary(var: &str, default: &str) -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
    path.is_file().then_some(path)
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir.canonicalize().unwrap_or(dir)
}

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts chromedriver on a free port and waits until it accepts connections.
async fn start_driver(path: &Path) -> (Driver, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", path.display()));
    let driver = Driver(child);
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < WAIT,
            "chromedriver did not listen on port {port} within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (driver, port)
}

type Step = Result<(), String>;

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Polls a JavaScript expression until it is true; fails after [`WAIT`] with `what`.
async fn until(c: &Client, what: &str, expr: &str) -> Step {
    let started = Instant::now();
    loop {
        let v = c
            .execute(&format!("return !!({expr});"), vec![])
            .await
            .map_err(fail)?;
        if v == Value::Bool(true) {
            return Ok(());
        }
        if started.elapsed() > WAIT {
            return Err(format!("waited {WAIT:?} for {what} ({expr})"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the page at `path` has loaded.
async fn at(c: &Client, path: &str) -> Step {
    let expr = format!("location.pathname === {path:?} && document.readyState === 'complete'");
    until(c, &format!("the page {path}"), &expr).await
}

async fn js(c: &Client, expr: &str) -> Result<Value, String> {
    c.execute(&format!("return {expr};"), vec![])
        .await
        .map_err(fail)
}

async fn fill(c: &Client, css: &str, text: &str) -> Step {
    let field = c.find(Locator::Css(css)).await.map_err(fail)?;
    field.clear().await.map_err(fail)?;
    field.send_keys(text).await.map_err(fail)
}

async fn click(c: &Client, css: &str) -> Step {
    c.find(Locator::Css(css))
        .await
        .map_err(fail)?
        .click()
        .await
        .map_err(fail)
}

fn check(ok: bool, what: impl Into<String>) -> Step {
    if ok { Ok(()) } else { Err(what.into()) }
}

async fn shoot(c: &Client, name: &str) -> Step {
    let png = c.screenshot().await.map_err(fail)?;
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).map_err(fail)
}

/// Sizes the window so that the page itself (the viewport) is `width` x `height`.
async fn viewport(c: &Client, width: u32, height: u32) -> Step {
    c.set_window_size(width, height).await.map_err(fail)?;
    let inner = js(c, "[window.innerWidth, window.innerHeight]").await?;
    let (w, h) = (
        inner[0].as_u64().unwrap_or(0),
        inner[1].as_u64().unwrap_or(0),
    );
    let (dw, dh) = (
        u64::from(width).saturating_sub(w),
        u64::from(height).saturating_sub(h),
    );
    if dw > 0 || dh > 0 {
        c.set_window_size(width + dw as u32, height + dh as u32)
            .await
            .map_err(fail)?;
    }
    let w = js(c, "window.innerWidth").await?;
    check(
        w == json!(width),
        format!("viewport width {w}, wanted {width}"),
    )
}

/// The page fits its viewport's width: nothing scrolls sideways.
async fn fits(c: &Client, label: &str) -> Step {
    let widths = js(
        c,
        "[document.documentElement.scrollWidth, window.innerWidth]",
    )
    .await?;
    check(
        widths[0].as_u64() <= widths[1].as_u64(),
        format!(
            "{label}: page {} px wide in a {} px viewport",
            widths[0], widths[1]
        ),
    )
}

struct Progress {
    step: &'static str,
}

async fn journey(c: &Client, base: &str, world: &World, p: &mut Progress) -> Step {
    p.step = "first-run setup";
    viewport(c, 1280, 800).await?;
    c.goto(&format!("{base}/")).await.map_err(fail)?;
    at(c, "/setup").await?;
    fill(c, "#name", ADMIN).await?;
    fill(c, "#display_name", "Ada L.").await?;
    fill(c, "#password", ADMIN_PASSWORD).await?;
    fill(c, "#confirm", ADMIN_PASSWORD).await?;
    shoot(c, "setup").await?;
    click(c, "form[action='/setup'] button[type=submit]").await?;
    at(c, "/topics").await?;

    p.step = "log out";
    click(c, "form.logout button[type=submit]").await?;
    at(c, "/login").await?;
    c.goto(&format!("{base}/topics")).await.map_err(fail)?;
    at(c, "/login").await?;

    p.step = "log in";
    fill(c, "#name", ADMIN).await?;
    fill(c, "#password", ADMIN_PASSWORD).await?;
    click(c, "form[action='/login'] button[type=submit]").await?;
    at(c, "/").await?;
    let greeting = js(c, "document.querySelector('h1').textContent").await?;
    check(
        greeting == json!("Hello, Ada L."),
        format!("home says {greeting}"),
    )?;

    p.step = "a topic with a live parse error";
    click(c, "nav a[href='/topics']").await?;
    at(c, "/topics").await?;
    fill(c, "#name", "Help requests").await?;
    fill(c, "#query", BROKEN_QUERY).await?;
    until(
        c,
        "the parse error under the field",
        "document.getElementById('query-error').textContent.includes('column')",
    )
    .await?;
    let invalid = js(
        c,
        "document.getElementById('query').getAttribute('aria-invalid')",
    )
    .await?;
    check(invalid == json!("true"), "the field is marked invalid")?;
    shoot(c, "topic-parse-error").await?;

    p.step = "the query fixed and saved";
    fill(c, "#query", FIXED_QUERY).await?;
    until(
        c,
        "the parse error to clear",
        "document.getElementById('query-error').textContent === '' && \
         !document.getElementById('query').hasAttribute('aria-invalid')",
    )
    .await?;
    click(c, "#add-topic button[type=submit]").await?;
    at(c, "/topics/Help%20requests").await?;

    p.step = "the topic listed with its match count";
    let expected = world
        .engine
        .topics()
        .await
        .map_err(fail)?
        .into_iter()
        .find(|t| t.topic.name == "Help requests")
        .ok_or("the topic was not stored")?;
    check(
        expected.topic.query == FIXED_QUERY,
        "the fixed query is stored",
    )?;
    check(expected.matches > 0, "the topic matches stored posts")?;
    click(c, "a[href='/topics']").await?;
    at(c, "/topics").await?;
    let row = js(
        c,
        "Array.from(document.querySelectorAll('#topics tbody tr')).map(r => \
         Array.from(r.cells).map(td => td.textContent.trim()))",
    )
    .await?;
    let want = json!([["Help requests", FIXED_QUERY, expected.matches.to_string()]]);
    check(row == want, format!("topics table {row}, wanted {want}"))?;

    p.step = "layout at 1280x800";
    fits(c, "topics at 1280x800").await?;
    shoot(c, "desktop-topics").await?;

    p.step = "layout at 390x844";
    viewport(c, 390, 844).await?;
    for (path, name) in [
        ("/topics", "phone-topics"),
        ("/topics/Help%20requests", "phone-topic"),
        ("/settings/users", "phone-users"),
        ("/", "phone-home"),
    ] {
        c.goto(&format!("{base}{path}")).await.map_err(fail)?;
        at(c, path).await?;
        fits(c, &format!("{path} at 390x844")).await?;
        shoot(c, name).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_login_and_a_topic_in_a_real_browser() {
    let (chromium, chromedriver) = match (
        binary("RAPPORT_CHROMIUM", "/usr/bin/chromium"),
        binary("RAPPORT_CHROMEDRIVER", "/usr/bin/chromedriver"),
    ) {
        (Some(a), Some(b)) => (a, b),
        _ if std::env::var("RAPPORT_SKIP_BROWSER").as_deref() == Ok("1") => {
            eprintln!("browser test skipped: RAPPORT_SKIP_BROWSER=1");
            return;
        }
        _ => panic!(
            "the browser test needs chromium and chromedriver (apt-get install -y chromium \
             chromium-driver, or set RAPPORT_CHROMIUM and RAPPORT_CHROMEDRIVER); set \
             RAPPORT_SKIP_BROWSER=1 to skip it"
        ),
    };

    let world = World::new(WebConfig::default()).await;
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(rapport_web::run(listener, world.state.clone(), async {
        let _ = stopped.await;
    }));

    let (_driver, port) = start_driver(&chromedriver).await;
    let profile = tempfile::tempdir().unwrap();
    let args = [
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-sync".into(),
        "--disable-component-update".into(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": args}),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session through chromedriver");

    let mut progress = Progress { step: "start" };
    let result = journey(&client, &format!("http://{addr}"), &world, &mut progress).await;
    let dir = screenshot_dir();
    let last = match &result {
        Ok(()) => "final".to_string(),
        Err(_) => format!("failed-{}", progress.step.replace(' ', "-")),
    };
    let shot = shoot(&client, &last).await;
    if result.is_err()
        && let Ok(html) = client.source().await
    {
        let _ = std::fs::write(dir.join(format!("{last}.html")), html);
    }
    let _ = client.close().await;
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    if let Err(e) = result {
        panic!(
            "browser step '{}' failed: {e} (see {})",
            progress.step,
            dir.join(format!("{last}.png")).display()
        );
    }
    shot.expect("the final screenshot is saved");
}
