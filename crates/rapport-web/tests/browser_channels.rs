//! Settings -> Channels in a real browser (see `common::browser`), as the admin who connects
//! the company's accounts: a wrong access token is refused with the network's reason and the
//! secret field comes back empty; the right one (the real `mastodon_mock`, PyPI) connects a
//! channel that the server's sources start; the page then shows it connected, its cursor and
//! its age, posts per minute after a customer's mention, reconnects today, and the gap report;
//! the token appears nowhere in the page; the layout is checked at 1366x900 and at a phone's
//! 390x844; then the channel is removed. Screenshots: `target/browser-screenshots/channels-*`.

mod common;
#[path = "../../rapport-connectors/tests/live/mastodon_mock.rs"]
#[allow(dead_code)]
mod mastodon_mock;

use chrono::{TimeDelta, Utc};
use common::browser::{
    Lab, Progress, Step, at, check, click, fail, fill, finish, fits, js, shoot, until, viewport,
};
use common::{PASSWORD, World};
use fantoccini::Client;
use mastodon_mock::MastodonMock;
use rapport_domain::Role;
use rapport_domain::channel::ChannelGap;
use rapport_engine::channels::{Channels, SecretKey};
use rapport_engine::listen::Supervisor;
use rapport_web::WebConfig;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const MENTION: &str = "@sprintcare my phone has been dead for three days and nobody answers";

struct Setup<'a> {
    world: &'a World,
    mock: &'a MastodonMock,
    brand_token: &'a str,
    customer_token: &'a str,
}

async fn journey(c: &Client, lab: &Lab, s: &Setup<'_>, p: &mut Progress) -> Step {
    p.step = "log in as the admin";
    viewport(c, 1366, 900).await?;
    lab.goto(c, "/login").await?;
    fill(c, "#name", "ada").await?;
    fill(c, "#password", PASSWORD).await?;
    click(c, "form[action='/login'] button[type=submit]").await?;
    until(c, "logged in", "location.pathname !== '/login'").await?;

    p.step = "the empty channels page";
    lab.goto(c, "/settings/channels").await?;
    at(c, "/settings/channels").await?;
    check(
        js(c, "!!document.getElementById('no-channels')").await? == json!(true),
        "says there are no channels",
    )?;
    let current = js(
        c,
        "document.querySelector('.settings-nav a[aria-current=page]').textContent",
    )
    .await?;
    check(current == json!("Channels"), format!("nav shows {current}"))?;

    p.step = "a wrong token is refused";
    click(c, "details.connect:nth-of-type(1) summary").await?;
    fill(c, "#m-name", "support").await?;
    fill(c, "#m-instance", &s.mock.url).await?;
    fill(c, "#m-credential", "not-the-token").await?;
    click(c, "#connect-mastodon button[type=submit]").await?;
    until(
        c,
        "the refusal",
        "!!document.getElementById('form-error') && document.readyState === 'complete'",
    )
    .await?;
    let error = js(c, "document.getElementById('form-error').textContent").await?;
    check(
        error.as_str().unwrap_or("").contains("401"),
        format!("the error names the refusal: {error}"),
    )?;
    let kept = js(
        c,
        "[document.getElementById('m-name').value, document.getElementById('m-credential').value, \
          document.getElementById('m-credential').getAttribute('aria-invalid')]",
    )
    .await?;
    check(
        kept == json!(["support", "", "true"]),
        format!("name kept, secret emptied and marked: {kept}"),
    )?;
    shoot(c, "channels-refused").await?;

    p.step = "the right token connects";
    fill(c, "#m-credential", s.brand_token).await?;
    click(c, "#connect-mastodon button[type=submit]").await?;
    until(
        c,
        "the channel listed",
        "document.readyState === 'complete' && !!document.querySelector('section.channel')",
    )
    .await?;
    for _ in 0..100 {
        lab.goto(c, "/settings/channels").await?;
        if js(
            c,
            "(document.querySelector('.channel-state') || {}).textContent",
        )
        .await?
            == json!("connected")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let state = js(c, "document.querySelector('.channel-state').textContent").await?;
    check(state == json!("connected"), format!("state is {state}"))?;

    p.step = "a mention moves the figures";
    s.mock.post(s.customer_token, MENTION, None).await;
    let mut per_minute = json!(null);
    for _ in 0..100 {
        lab.goto(c, "/settings/channels").await?;
        per_minute = js(
            c,
            "[...document.querySelectorAll('.channel-health div')].find(d => d.querySelector('dt').textContent === 'Posts per minute').querySelector('dd').textContent",
        )
        .await?;
        if per_minute == json!("1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    check(
        per_minute == json!("1"),
        format!("posts per minute {per_minute}"),
    )?;
    let cursor = js(c, "document.querySelector('.cursor').textContent").await?;
    check(
        cursor.as_str().unwrap_or("").contains("notifications"),
        format!("the cursor is shown: {cursor}"),
    )?;
    let html = c.source().await.map_err(fail)?;
    check(
        !html.contains(s.brand_token),
        "the token is never in the page",
    )?;

    p.step = "the gap report";
    let id = s
        .world
        .engine
        .store()
        .channels()
        .channel("support")
        .await
        .map_err(fail)?
        .ok_or("no channel")?
        .id;
    let to = Utc::now() - TimeDelta::hours(1);
    let gap = ChannelGap {
        channel: id,
        from: to - TimeDelta::minutes(95),
        to,
        reason: "mastodon back-fill of notifications stopped at its limit of 10 pages".into(),
        recorded_at: Utc::now(),
    };
    s.world
        .engine
        .store()
        .channels()
        .record_gap(&gap)
        .await
        .map_err(fail)?;
    lab.goto(c, "/settings/channels").await?;
    let row = js(
        c,
        "[...document.querySelectorAll('table.gaps td')].map(td => td.textContent)",
    )
    .await?;
    check(
        row[2] == json!("1 h 35 min") && row[3] == json!(gap.reason),
        format!("the gap row: {row}"),
    )?;
    fits(c, "channels at 1366x900").await?;
    shoot(c, "channels-desktop").await?;

    p.step = "the page on a phone";
    viewport(c, 390, 844).await?;
    lab.goto(c, "/settings/channels").await?;
    fits(c, "channels at 390x844").await?;
    shoot(c, "channels-phone").await?;
    viewport(c, 1366, 900).await?;

    p.step = "remove the channel";
    click(
        c,
        "form[action='/settings/channels/remove'] button[type=submit]",
    )
    .await?;
    until(
        c,
        "the channel gone",
        "document.readyState === 'complete' && !!document.getElementById('no-channels')",
    )
    .await?;
    let left = s
        .world
        .engine
        .store()
        .channels()
        .list_channels()
        .await
        .map_err(fail)?;
    check(left.is_empty(), format!("the store still has {left:?}"))
}

#[tokio::test]
async fn an_admin_connects_watches_and_removes_a_mastodon_channel() {
    let mock = MastodonMock::start().await;
    let (_, brand_token) = mock.user("sprintcare").await;
    let (_, customer_token) = mock.user("customer").await;
    let mut world = World::new(WebConfig::default()).await;
    world.user("ada", Role::Admin).await;
    let channels = Arc::new(Channels::new(
        world.engine.store().clone(),
        Some(SecretKey::generate()),
    ));
    let mut supervisor = Supervisor::new(world.engine.clone(), channels.clone());
    supervisor.rescan = Duration::from_millis(200);
    world.state = world
        .state
        .clone()
        .with_channel_admin(channels)
        .with_channels(supervisor.health());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let sources = tokio::spawn(supervisor.run(async {
        let _ = stopped.await;
    }));
    let Some(mut lab) = Lab::start(&world).await else {
        return;
    };
    let c = lab.window().await;
    let mut progress = Progress { step: "start" };
    let setup = Setup {
        world: &world,
        mock: &mock,
        brand_token: &brand_token,
        customer_token: &customer_token,
    };
    let result = journey(&c, &lab, &setup, &mut progress).await;
    finish(c, result, &progress, "channels-").await;
    lab.stop().await;
    let _ = stop.send(());
    sources.await.unwrap().unwrap();
}
