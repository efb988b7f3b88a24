//! Timing the inbox and case pages as the server answers them, for `rapport bench inbox`
//! (its second half, on the store the first half built).
//!
//! Each request goes through the whole router in process (session lookup, role check, the
//! engine's use cases, the askama template, the body read to its end), so the figure is the
//! server's time for a page without the network. The caller is an admin, so the case page
//! also computes suggested answers and the assignment lists, the most a page does.

use crate::{AppState, WebConfig};
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use rapport_engine::Engine;
use rapport_engine::accounts::{Accounts, AccountsConfig};
use rapport_engine::care::bench::Latency;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

#[derive(Debug, Clone, Serialize)]
pub struct PageLatency {
    #[serde(flatten)]
    pub latency: Latency,
    /// Mean size of the HTML answered.
    pub mean_bytes: usize,
}

impl PageLatency {
    fn of(ms: Vec<f64>, bytes: usize) -> PageLatency {
        let samples = ms.len().max(1);
        PageLatency {
            latency: Latency::of(ms),
            mean_bytes: bytes / samples,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ViewPageLatency {
    pub view: String,
    #[serde(flatten)]
    pub latency: PageLatency,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageReport {
    /// `GET /inbox?view=..&sort=..`: every view and sort in turn.
    pub inbox_page: PageLatency,
    pub inbox_page_by_view: Vec<ViewPageLatency>,
    /// `GET /cases/{id}` of cases drawn from the whole store.
    pub case_page: PageLatency,
}

/// A small deterministic generator (xorshift), so the same seed draws the same cases.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Times `samples` inbox pages and `samples` case pages over the engine's store, whose cases
/// are numbered 1 to `cases`.
pub async fn time_pages(
    engine: Arc<Engine>,
    cases: u64,
    samples: usize,
    seed: u64,
) -> Result<PageReport, String> {
    measure(engine, cases, samples, seed)
        .await
        .map_err(|e| e.to_string())
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

async fn measure(
    engine: Arc<Engine>,
    cases: u64,
    samples: usize,
    seed: u64,
) -> Result<PageReport, Failure> {
    let accounts = Arc::new(Accounts::new(
        engine.store().clone(),
        AccountsConfig::default(),
    ));
    let password = format!("bench-{seed}-{}", std::process::id());
    if accounts.needs_setup().await? {
        accounts
            .setup_first_admin("bench-admin", "Bench admin", &password)
            .await?;
    }
    let (_, session) = accounts
        .login("bench-admin", &password)
        .await
        .map_err(|e| format!("the bench admin cannot log in (use an empty store): {e}"))?;
    let cookie = format!("{}={}", crate::auth::SESSION_COOKIE, session.token);
    let teams = engine.care().teams().await?;
    let topics = engine.topic_list().await?;
    let router = crate::app(AppState::new(engine, accounts, WebConfig::default()));
    let get = |uri: String| {
        let router = router.clone();
        let cookie = cookie.clone();
        async move {
            let request = Request::get(&uri)
                .header(header::COOKIE, cookie)
                .body(Body::empty())?;
            let started = Instant::now();
            let answer = router.oneshot(request).await.map_err(|e| e.to_string())?;
            let status = answer.status();
            let body = to_bytes(answer.into_body(), usize::MAX).await?;
            let ms = started.elapsed().as_secs_f64() * 1e3;
            if status != StatusCode::OK {
                return Err(format!("GET {uri} answered {status}").into());
            }
            Ok::<_, Failure>((ms, body.len()))
        }
    };

    let mut views = vec![
        "mine".to_string(),
        "unassigned".into(),
        "all".into(),
        "at_risk".into(),
    ];
    views.extend(teams.iter().take(2).map(|t| format!("team:{}", t.id)));
    views.extend(topics.iter().take(2).map(|t| format!("topic:{}", t.id)));
    views.extend(["priority:urgent", "priority:normal"].map(String::from));
    let sorts = ["priority", "sla_due", "newest", "oldest"];
    let mut by_view: Vec<(String, Vec<f64>, usize)> =
        views.iter().map(|v| (v.clone(), Vec::new(), 0)).collect();
    let (mut all, mut all_bytes) = (Vec::new(), 0);
    for i in 0..samples {
        let v = i % views.len();
        let sort = sorts[(i / views.len()) % sorts.len()];
        let (ms, bytes) = get(format!("/inbox?view={}&sort={sort}", views[v])).await?;
        by_view[v].1.push(ms);
        by_view[v].2 += bytes;
        all.push(ms);
        all_bytes += bytes;
    }

    let mut draw = Draw(seed.max(1));
    let (mut pages, mut page_bytes) = (Vec::new(), 0);
    for _ in 0..samples {
        let id = 1 + draw.below(cases);
        let (ms, bytes) = get(format!("/cases/{id}")).await?;
        pages.push(ms);
        page_bytes += bytes;
    }
    Ok(PageReport {
        inbox_page: PageLatency::of(all, all_bytes),
        inbox_page_by_view: by_view
            .into_iter()
            .filter(|(_, ms, _)| !ms.is_empty())
            .map(|(view, ms, bytes)| ViewPageLatency {
                view,
                latency: PageLatency::of(ms, bytes),
            })
            .collect(),
        case_page: PageLatency::of(pages, page_bytes),
    })
}
