//! An agent's day in a real browser (see `common::browser`): log in, work the inbox with the
//! keyboard (j/k to move, ? for help, a to take a case, e to resolve one, enter to open one),
//! then on the case page add an internal note, send a reply (queued in the outbox) and resolve
//! it, while a second agent opening the same case shows up as viewing and then typing. The
//! inbox and case page are also checked at a phone's 390x844. Every step is checked against
//! the store, not only the page. Screenshots: `target/browser-screenshots/care-*.png`.

mod common;

use common::browser::{
    Lab, Progress, Step, at, check, click, fail, fill, finish, fits, js, keys, shoot, until,
    viewport,
};
use common::{PASSWORD, TWCS_SAMPLE, World};
use fantoccini::Client;
use fantoccini::key::Key;
use rapport_domain::care::ReplyStatus;
use rapport_domain::{CaseId, CaseStatus, Role, User};
use rapport_web::WebConfig;
use std::time::{Duration, Instant};

const NOTE: &str = "Customer has asked twice; check the order system before replying.";
const REPLY: &str = "Sorry about that! Could you send us a DM with your order number?";

struct Cast {
    grace: User,
    linus: User,
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

/// The case id of the selected inbox row.
async fn selected(c: &Client) -> Result<CaseId, String> {
    let id = js(
        c,
        "(document.querySelector('tr[data-case-id][aria-selected=\"true\"]') || {dataset: {}}).dataset.caseId || null",
    )
    .await?;
    id.as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .map(CaseId)
        .ok_or_else(|| format!("no inbox row is selected ({id})"))
}

/// Polls the store until the case satisfies `ok`.
async fn case_until(
    world: &World,
    id: CaseId,
    what: &str,
    ok: impl Fn(&rapport_domain::care::CaseRecord) -> bool,
) -> Step {
    let started = Instant::now();
    loop {
        let record = world.engine.care().case(id).await.map_err(fail)?;
        if record.as_ref().is_some_and(&ok) {
            return Ok(());
        }
        if started.elapsed() > common::browser::WAIT {
            return Err(format!("case {id} never got {what}: {record:?}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn inbox_with_the_keyboard(
    c: &Client,
    lab: &Lab,
    world: &World,
    cast: &Cast,
    p: &mut Progress,
) -> Result<CaseId, String> {
    p.step = "log in";
    viewport(c, 1280, 800).await?;
    log_in(c, lab, "grace").await?;
    lab.goto(c, "/inbox").await?;
    at(c, "/inbox").await?;
    let rows = js(c, "document.querySelectorAll('tr[data-case-id]').length").await?;
    check(
        rows.as_u64().unwrap_or(0) >= 3,
        format!("the inbox lists {rows} cases, wanted at least 3"),
    )?;
    fits(c, "the inbox at 1280x800").await?;
    shoot(c, "care-inbox").await?;

    p.step = "j and k move the selection";
    keys(c, "j").await?;
    let first = selected(c).await?;
    keys(c, "j").await?;
    let second = selected(c).await?;
    check(first != second, "j moved to the next row")?;
    keys(c, "k").await?;
    check(selected(c).await? == first, "k moved back to the first row")?;

    p.step = "? shows the shortcuts";
    keys(c, "?").await?;
    until(
        c,
        "the shortcuts dialog",
        "(function(d){return d && !d.hidden && d.getClientRects().length > 0})(document.getElementById('shortcuts'))",
    )
    .await?;
    shoot(c, "care-shortcuts").await?;
    c.active_element()
        .await
        .map_err(fail)?
        .send_keys(&Key::Escape.to_string())
        .await
        .map_err(fail)?;
    until(
        c,
        "the shortcuts dialog to close",
        "(function(d){return d.hidden || d.getClientRects().length === 0})(document.getElementById('shortcuts'))",
    )
    .await?;

    p.step = "a takes the selected case";
    keys(c, "a").await?;
    case_until(world, first, "grace as assignee", |r| {
        r.case.assignee == Some(cast.grace.id)
    })
    .await?;

    p.step = "e resolves the second case";
    keys(c, "j").await?;
    check(selected(c).await? == second, "j selects the second case")?;
    keys(c, "e").await?;
    case_until(world, second, "resolved", |r| {
        r.case.status == CaseStatus::Resolved
    })
    .await?;

    p.step = "enter opens the first case";
    // The list refreshes after every change; find the first case's row again and select it.
    until(
        c,
        "the first case's row after the refresh",
        &format!("!!document.querySelector('tr[data-case-id=\"{first}\"]')"),
    )
    .await?;
    let mut hops = 0;
    while selected(c).await.ok() != Some(first) {
        keys(c, "k").await?;
        hops += 1;
        check(hops < 50, "k never reached the first case")?;
    }
    keys(c, &Key::Enter.to_string()).await?;
    at(c, &format!("/cases/{first}")).await?;
    Ok(first)
}

async fn work_the_case(
    c: &Client,
    other: &Client,
    lab: &Lab,
    world: &World,
    id: CaseId,
    p: &mut Progress,
) -> Step {
    let page = format!("/cases/{id}");
    p.step = "a second agent opens the case";
    log_in(other, lab, "linus").await?;
    lab.goto(other, &page).await?;
    at(other, &page).await?;
    until(
        c,
        "Linus shown as viewing",
        "document.getElementById('presence').textContent.includes('Linus') && \
         document.getElementById('presence').textContent.includes('viewing')",
    )
    .await?;
    shoot(c, "care-presence-viewing").await?;

    p.step = "the second agent types";
    fill(other, "#reply-text", "Hello").await?;
    until(
        c,
        "Linus shown as typing",
        "document.getElementById('presence').textContent.includes('typing')",
    )
    .await?;
    // Leaves the case, so the first agent's changes are theirs alone.
    lab.goto(other, "/inbox").await?;

    p.step = "an internal note";
    fill(c, "#note-text", NOTE).await?;
    click(c, "#note-form button[type=submit]").await?;
    until(
        c,
        "the note on the page",
        &format!("document.body.textContent.includes({NOTE:?})"),
    )
    .await?;
    let notes = world.engine.care().case_page(id).await.map_err(fail)?;
    check(
        notes.notes.iter().any(|n| n.body == NOTE),
        "the note is stored",
    )?;
    check(
        notes.replies.iter().all(|r| r.entry.body != NOTE),
        "the note is not in the outbox",
    )?;

    p.step = "a reply with its length counted";
    fill(c, "#reply-text", REPLY).await?;
    let len = REPLY.chars().count();
    until(
        c,
        "the counter to count the reply",
        &format!("document.getElementById('reply-count').textContent.includes('{len}')"),
    )
    .await?;
    click(c, "#reply-send").await?;
    until(
        c,
        "the reply shown as queued",
        &format!(
            "document.body.textContent.includes({REPLY:?}) && \
             document.body.textContent.toLowerCase().includes('queued')"
        ),
    )
    .await?;
    let after = world.engine.care().case_page(id).await.map_err(fail)?;
    check(
        after
            .replies
            .iter()
            .any(|r| r.entry.body == REPLY && r.entry.status == ReplyStatus::Queued),
        "the reply is queued in the outbox",
    )?;
    shoot(c, "care-case").await?;

    p.step = "resolve";
    click(c, "#status-form button[value=resolve]").await?;
    case_until(world, id, "resolved", |r| {
        r.case.status == CaseStatus::Resolved
    })
    .await?;
    // The next case of the queue opens, with the resolve's undo toast naming this case.
    until(
        c,
        "the next case with the resolve's undo toast",
        &format!(
            "location.pathname !== '/cases/{id}' && document.readyState === 'complete' && \
             (document.getElementById('undo-text') || {{textContent: ''}}).textContent.includes('Case {id} resolved')"
        ),
    )
    .await?;

    p.step = "phone layout";
    viewport(c, 390, 844).await?;
    for (path, name) in [
        (page.as_str(), "care-phone-case"),
        ("/inbox", "care-phone-inbox"),
    ] {
        lab.goto(c, path).await?;
        at(c, path).await?;
        fits(c, &format!("{path} at 390x844")).await?;
        shoot(c, name).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_works_the_inbox_and_a_case_in_a_real_browser() {
    let world = World::new(WebConfig::default()).await;
    world.user("ada", Role::Admin).await;
    let cast = Cast {
        grace: world
            .accounts
            .create_user("grace", "Grace H.", Role::Agent, PASSWORD)
            .await
            .unwrap(),
        linus: world
            .accounts
            .create_user("linus", "Linus T.", Role::Agent, PASSWORD)
            .await
            .unwrap(),
    };
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    let open = world
        .engine
        .care()
        .counts(Some(cast.linus.id))
        .await
        .unwrap();
    assert!(
        open.all_open >= 3,
        "the sample opens cases to work: {open:?}"
    );

    let Some(mut lab) = Lab::start(&world).await else {
        return;
    };
    let client = lab.window().await;
    let other = lab.window().await;
    let mut progress = Progress { step: "start" };
    let result = async {
        let id = inbox_with_the_keyboard(&client, &lab, &world, &cast, &mut progress).await?;
        work_the_case(&client, &other, &lab, &world, id, &mut progress).await
    }
    .await;
    let _ = other.close().await;
    finish(client, result, &progress, "care-").await;
    lab.stop().await;
}

/// Switching views 20 times: each switch answers within a few seconds. The inbox once kept
/// its live stream open when left, Chromium kept the left pages in its back/forward cache with
/// their streams, and once the six connections HTTP/1.1 allows per host were taken the next
/// view waited about a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_answers_every_view_switch_promptly() {
    let world = World::new(WebConfig::default()).await;
    world.user("ada", Role::Admin).await;
    world
        .accounts
        .create_user("grace", "Grace H.", Role::Agent, PASSWORD)
        .await
        .unwrap();
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    let Some(mut lab) = Lab::start(&world).await else {
        return;
    };
    let client = lab.window().await;
    let mut progress = Progress { step: "log in" };
    let result = async {
        log_in(&client, &lab, "grace").await?;
        lab.goto(&client, "/inbox").await?;
        until(&client, "the inbox", "!!document.getElementById('inbox')").await?;
        progress.step = "switch views";
        let views = ["all", "unassigned", "mine", "at_risk"];
        for i in 0..20 {
            let view = views[i % views.len()];
            let started = Instant::now();
            click(&client, &format!("a[href^='/inbox?view={view}&']")).await?;
            until(
                &client,
                &format!("view {view} (switch {})", i + 1),
                &format!(
                    "location.search.indexOf('view={view}') >= 0 && document.readyState === 'complete' && !!document.getElementById('inbox')"
                ),
            )
            .await?;
            let took = started.elapsed();
            check(
                took < Duration::from_secs(5),
                format!("switch {} to {view} took {took:?}", i + 1),
            )?;
        }
        shoot(&client, "care-view-switches").await
    }
    .await;
    finish(client, result, &progress, "care-views-").await;
    lab.stop().await;
}
