//! Driving the UI in a real browser: headless Chromium through chromedriver (WebDriver), the
//! server on a real socket over a test [`World`], and small steps that fail with what they
//! waited for. Screenshots go to `target/browser-screenshots/`.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`;
//! `RAPPORT_CHROMIUM` and `RAPPORT_CHROMEDRIVER` name other binaries). Without them a browser
//! test fails, unless `RAPPORT_SKIP_BROWSER=1`.

use super::World;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(15);

pub type Step = Result<(), String>;

pub fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn binary(var: &str, default: &str) -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
    path.is_file().then_some(path)
}

pub fn screenshot_dir() -> PathBuf {
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

/// A served world and a chromedriver that opens browser windows on it.
pub struct Lab {
    pub base: String,
    chromium: PathBuf,
    driver_port: u16,
    profiles: Vec<tempfile::TempDir>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _driver: Driver,
}

impl Lab {
    /// Serves `world` on a free port and starts chromedriver; `None` when the browser is
    /// missing and `RAPPORT_SKIP_BROWSER=1` says to skip.
    pub async fn start(world: &World) -> Option<Lab> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::start_listening(world, listener).await
    }

    /// [`Self::start`], served on a listener the test bound first (to know its address before
    /// the world is built: a single sign-on provider must know where to send people back).
    pub async fn start_listening(world: &World, listener: tokio::net::TcpListener) -> Option<Lab> {
        let (chromium, chromedriver) = match (
            binary("RAPPORT_CHROMIUM", "/usr/bin/chromium"),
            binary("RAPPORT_CHROMEDRIVER", "/usr/bin/chromedriver"),
        ) {
            (Some(a), Some(b)) => (a, b),
            _ if std::env::var("RAPPORT_SKIP_BROWSER").as_deref() == Ok("1") => {
                eprintln!("browser test skipped: RAPPORT_SKIP_BROWSER=1");
                return None;
            }
            _ => panic!(
                "the browser test needs chromium and chromedriver (apt-get install -y chromium \
                 chromium-driver, or set RAPPORT_CHROMIUM and RAPPORT_CHROMEDRIVER); set \
                 RAPPORT_SKIP_BROWSER=1 to skip it"
            ),
        };
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(rapport_web::run(listener, world.state.clone(), async {
            let _ = stopped.await;
        }));
        let (driver, driver_port) = start_driver(&chromedriver).await;
        Some(Lab {
            base: format!("http://{addr}"),
            chromium,
            driver_port,
            profiles: Vec::new(),
            stop: Some(stop),
            serving: Some(serving),
            _driver: driver,
        })
    }

    /// A new browser window with its own profile (its own cookies).
    pub async fn window(&mut self) -> Client {
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
        self.profiles.push(profile);
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": self.chromium, "args": args}),
        );
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.driver_port))
            .await
            .expect("a Chromium session through chromedriver")
    }

    /// Goes to `path` on the served world.
    pub async fn goto(&self, c: &Client, path: &str) -> Step {
        c.goto(&format!("{}{path}", self.base)).await.map_err(fail)
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(serving) = self.serving.take() {
            serving.await.unwrap().unwrap();
        }
    }
}

/// Where a journey got to, for the failure message and screenshot name.
pub struct Progress {
    pub step: &'static str,
}

/// Ends a journey: a screenshot of the last page (and its HTML when a step failed), the
/// window closed, and a panic naming the failed step and its screenshot.
pub async fn finish(client: Client, result: Step, progress: &Progress, prefix: &str) {
    let dir = screenshot_dir();
    let last = match &result {
        Ok(()) => format!("{prefix}final"),
        Err(_) => format!("{prefix}failed-{}", progress.step.replace(' ', "-")),
    };
    let shot = shoot(&client, &last).await;
    if result.is_err()
        && let Ok(html) = client.source().await
    {
        let _ = std::fs::write(dir.join(format!("{last}.html")), html);
    }
    let _ = client.close().await;
    if let Err(e) = result {
        panic!(
            "browser step '{}' failed: {e} (see {})",
            progress.step,
            dir.join(format!("{last}.png")).display()
        );
    }
    shot.expect("the final screenshot is saved");
}

/// Polls a JavaScript expression until it is true; fails after [`WAIT`] with `what`.
pub async fn until(c: &Client, what: &str, expr: &str) -> Step {
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
pub async fn at(c: &Client, path: &str) -> Step {
    let expr = format!("location.pathname === {path:?} && document.readyState === 'complete'");
    until(c, &format!("the page {path}"), &expr).await
}

pub async fn js(c: &Client, expr: &str) -> Result<Value, String> {
    c.execute(&format!("return {expr};"), vec![])
        .await
        .map_err(fail)
}

pub async fn fill(c: &Client, css: &str, text: &str) -> Step {
    let field = c.find(Locator::Css(css)).await.map_err(fail)?;
    field.clear().await.map_err(fail)?;
    field.send_keys(text).await.map_err(fail)
}

pub async fn click(c: &Client, css: &str) -> Step {
    c.find(Locator::Css(css))
        .await
        .map_err(fail)?
        .click()
        .await
        .map_err(fail)
}

/// Types keys into whatever has the focus (the page itself when nothing does), as a user
/// pressing them would.
pub async fn keys(c: &Client, text: &str) -> Step {
    c.find(Locator::Css("body"))
        .await
        .map_err(fail)?
        .send_keys(text)
        .await
        .map_err(fail)
}

pub fn check(ok: bool, what: impl Into<String>) -> Step {
    if ok { Ok(()) } else { Err(what.into()) }
}

pub async fn shoot(c: &Client, name: &str) -> Step {
    let png = c.screenshot().await.map_err(fail)?;
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).map_err(fail)
}

/// Sizes the window so that the page itself (the viewport) is `width` x `height`.
pub async fn viewport(c: &Client, width: u32, height: u32) -> Step {
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
pub async fn fits(c: &Client, label: &str) -> Step {
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
