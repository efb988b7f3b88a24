//! Publishing in a real browser (see `common::browser`), against real network servers: the
//! X test server written from X's public API documentation and the real `mastodon_mock`.
//! An agent composes one announcement (real Sprint answers from twcs) for an X and a Mastodon
//! account, previews the two variants side by side (a thread of two on X, one status on
//! Mastodon), schedules it for the next minute in Paris time and submits it; an admin in
//! another browser approves it; the publisher (the supervisor `rapport serve` runs) sends it
//! at its time, and the page shows it published with a link per post. The servers hold each
//! post once, the X thread in order. The composer and the calendar are checked at a desktop's
//! 1366x900 and a phone's 390x844. Screenshots: `target/browser-screenshots/publish-*.png`.

mod common;

#[allow(dead_code)]
#[path = "../../rapport-connectors/tests/live/mastodon_mock.rs"]
mod mastodon_mock;
#[allow(dead_code)]
#[path = "../../rapport-connectors/tests/live/x_server.rs"]
mod x_server;

#[path = "../../rapport-connectors/tests/data/sprint_answers.rs"]
mod sprint_answers;
use chrono::{Timelike, Utc};
use common::browser::{
    Lab, Progress, Step, at, check, click, fill, finish, fits, js, shoot, until, viewport,
};
use common::{PASSWORD, World};
use fantoccini::Client;
use mastodon_mock::MastodonMock;
use rapport_domain::Role;
use rapport_domain::publication::{PublicationStatus, PublishingPolicy};
use rapport_engine::channels::{ChannelSpec, Channels, SecretKey};
use rapport_engine::publish::{PublishConfig, PublisherSupervisor};
use rapport_web::WebConfig;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The account the X test server posts as (`x_posting.rs`).
const X_ACCOUNT: &str = "brand";
const X_ACCOUNT_ID: &str = "4242";

/// Real answers by @sprintcare from the twcs head, joined past 300 characters.
fn announcement() -> String {
    sprint_answers::sprint_answers(320)
}

async fn log_in(c: &Client, lab: &Lab, name: &str) -> Step {
    lab.goto(c, "/login").await?;
    at(c, "/login").await?;
    fill(c, "#name", name).await?;
    fill(c, "#password", PASSWORD).await?;
    click(c, "form[action='/login'] button[type=submit]").await?;
    until(
        c,
        "the page after logging in",
        "location.pathname !== '/login' && document.readyState === 'complete'",
    )
    .await
}

/// Sets a form field's value as typing would, for inputs WebDriver cannot type into
/// portably (date and time pickers).
async fn set_value(c: &Client, css: &str, value: &str) -> Step {
    js(
        c,
        &format!(
            "(function (e) {{ e.value = {value:?}; e.dispatchEvent(new Event('input', {{bubbles: true}})); return e.value; }})(document.querySelector({css:?}))"
        ),
    )
    .await
    .map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_is_composed_approved_by_another_and_goes_out_at_its_time() {
    let world = World::new(WebConfig::default()).await;
    world.user("ada", Role::Admin).await;
    world
        .accounts
        .create_user("maria", "Maria Lopez", Role::Agent, PASSWORD)
        .await
        .unwrap();
    world
        .engine
        .publications()
        .set_policy(PublishingPolicy {
            approval_required: true,
        })
        .await
        .unwrap();

    // The brand's accounts on the two networks, as an admin adds them.
    let x = x_server::XServer::start(vec![], vec![]).await;
    let mock = MastodonMock::start().await;
    let (masto_id, masto_token) = mock.user("brand").await;
    let channels = Arc::new(Channels::new(
        world.engine.store().clone(),
        Some(SecretKey::generate()),
    ));
    channels
        .add(
            "Brand on X",
            ChannelSpec::X {
                api: x.api.clone(),
                account: Some(X_ACCOUNT.into()),
                monthly_read_budget: None,
                self_serve: true,
            },
            &format!("{}\n{}", x_server::TOKEN, x_server::USER_TOKEN),
        )
        .await
        .unwrap();
    let account = rapport_connectors::live::mastodon_account(&mock.url, &masto_token)
        .await
        .unwrap();
    channels
        .add(
            "Brand on Mastodon",
            ChannelSpec::Mastodon {
                instance: mock.url.clone(),
                account,
                transport: Default::default(),
            },
            &masto_token,
        )
        .await
        .unwrap();
    let pace = PublishConfig {
        poll: Duration::from_millis(200),
        rescan: Duration::from_secs(2),
        ..PublishConfig::default()
    };
    let (stop_publishing, stopped) = tokio::sync::oneshot::channel::<()>();
    let publishing = tokio::spawn(
        PublisherSupervisor::new(world.engine.clone(), channels.clone(), pace).run(async {
            let _ = stopped.await;
        }),
    );

    let text = announcement();
    // The next whole minute at least 40 s away (the picker takes minutes), in Paris time.
    let now = Utc::now();
    let due = (now + chrono::Duration::seconds(40))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap()
        + chrono::Duration::seconds(60);
    assert!(due - now > chrono::Duration::seconds(40));
    let paris = due.with_timezone(&chrono_tz::Europe::Paris);

    let Some(mut lab) = Lab::start(&world).await else {
        let _ = stop_publishing.send(());
        return;
    };
    let author = lab.window().await;
    let approver = lab.window().await;
    let mut p = Progress {
        step: "log in as the author",
    };
    let result = async {
        viewport(&author, 1366, 900).await?;
        log_in(&author, &lab, "maria").await?;
        p.step = "compose";
        lab.goto(&author, "/publish/new").await?;
        until(&author, "the composer", "!!document.getElementById('compose')").await?;
        fill(&author, "#compose-text", &text).await?;
        click(&author, "input[name=channel][value='Brand on X']").await?;
        click(&author, "input[name=channel][value='Brand on Mastodon']").await?;
        set_value(&author, "#compose-date", &paris.format("%Y-%m-%d").to_string()).await?;
        set_value(&author, "#compose-time", &paris.format("%H:%M").to_string()).await?;
        set_value(&author, "#compose-zone", "Europe/Paris").await?;

        p.step = "preview side by side";
        click(&author, "button[value=preview]").await?;
        until(&author, "the preview", "!!document.getElementById('previews')").await?;
        let shape = js(
            &author,
            "Array.from(document.querySelectorAll('#previews .variant')).map(function (v) { \
             return [v.getAttribute('aria-label'), v.querySelectorAll('li').length, \
             v.getBoundingClientRect().top]; })",
        )
        .await?;
        let parts = |label: &str| {
            shape
                .as_array()
                .and_then(|v| v.iter().find(|v| v[0] == label))
                .map(|v| v[1].clone())
        };
        check(
            shape.as_array().map(Vec::len) == Some(2)
                && parts("Brand on X") == Some(2.into())
                && parts("Brand on Mastodon") == Some(1.into()),
            format!("two parts on X, one on Mastodon: {shape}"),
        )?;
        check(
            shape[0][2] == shape[1][2],
            format!("the variants side by side at a desktop's width: {shape}"),
        )?;
        let over = js(&author, "document.querySelectorAll('#previews .count.over').length").await?;
        check(over == 0, "every part within its network's limit")?;
        shoot(&author, "publish-compose-preview").await?;

        p.step = "the composer on a phone";
        viewport(&author, 390, 844).await?;
        fits(&author, "the composer on a phone").await?;
        shoot(&author, "publish-compose-phone").await?;
        viewport(&author, 1366, 900).await?;

        p.step = "submit for approval";
        click(&author, "button[value=submit]").await?;
        until(
            &author,
            "the publication waiting for approval",
            "/^\\/publish\\/\\d+$/.test(location.pathname) && (document.getElementById('status') || {}).textContent === 'Waiting for approval'",
        )
        .await?;
        let path = js(&author, "location.pathname").await?;
        let path = path.as_str().unwrap_or_default().to_string();
        let own_review = js(&author, "!!document.querySelector('#review button[value=approve]')").await?;
        check(own_review == false, "the author is not offered an approval of their own post")?;

        p.step = "approve as the admin";
        viewport(&approver, 1366, 900).await?;
        log_in(&approver, &lab, "ada").await?;
        lab.goto(&approver, "/publish?tab=review").await?;
        until(&approver, "the review tab", "!!document.getElementById('publications')").await?;
        click(&approver, &format!("#publications a[href='{path}']")).await?;
        until(&approver, "the review form", "!!document.querySelector('#review button[value=approve]')").await?;
        shoot(&approver, "publish-review").await?;
        click(&approver, "#review button[value=approve]").await?;
        until(
            &approver,
            "the publication scheduled",
            "(document.getElementById('status') || {}).textContent === 'Scheduled'",
        )
        .await?;

        p.step = "the calendar";
        lab.goto(&approver, &format!("/publish/calendar?view=week&tz=Europe%2FParis&date={}", paris.format("%Y-%m-%d"))).await?;
        until(&approver, "the calendar", "!!document.getElementById('calendar')").await?;
        let listed = js(&approver, &format!("!!document.querySelector('#calendar a[href=\"{path}\"]')")).await?;
        check(listed == true, "the scheduled post is on its day in the week")?;
        shoot(&approver, "publish-calendar-week").await?;
        viewport(&approver, 390, 844).await?;
        fits(&approver, "the calendar on a phone").await?;
        shoot(&approver, "publish-calendar-phone").await?;
        viewport(&approver, 1366, 900).await?;

        p.step = "see it go out";
        let started = Instant::now();
        loop {
            lab.goto(&author, &path).await?;
            let status = js(&author, "(document.getElementById('status') || {}).textContent || ''").await?;
            if status == "Published" {
                check(Utc::now() >= due, format!("published before its time {due}"))?;
                break;
            }
            if Utc::now() < due - chrono::Duration::seconds(2) {
                check(status == "Scheduled", format!("'{status}' before its time"))?;
            }
            check(
                started.elapsed() < Duration::from_secs(150),
                format!("still '{status}' 150 s after approval (due {due})"),
            )?;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let links = js(&author, "document.querySelectorAll('#variants a[href]').length").await?;
        check(links == 3, format!("a link per published post: {links}"))?;
        shoot(&author, "publish-published").await?;
        Ok(())
    }
    .await;
    finish(author, result, &p, "publish-").await;
    let _ = approver.close().await;
    lab.stop().await;
    let _ = stop_publishing.send(());
    publishing.await.unwrap().unwrap();

    // On the servers: each post once, at its time, the X thread in order.
    let tweets: Vec<Value> = {
        let posting = x.posting.lock().unwrap();
        posting
            .tweets
            .iter()
            .filter(|t| t["author_id"] == X_ACCOUNT_ID)
            .cloned()
            .collect()
    };
    assert_eq!(tweets.len(), 2, "two tweets, none doubled: {tweets:#?}");
    assert!(
        tweets[0]["referenced_tweets"].is_null(),
        "the thread starts a conversation"
    );
    assert_eq!(
        tweets[1]["referenced_tweets"][0]["id"], tweets[0]["id"],
        "part two answers part one"
    );
    assert!(tweets[0]["text"].as_str().unwrap().ends_with(" 1/2"));
    let statuses: Vec<Value> =
        reqwest::get(format!("{}/api/v1/accounts/{masto_id}/statuses", mock.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(statuses.len(), 1);
    let created: chrono::DateTime<Utc> =
        statuses[0]["created_at"].as_str().unwrap().parse().unwrap();
    assert!(
        created >= due - chrono::Duration::seconds(1),
        "not before its time: {created} < {due}"
    );
    let views = world
        .engine
        .publications()
        .list(
            &rapport_domain::publication::PublicationQuery {
                limit: 10,
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].publication.status, PublicationStatus::Published);
}
