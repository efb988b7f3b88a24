//! The UI in a real browser (see `common::browser`): first-run setup, log out, log in, a
//! topic whose query error the page's own script shows while it is typed, then fixed and saved
//! and listed with its match count, and the layout at 1280x800 and at a phone's 390x844 (no
//! sideways scrolling). Screenshots go to `target/browser-screenshots/`: the final page always,
//! and the page a step failed on.

mod common;

use common::browser::{
    Lab, Progress, Step, at, check, click, fail, fill, finish, fits, js, shoot, until, viewport,
};
use common::{TWCS_SAMPLE, World};
use fantoccini::Client;
use rapport_web::WebConfig;
use serde_json::json;

const ADMIN: &str = "ada";
const ADMIN_PASSWORD: &str = "lovelace-1815";
const BROKEN_QUERY: &str = "(help OR please";
const FIXED_QUERY: &str = "help OR please";

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
    let world = World::new(WebConfig::default()).await;
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    let Some(mut lab) = Lab::start(&world).await else {
        return;
    };
    let client = lab.window().await;
    let mut progress = Progress { step: "start" };
    let result = journey(&client, &lab.base, &world, &mut progress).await;
    finish(client, result, &progress, "").await;
    lab.stop().await;
}
