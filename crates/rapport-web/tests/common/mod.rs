//! What the web tests share: a server state over a fresh store (SQLite, or PostgreSQL with
//! `RAPPORT_TEST_BACKEND=postgres`), an accounts clock the tests can move, users of every
//! role, and a small HTTP client over the router.
#![allow(dead_code)] // each test file uses its own part of this

pub mod browser;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use rapport_connectors::{Format, read_records};
use rapport_domain::{Permission, Role, User};
use rapport_engine::accounts::{Accounts, AccountsConfig, SingleSignOn, UserUpdate};
use rapport_engine::testing::{TestStore, backend_from_env, fresh_store};
use rapport_engine::{Engine, EngineConfig, IngestProgress, IngestSummary};
use rapport_web::{AppState, WebConfig, app};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct-horse-7";

/// The real Kaggle sample of the Customer Support on Twitter dataset.
pub const TWCS_SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/twcs/twcs_kaggle_sample_93.csv"
);

/// A server state over a fresh store, with a clock the test moves forward.
pub struct World {
    pub state: AppState,
    pub engine: Arc<Engine>,
    pub accounts: Arc<Accounts>,
    /// Seconds added to the real time by the accounts clock.
    offset: Arc<AtomicI64>,
    // Dropped last: removes the store.
    _store: TestStore,
}

impl World {
    pub async fn new(config: WebConfig) -> Self {
        Self::with_engine(config, EngineConfig::default()).await
    }

    /// A world whose engine is configured by the test (a query deadline, say).
    pub async fn with_engine(config: WebConfig, engine: EngineConfig) -> Self {
        Self::built(config, engine, None).await
    }

    /// A world whose login page offers single sign-on through `sso`.
    pub async fn with_sso(config: WebConfig, sso: SingleSignOn) -> Self {
        Self::built(config, EngineConfig::default(), Some(sso)).await
    }

    async fn built(config: WebConfig, engine: EngineConfig, sso: Option<SingleSignOn>) -> Self {
        let store = fresh_store(backend_from_env()).await;
        let engine = Arc::new(
            Engine::new(store.store(), engine)
                .await
                .expect("engine opens"),
        );
        let offset = Arc::new(AtomicI64::new(0));
        let clock = offset.clone();
        let mut accounts =
            Accounts::new(store.store(), AccountsConfig::default()).with_clock(move || {
                chrono::Utc::now() + chrono::Duration::seconds(clock.load(Ordering::SeqCst))
            });
        if let Some(sso) = sso {
            accounts = accounts.with_sso(sso);
        }
        let accounts = Arc::new(accounts);
        let state = AppState::new(engine.clone(), accounts.clone(), config);
        Self {
            state,
            engine,
            accounts,
            offset,
            _store: store,
        }
    }

    /// Moves the accounts clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        self.offset.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }

    /// Creates a user; `Role::Admin` through first-run setup when no one exists yet.
    pub async fn user(&self, name: &str, role: Role) -> User {
        if self.accounts.needs_setup().await.unwrap() {
            assert_eq!(role, Role::Admin, "the first user is an admin");
            return self
                .accounts
                .setup_first_admin(name, "", PASSWORD)
                .await
                .unwrap();
        }
        self.accounts
            .create_user(name, "", role, PASSWORD)
            .await
            .unwrap()
    }

    /// A logged-in browser for `name` (opened through the accounts use case, not HTTP).
    pub async fn session(&self, name: &str) -> Browser {
        let (_, s) = self.accounts.login(name, PASSWORD).await.unwrap();
        Browser {
            session: Some(s.token),
            csrf: s.csrf_token,
        }
    }

    /// An API token acting as `user` with `scopes`. Only admins make tokens, so a token of an
    /// agent or analyst is made while they are an admin and keeps acting as them after their
    /// role changes, limited by the role they hold at each use.
    pub async fn token_as(&self, user: &User, role: Role, scopes: &[Permission]) -> String {
        let admin = self.set_role(user, Role::Admin).await;
        let made = self
            .accounts
            .create_api_token(&admin, "tests", scopes)
            .await
            .unwrap();
        self.set_role(user, role).await;
        made.secret
    }

    pub async fn set_role(&self, user: &User, role: Role) -> User {
        self.accounts
            .update_user(
                &rapport_engine::accounts::AuditActor::unknown("test", None),
                user.id,
                UserUpdate {
                    role: Some(role),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
    }

    /// Imports a twcs CSV file with the real importer, through the engine's ingest pipeline.
    pub async fn import_twcs(&self, path: &Path) -> IngestSummary {
        let file = std::io::BufReader::new(std::fs::File::open(path).expect("data file"));
        let records = read_records(Format::Twcs, file);
        let mut rejects = Vec::new();
        let summary = self
            .engine
            .ingest_records(records, Arc::new(IngestProgress::default()), |r| {
                rejects.push(format!("line {}: {}", r.line, r.reason))
            })
            .await
            .unwrap();
        assert!(rejects.is_empty(), "rejected: {rejects:?}");
        summary
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let res = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), 16 << 20).await.unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// What a browser holds: a session cookie (if logged in) and the CSRF token its forms carry.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub session: Option<String>,
    pub csrf: String,
}

/// A request as a browser (cookies, forms) or an API client (bearer token) makes it.
pub struct Call {
    method: &'static str,
    uri: String,
    cookies: Vec<String>,
    bearer: Option<String>,
    body: Option<(&'static str, String)>,
}

impl Call {
    pub fn new(method: &'static str, uri: impl Into<String>) -> Self {
        Self {
            method,
            uri: uri.into(),
            cookies: Vec::new(),
            bearer: None,
            body: None,
        }
    }

    pub fn get(uri: impl Into<String>) -> Self {
        Self::new("GET", uri)
    }

    pub fn post(uri: impl Into<String>) -> Self {
        Self::new("POST", uri)
    }

    pub fn cookie(mut self, name: &str, value: &str) -> Self {
        self.cookies.push(format!("{name}={value}"));
        self
    }

    /// The browser's session cookie, if it has one.
    pub fn by(self, b: &Browser) -> Self {
        match &b.session {
            Some(s) => self.cookie("rapport_session", s),
            None => self,
        }
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.bearer = Some(token.to_string());
        self
    }

    /// A form body from `name=value` pairs (values are form-encoded here).
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.body = Some(("application/x-www-form-urlencoded", body));
        self
    }

    pub fn json(mut self, body: &str) -> Self {
        self.body = Some(("application/json", body.to_string()));
        self
    }

    pub fn build(self) -> Request<Body> {
        let mut req = Request::builder().method(self.method).uri(&self.uri);
        if !self.cookies.is_empty() {
            req = req.header(header::COOKIE, self.cookies.join("; "));
        }
        if let Some(t) = &self.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        match self.body {
            Some((kind, body)) => req
                .header(header::CONTENT_TYPE, kind)
                .body(Body::from(body))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        }
    }
}

/// Form encoding (`application/x-www-form-urlencoded`) of one name or value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` header, whole.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    /// The value a `Set-Cookie` header gives `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }

    /// The `value` of the first hidden `csrf` field on the page.
    pub fn csrf_field(&self) -> Option<String> {
        attribute_after(&self.body, r#"name="csrf" value=""#)
    }

    pub fn is_redirect_to(&self, path: &str) -> bool {
        self.status.is_redirection() && self.location() == Some(path)
    }
}

/// The text from after `marker` up to the next `"`.
pub fn attribute_after(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)? + marker.len();
    let end = html[at..].find('"')?;
    Some(html[at..at + end].to_string())
}

/// A logged-out browser that has loaded the login (or setup) form: its pre-session cookie and
/// the token the form carries.
pub async fn open_form(world: &World, path: &str) -> (String, String) {
    let page = world.send(Call::get(path).build()).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    let cookie = page.cookie("rapport_csrf").expect("pre-session cookie");
    let field = page.csrf_field().expect("csrf field");
    assert_eq!(cookie, field, "the form carries the cookie's token");
    (cookie, field)
}

/// Logs in through the login form; the browser it returns holds the session cookie and the
/// session's CSRF token (read from the page it lands on).
pub async fn log_in(world: &World, name: &str, password: &str) -> Result<Browser, Answer> {
    let (cookie, token) = open_form(world, "/login").await;
    let answer = world
        .send(
            Call::post("/login")
                .cookie("rapport_csrf", &cookie)
                .form(&[("csrf", &token), ("name", name), ("password", password)])
                .build(),
        )
        .await;
    let Some(session) = answer.cookie("rapport_session") else {
        return Err(answer);
    };
    assert!(answer.is_redirect_to("/"), "{answer:?}");
    let mut browser = Browser {
        session: Some(session),
        csrf: String::new(),
    };
    let home = world.send(Call::get("/").by(&browser).build()).await;
    assert_eq!(home.status, StatusCode::OK);
    browser.csrf = home
        .csrf_field()
        .expect("the logout form carries the token");
    Ok(browser)
}

/// An SLA policy on all hours for every priority, a day for the first answer and a day for
/// each later one (no resolution target), made the default before anything is routed: the
/// sample's conversations from October 2017 whose customer's last post was never answered are
/// breached, and those answered within the day are on time.
pub async fn day_policy(world: &World) {
    use rapport_domain::care::RoutingRules;
    use rapport_domain::{Priority, SlaPolicy, Targets};
    let day = chrono::TimeDelta::days(1);
    let targets = Targets {
        first_response: Some(day),
        next_response: Some(day),
        resolution: None,
    };
    let mut policy = SlaPolicy::new("Day").with_business_hours(false);
    for p in Priority::ALL {
        policy = policy.with_targets(p, targets).unwrap();
    }
    let care = world.engine.care();
    care.save_sla_policy(&policy, false).await.unwrap();
    care.save_rules(&RoutingRules {
        default_sla_policy: Some("Day".into()),
        round_robin: false,
        ..RoutingRules::default()
    })
    .await
    .unwrap();
}

/// The case holding the twcs tweet `native_id` (an X post).
pub async fn case_of_tweet(world: &World, native_id: &str) -> rapport_domain::CaseId {
    use rapport_domain::{Network, PostKey};
    let store = world.engine.store();
    let key = PostKey {
        network: Network::X,
        native_id: native_id.into(),
    };
    let post = store
        .posts()
        .post_by_key(&key)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("tweet {native_id} is stored"));
    store
        .cases()
        .case_of_post(post.id)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("tweet {native_id} is in a case"))
}
