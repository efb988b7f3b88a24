//! Inbox filters and saved views in a real browser (see `common::browser`), at a desktop's
//! 1366x900 and a phone's 390x844: filter the inbox with the filter bar, save the filters as a
//! view, see its count in the sidebar, open it. Each step is checked against the store.
//! Screenshots: `target/browser-screenshots/views-*.png`.

mod common;

use common::browser::{
    Lab, Progress, Step, at, check, click, fail, fill, finish, fits, js, shoot, until, viewport,
};
use common::{PASSWORD, TWCS_SAMPLE, World};
use fantoccini::Client;
use rapport_domain::care::{InboxFilter, InboxView};
use rapport_domain::{Role, SentimentLabel, UserId};
use rapport_web::WebConfig;

/// Scrolls `css` into the middle of the screen and clicks it.
async fn press(c: &Client, css: &str) -> Step {
    js(
        c,
        &format!("document.querySelector({css:?}).scrollIntoView({{block: 'center'}}) || true"),
    )
    .await?;
    click(c, css).await
}

async fn walk(
    c: &Client,
    lab: &Lab,
    world: &World,
    me: UserId,
    size: &str,
    p: &mut Progress,
) -> Step {
    p.step = "filter by sentiment";
    lab.goto(c, "/inbox").await?;
    at(c, "/inbox").await?;
    js(c, "document.getElementById('inbox-filters').open = true").await?;
    js(
        c,
        "document.querySelector('#inbox-filters select[name=sentiment]').value = 'negative'",
    )
    .await?;
    press(c, "#inbox-filters button[type=submit]").await?;
    until(
        c,
        "the filtered list",
        "location.search.indexOf('sentiment=negative') >= 0 && !!document.getElementById('filter-count')",
    )
    .await?;
    let want = world
        .engine
        .care()
        .filtered_counts(&[(
            InboxView::AllOpen,
            InboxFilter {
                sentiment: Some(SentimentLabel::Negative),
                ..InboxFilter::default()
            },
        )])
        .await
        .map_err(fail)?[0];
    check(want > 0, "the sample has negative cases")?;
    let rows = js(c, "document.querySelectorAll('tr[data-case-id]').length").await?;
    check(
        rows.as_u64() == Some(want.min(50)),
        format!("{rows} rows for {want} negative cases"),
    )?;
    fits(c, &format!("the filtered inbox at {size}")).await?;
    shoot(c, &format!("views-filtered-{size}")).await?;
    p.step = "save the filters as a view";
    js(c, "document.getElementById('inbox-save').open = true").await?;
    let name = format!("Unhappy {size}");
    fill(c, "#view-name", &name).await?;
    press(c, "#inbox-save button[type=submit]").await?;
    until(
        c,
        "the saved view",
        "location.search.indexOf('saved=') >= 0 && document.readyState === 'complete'",
    )
    .await?;
    let views = world.engine.care().saved_views(me).await.map_err(fail)?;
    let saved = views
        .iter()
        .find(|v| v.view.name == name)
        .ok_or("the view is stored")?;
    check(saved.count == want, "its count is the filter's")?;
    let link = format!(".saved-views a[href^='/inbox?saved={}&']", saved.view.id);
    let shown = js(
        c,
        &format!("document.querySelector(\"{link} .count\").textContent"),
    )
    .await?;
    check(
        shown.as_str() == Some(want.to_string().as_str()),
        format!("the sidebar shows its count: {shown}"),
    )?;
    fits(c, &format!("the saved view at {size}")).await?;
    shoot(c, &format!("views-saved-{size}")).await?;
    p.step = "open it from the sidebar";
    lab.goto(c, "/inbox?view=unassigned").await?;
    press(c, &link).await?;
    until(
        c,
        "the saved view opened",
        &format!(
            "location.search.indexOf('saved={}') >= 0 && document.readyState === 'complete'",
            saved.view.id
        ),
    )
    .await?;
    let heading = js(c, "document.getElementById('inbox-heading').textContent").await?;
    check(
        heading.as_str().is_some_and(|h| h.contains(&name)),
        format!("the heading names it: {heading}"),
    )?;
    let rows = js(c, "document.querySelectorAll('tr[data-case-id]').length").await?;
    check(rows.as_u64() == Some(want.min(50)), "it lists its cases")?;
    let current = js(
        c,
        "Array.prototype.map.call(document.querySelectorAll('.inbox-views a[aria-current]'), function(a){return a.getAttribute('href')})",
    )
    .await?;
    check(
        current.as_array().is_some_and(|a| a.len() == 1),
        format!("only the saved view is marked current: {current}"),
    )?;
    shoot(c, &format!("views-opened-{size}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_the_inbox_save_a_view_see_its_count_and_open_it() {
    let world = World::new(WebConfig::default()).await;
    world.user("ada", Role::Admin).await;
    let grace = world
        .accounts
        .create_user("grace", "Grace Hopper", Role::Agent, PASSWORD)
        .await
        .unwrap();
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    let Some(mut lab) = Lab::start(&world).await else {
        return;
    };
    let client = lab.window().await;
    let mut progress = Progress { step: "log in" };
    let result = async {
        viewport(&client, 1366, 900).await?;
        lab.goto(&client, "/login").await?;
        fill(&client, "#name", "grace").await?;
        fill(&client, "#password", PASSWORD).await?;
        click(&client, "form[action='/login'] button[type=submit]").await?;
        until(
            &client,
            "the page after logging in",
            "location.pathname !== '/login' && document.readyState === 'complete'",
        )
        .await?;
        walk(&client, &lab, &world, grace.id, "desktop", &mut progress).await?;
        progress.step = "phone size";
        viewport(&client, 390, 844).await?;
        walk(&client, &lab, &world, grace.id, "phone", &mut progress).await
    }
    .await;
    finish(client, result, &progress, "views-").await;
    lab.stop().await;
}
