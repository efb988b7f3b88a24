//! Search everywhere and faster replies in a real browser (see `common::browser`), at a
//! desktop's 1366x900 and a phone's 390x844: search from the header box and open a case from
//! the results, type `/` in the composer and insert a saved reply with the keyboard, then
//! "Send and next case" lands on another case with the reply queued on the first. Every step
//! is checked against the store, not only the page. Screenshots:
//! `target/browser-screenshots/search-*.png` and `faster-replies-*.png`.

mod common;

use common::browser::{
    Lab, Progress, Step, at, check, click, fail, fill, finish, fits, js, shoot, until, viewport,
};
use common::{PASSWORD, TWCS_SAMPLE, World};
use fantoccini::Client;
use fantoccini::key::Key;
use rapport_domain::care::ReplyStatus;
use rapport_domain::{CaseId, Role};
use rapport_web::WebConfig;

const SAVED: &str = "Hi {{contact.name}}, sorry about this! Could you DM us your order number? – {{agent.first_name}}";

/// The case page's id, from the address.
async fn case_here(c: &Client) -> Result<CaseId, String> {
    let path = js(c, "location.pathname").await?;
    path.as_str()
        .and_then(|p| p.strip_prefix("/cases/"))
        .and_then(|id| id.parse().ok())
        .map(CaseId)
        .ok_or_else(|| format!("not on a case page: {path}"))
}

/// Scrolls `css` to the middle of the screen (clear of the phone's fixed action bar) and
/// clicks it.
async fn press(c: &Client, css: &str) -> Step {
    js(
        c,
        &format!("document.querySelector({css:?}).scrollIntoView({{block: 'center'}}) || true"),
    )
    .await?;
    click(c, css).await
}

/// One walk at the window's current size; `size` names the screenshots.
async fn walk(c: &Client, lab: &Lab, world: &World, size: &str, p: &mut Progress) -> Step {
    p.step = "search from the header";
    lab.goto(c, "/inbox").await?;
    at(c, "/inbox").await?;
    fill(c, "#site-search", "phone").await?;
    c.active_element()
        .await
        .map_err(fail)?
        .send_keys(&Key::Enter.to_string())
        .await
        .map_err(fail)?;
    at(c, "/search").await?;
    until(
        c,
        "the case results",
        "!!document.querySelector('#results-cases a[href^=\"/cases/\"]')",
    )
    .await?;
    let counts = js(
        c,
        "['cases','posts','contacts'].map(function(k){var e=document.getElementById('count-'+k);return e?parseInt(e.textContent,10):-1})",
    )
    .await?;
    check(
        counts
            .as_array()
            .is_some_and(|a| a.iter().all(|n| n.as_i64().unwrap_or(-1) > 0)),
        format!("every group found something: {counts}"),
    )?;
    fits(c, &format!("the results at {size}")).await?;
    shoot(c, &format!("search-results-{size}")).await?;

    p.step = "open a case from the results";
    press(c, "#results-cases a[href^='/cases/']").await?;
    until(
        c,
        "a case page",
        "location.pathname.indexOf('/cases/') === 0 && document.readyState === 'complete'",
    )
    .await?;
    let first = case_here(c).await?;
    let replies_before = world
        .engine
        .care()
        .case_page(first)
        .await
        .map_err(fail)?
        .replies
        .len();

    p.step = "type a slash in the composer";
    press(c, "#reply-text").await?;
    c.active_element()
        .await
        .map_err(fail)?
        .send_keys("/so")
        .await
        .map_err(fail)?;
    until(
        c,
        "the saved replies list",
        "!document.getElementById('slash-menu').hidden && \
         document.getElementById('reply-text').getAttribute('aria-expanded') === 'true' && \
         document.querySelector('#slash-menu [aria-selected=\"true\"]').dataset.key === 'sorry'",
    )
    .await?;
    // The list offers only the replies whose shortcut starts with what was typed.
    let shown = js(
        c,
        "Array.prototype.filter.call(document.querySelectorAll('#slash-menu [role=option]'), function(o){return !o.hidden}).length",
    )
    .await?;
    check(
        shown == 1,
        format!("one saved reply matches '/so', {shown} shown"),
    )?;
    shoot(c, &format!("faster-replies-slash-{size}")).await?;

    p.step = "Enter inserts the saved reply";
    c.active_element()
        .await
        .map_err(fail)?
        .send_keys(&Key::Enter.to_string())
        .await
        .map_err(fail)?;
    until(
        c,
        "the saved reply in the composer",
        "document.getElementById('reply-text').value.indexOf('sorry about this! Could you DM us your order number? – Grace') > 0 && \
         document.getElementById('slash-menu').hidden",
    )
    .await?;
    let text = js(c, "document.getElementById('reply-text').value").await?;
    let text = text.as_str().unwrap_or_default().to_string();
    check(
        !text.contains("/so") && !text.contains("{{"),
        format!("the shortcut is replaced: {text:?}"),
    )?;
    // The counter counts what was inserted, as the network will.
    until(
        c,
        "the counter to count the inserted reply",
        "/^[1-9][0-9]* of 280 characters/.test(document.getElementById('reply-count').textContent)",
    )
    .await?;
    shoot(c, &format!("faster-replies-inserted-{size}")).await?;

    p.step = "Send and next case";
    press(c, "#reply-send-next").await?;
    until(
        c,
        "another case",
        &format!(
            "location.pathname.indexOf('/cases/') === 0 && location.pathname !== '/cases/{first}' && document.readyState === 'complete'"
        ),
    )
    .await?;
    let next = case_here(c).await?;
    check(next != first, "a different case opened")?;
    let page = world.engine.care().case_page(first).await.map_err(fail)?;
    check(
        page.replies.len() == replies_before + 1
            && page
                .replies
                .iter()
                .any(|r| r.entry.body == text && r.entry.status == ReplyStatus::Queued),
        "the reply is queued on the first case",
    )?;
    until(
        c,
        "the way back to the first case",
        &format!("!!document.querySelector('#came-from[href=\"/cases/{first}\"]')"),
    )
    .await?;
    fits(c, &format!("the next case at {size}")).await?;
    shoot(c, &format!("faster-replies-next-{size}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_from_the_header_then_reply_with_a_shortcut_and_go_to_the_next_case() {
    let world = World::new(WebConfig::default()).await;
    world.user("ada", Role::Admin).await;
    world
        .accounts
        .create_user("grace", "Grace Hopper", Role::Agent, PASSWORD)
        .await
        .unwrap();
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    let care = world.engine.care();
    care.save_saved_reply("Sorry, DM us", SAVED, Some("sorry"))
        .await
        .unwrap();
    care.save_saved_reply("Shipping times", "Orders ship within 2 days.", Some("ship"))
        .await
        .unwrap();
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
        walk(&client, &lab, &world, "desktop", &mut progress).await?;
        progress.step = "phone size";
        viewport(&client, 390, 844).await?;
        walk(&client, &lab, &world, "phone", &mut progress).await
    }
    .await;
    finish(client, result, &progress, "search-").await;
    lab.stop().await;
}
