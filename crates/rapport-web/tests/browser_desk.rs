//! The care desk's second round in a real browser (see `common::browser`): `e` resolves a case
//! and the undo toast brings it back as it was; a saved reply is removed only after its
//! confirmation page; and the layout at a desktop's 1366x900 and a phone's 390x844: contact
//! names never broken inside a word, the assignee on one line, on a phone the case's actions in
//! a bar that is on screen without scrolling, the SLA table scrolling sideways rather than
//! clipped, saved-reply text in a readable column. Every step is checked against the store or
//! the rendered boxes. Screenshots: `target/browser-screenshots/desk-*.png`.

mod common;

use common::browser::{
    Lab, Progress, Step, at, check, click, fail, fill, finish, fits, js, keys, shoot, until,
    viewport,
};
use common::{Browser, Call, PASSWORD, TWCS_SAMPLE, World};
use fantoccini::Client;
use rapport_domain::care::CaseRecord;
use rapport_domain::{CaseAction, CaseId, CaseStatus, Role, User};
use rapport_web::WebConfig;
use serde_json::Value;
use std::time::{Duration, Instant};

/// An assignee whose name is as long as real ones get.
const LONG_NAME: &str = "Margaret Hamilton-Whitfield";
/// Customers' names as long as real ones get.
const NAMES: &[&str] = &[
    "Bartholomew Featherstonehaugh",
    "Anneliese Vandenberghe-Okonkwo",
    "Maximiliano Castellanos",
    "Siobhán Ní Dhubhghaill",
];
/// A saved reply as admins write them: a few sentences.
const REPLY_NAME: &str = "Refund on its way";
const REPLY_BODY: &str = "Hi {{contact.first_name}}, thanks for your patience. Your refund \
     has been approved and is on its way: it usually shows on your statement within three to \
     five working days. If it has not arrived by then, reply here and we will look into it \
     straight away. {{agent.first_name}}";

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

/// Polls the store until the case satisfies `ok`.
async fn case_until(
    world: &World,
    id: CaseId,
    what: &str,
    ok: impl Fn(&CaseRecord) -> bool,
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

/// Selects the case's row by clicking it, again if a live refresh swapped the list under the
/// click.
async fn select_case(c: &Client, id: CaseId) -> Step {
    let started = Instant::now();
    loop {
        let row = format!("tr[data-case-id=\"{id}\"] td.preview");
        let _ = click(c, &row).await;
        if selected(c).await.ok() == Some(id) {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if selected(c).await.ok() == Some(id) {
                return Ok(());
            }
        }
        if started.elapsed() > common::browser::WAIT {
            return Err(format!("case {id} could not be selected"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The words inside `css` that the page broke over two lines (each word's text range has
/// boxes on more than one line). A hyphen is where a word may end, as in print.
const BROKEN_WORDS: &str = "(function (sel) {
  var bad = [];
  document.querySelectorAll(sel).forEach(function (el) {
    var walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    var n;
    while ((n = walk.nextNode())) {
      var re = /[^\\s\\-\\u2010]+/g, m;
      while ((m = re.exec(n.data))) {
        var r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        var tops = {};
        Array.prototype.forEach.call(r.getClientRects(), function (q) {
          if (q.width > 0) tops[Math.round(q.top)] = 1;
        });
        if (Object.keys(tops).length > 1) bad.push(m[0]);
      }
    }
  });
  return bad;
})";

/// The most lines any element matching `css` takes (its text's boxes, by their tops).
const MOST_LINES: &str = "(function (sel) {
  var most = 0;
  document.querySelectorAll(sel).forEach(function (el) {
    var r = document.createRange();
    r.selectNodeContents(el);
    var tops = {};
    Array.prototype.forEach.call(r.getClientRects(), function (q) {
      if (q.width > 0) tops[Math.round(q.top / 4)] = 1;
    });
    most = Math.max(most, Object.keys(tops).length);
  });
  return most;
})";

async fn words_whole(c: &Client, css: &str, label: &str) -> Step {
    let count = js(c, &format!("document.querySelectorAll({css:?}).length")).await?;
    check(
        count.as_u64().unwrap_or(0) > 0,
        format!("{label}: nothing matches {css}"),
    )?;
    let broken = js(c, &format!("{BROKEN_WORDS}({css:?})")).await?;
    check(
        broken.as_array().is_some_and(Vec::is_empty),
        format!("{label}: words broken over two lines in {css}: {broken}"),
    )
}

/// Whether the element's box lies inside the viewport.
async fn on_screen(c: &Client, css: &str) -> Result<bool, String> {
    let v = js(
        c,
        &format!(
            "(function (e) {{ if (!e) return null; var r = e.getBoundingClientRect(); \
             return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && \
             r.bottom <= window.innerHeight && r.right <= window.innerWidth && \
             (function (t) {{ return t === e || e.contains(t); }})(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)); }})(document.querySelector({css:?}))"
        ),
    )
    .await?;
    match v {
        Value::Bool(b) => Ok(b),
        other => Err(format!("{css} is not on the page ({other})")),
    }
}

struct Desk {
    world: World,
    margaret: User,
}

/// The real sample imported, an admin, two agents (one with a long name, with cases).
async fn desk() -> Desk {
    let world = World::new(WebConfig::default()).await;
    world.user("ada", Role::Admin).await;
    world
        .accounts
        .create_user("grace", "Grace H.", Role::Agent, PASSWORD)
        .await
        .unwrap();
    let margaret = world
        .accounts
        .create_user("margaret", LONG_NAME, Role::Agent, PASSWORD)
        .await
        .unwrap();
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    Desk { world, margaret }
}

/// The open cases, in the inbox's order.
async fn open_cases(world: &World) -> Vec<CaseId> {
    use rapport_domain::care::{InboxQuery, InboxSort, InboxView, PageStart};
    let page = world
        .engine
        .care()
        .inbox(&InboxQuery {
            view: InboxView::AllOpen,
            sort: InboxSort::default(),
            limit: 50,
            start: PageStart::First,
        })
        .await
        .unwrap();
    page.items.into_iter().map(|i| i.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_resolves_a_case_and_undo_brings_it_back_as_it_was() {
    let Desk { world, margaret } = desk().await;
    let cases = open_cases(&world).await;
    assert!(cases.len() >= 3, "the sample opens cases: {}", cases.len());
    // A pending case assigned to someone: a plain reopen would make it open, not pending.
    let target = cases[0];
    let care = world.engine.care();
    let now = chrono::Utc::now();
    care.assign(target, Some(margaret.id), margaret.id, now)
        .await
        .unwrap();
    // The brand's reply in the sample may have left it pending already.
    let status = care.case(target).await.unwrap().unwrap().case.status;
    if status != CaseStatus::Pending {
        care.apply(target, CaseAction::AwaitCustomer, margaret.id, now)
            .await
            .unwrap();
    }
    let before = care.case(target).await.unwrap().unwrap();
    assert_eq!(before.case.status, CaseStatus::Pending);

    let Some(mut lab) = Lab::start(&world).await else {
        return;
    };
    let c = lab.window().await;
    let mut p = Progress { step: "log in" };
    let result = async {
        viewport(&c, 1366, 900).await?;
        log_in(&c, &lab, "grace").await?;
        lab.goto(&c, "/inbox?view=all").await?;
        until(&c, "the inbox", "!!document.getElementById('inbox')").await?;

        p.step = "select the pending case";
        let row = format!("tr[data-case-id=\"{target}\"]");
        until(&c, "the pending case's row", &format!("!!document.querySelector('{row}')")).await?;
        select_case(&c, target).await?;

        p.step = "e resolves it";
        keys(&c, "e").await?;
        case_until(&world, target, "resolved", |r| {
            r.case.status == CaseStatus::Resolved
        })
        .await?;
        until(
            &c,
            "the undo toast",
            "(function (t) { return t && !t.hidden && t.getClientRects().length > 0 && \
             document.getElementById('undo-button').getClientRects().length > 0; })(document.getElementById('undo-toast'))",
        )
        .await?;
        until(
            &c,
            "the resolved case to leave the open list",
            &format!("!document.querySelector('{row}')"),
        )
        .await?;
        shoot(&c, "desk-undo-toast").await?;

        p.step = "undo";
        click(&c, "#undo-button").await?;
        case_until(&world, target, "its status and assignee back", |r| {
            r.case.status == before.case.status && r.case.assignee == before.case.assignee
        })
        .await?;
        until(
            &c,
            "the case back in the list as pending",
            &format!("!!document.querySelector('{row} .status-pending')"),
        )
        .await?;
        until(
            &c,
            "the toast gone and the outcome said",
            "document.getElementById('undo-toast').hidden && \
             document.getElementById('inbox-message').textContent.indexOf('Undone') >= 0",
        )
        .await?;
        shoot(&c, "desk-undone").await?;

        p.step = "the toast goes away by itself";
        select_case(&c, target).await?;
        keys(&c, "e").await?;
        case_until(&world, target, "resolved again", |r| {
            r.case.status == CaseStatus::Resolved
        })
        .await?;
        until(&c, "the toast again", "!document.getElementById('undo-toast').hidden").await?;
        tokio::time::sleep(Duration::from_secs(9)).await;
        check(
            js(&c, "document.getElementById('undo-toast').hidden").await? == Value::Bool(true),
            "the toast hides after a few seconds",
        )
    }
    .await;
    finish(c, result, &p, "desk-undo-").await;
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_reply_is_removed_only_after_confirming() {
    let world = World::new(WebConfig::default()).await;
    world.user("ada", Role::Admin).await;
    let care = world.engine.care();
    care.add_saved_reply(REPLY_NAME, REPLY_BODY, Some("/refund"))
        .await
        .unwrap();
    let stored = || async {
        world
            .engine
            .care()
            .saved_replies()
            .await
            .unwrap()
            .into_iter()
            .any(|r| r.name == REPLY_NAME)
    };

    let Some(mut lab) = Lab::start(&world).await else {
        return;
    };
    let c = lab.window().await;
    let mut p = Progress { step: "log in" };
    let result = async {
        viewport(&c, 1366, 900).await?;
        log_in(&c, &lab, "ada").await?;
        lab.goto(&c, "/settings/replies").await?;
        at(&c, "/settings/replies").await?;
        let remove = format!("button[aria-label='Remove {REPLY_NAME}']");

        p.step = "remove asks first";
        click(&c, &remove).await?;
        until(
            &c,
            "the confirmation",
            "!!document.getElementById('confirm-yes') && document.body.textContent.indexOf('Refund on its way') >= 0",
        )
        .await?;
        check(stored().await, "the reply is kept while the question is asked")?;
        shoot(&c, "desk-confirm-remove").await?;

        p.step = "cancel keeps it";
        click(&c, "#confirm-cancel").await?;
        at(&c, "/settings/replies").await?;
        check(stored().await, "the reply is kept after cancelling")?;
        check(
            js(&c, &format!("!!document.querySelector({remove:?})")).await? == Value::Bool(true),
            "the reply is still listed after cancelling",
        )?;

        p.step = "confirming removes it";
        click(&c, &remove).await?;
        until(&c, "the confirmation", "!!document.getElementById('confirm-yes')").await?;
        click(&c, "#confirm-yes").await?;
        at(&c, "/settings/replies").await?;
        check(!stored().await, "the reply is removed once confirmed")?;
        check(
            js(&c, &format!("!document.querySelector({remove:?})")).await? == Value::Bool(true),
            "the reply is no longer listed",
        )
    }
    .await;
    finish(c, result, &p, "desk-confirm-").await;
    lab.stop().await;
}

/// Gives the layout real content: cases assigned to the long-named agent, an SLA policy with
/// every target, a saved reply of a few sentences.
async fn furnish(desk: &Desk, admin: &Browser) -> CaseId {
    let world = &desk.world;
    let care = world.engine.care();
    let cases = open_cases(world).await;
    assert!(cases.len() >= 6, "the sample opens cases: {}", cases.len());
    for id in cases.iter().take(6) {
        care.assign(
            *id,
            Some(desk.margaret.id),
            desk.margaret.id,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    // Contacts named as agents name them once they know who wrote.
    for (id, name) in cases.iter().zip(NAMES) {
        let contact = care.case(*id).await.unwrap().unwrap().case.contact_id;
        let mut fields = care
            .contact_fields(contact)
            .await
            .unwrap()
            .unwrap_or_default();
        fields.name = (*name).to_string();
        care.set_contact_fields(contact, &fields).await.unwrap();
    }
    let answer = world
        .send(
            Call::post("/settings/sla")
                .by(admin)
                .form(&[
                    ("csrf", admin.csrf.as_str()),
                    ("name", "Standard care desk policy"),
                    ("at_risk", "80"),
                    ("urgent_first_response", "30m"),
                    ("urgent_next_response", "1h"),
                    ("urgent_resolution", "4h"),
                    ("high_first_response", "1h"),
                    ("high_next_response", "2h"),
                    ("high_resolution", "8h"),
                    ("normal_first_response", "2h"),
                    ("normal_next_response", "4h"),
                    ("normal_resolution", "1d"),
                    ("low_first_response", "8h"),
                    ("low_next_response", "1d"),
                    ("low_resolution", "3d"),
                ])
                .build(),
        )
        .await;
    assert!(answer.status.is_redirection(), "{answer:?}");
    care.add_saved_reply(REPLY_NAME, REPLY_BODY, Some("/refund"))
        .await
        .unwrap();
    // The case with the longest thread: the page an agent scrolls most.
    let mut longest = (0, cases[0]);
    for id in &cases {
        let posts = care.case_page(*id).await.unwrap().posts.len();
        if posts > longest.0 {
            longest = (posts, *id);
        }
    }
    longest.1
}

async fn desktop(c: &Client, lab: &Lab, case: CaseId, p: &mut Progress) -> Step {
    p.step = "desktop pages";
    viewport(c, 1366, 900).await?;
    let case_path = format!("/cases/{case}");
    for (path, name) in [
        ("/inbox", "inbox"),
        (case_path.as_str(), "case"),
        ("/contacts", "contacts"),
        ("/leads", "leads"),
        ("/settings/sla", "sla"),
        ("/settings/replies", "replies"),
    ] {
        lab.goto(c, path).await?;
        at(c, path.split('?').next().unwrap_or(path)).await?;
        fits(c, &format!("{path} at 1366x900")).await?;
        shoot(c, &format!("desk-desktop-{name}")).await?;
    }
    p.step = "desktop inbox: names whole, assignee on one line";
    lab.goto(c, "/inbox").await?;
    at(c, "/inbox").await?;
    words_whole(c, ".inbox-table td.contact a", "inbox contact names").await?;
    let assignee = "td[data-label='Assignee']";
    let lines = js(c, &format!("{MOST_LINES}({assignee:?})")).await?;
    check(
        lines.as_u64() == Some(1),
        format!("the assignee column takes {lines} lines for '{LONG_NAME}', wanted 1"),
    )?;
    lab.goto(c, "/contacts").await?;
    at(c, "/contacts").await?;
    words_whole(c, "#contacts td[data-label='Name'] a", "contact list names").await
}

async fn phone(c: &Client, lab: &Lab, case: CaseId, p: &mut Progress) -> Step {
    p.step = "phone case page: actions on screen";
    viewport(c, 390, 844).await?;
    let case_path = format!("/cases/{case}");
    lab.goto(c, &case_path).await?;
    at(c, &case_path).await?;
    let height = js(c, "document.documentElement.scrollHeight").await?;
    check(
        height.as_u64().unwrap_or(0) > 1_700,
        format!("the case page is {height} px high: long enough to need the bar"),
    )?;
    check(
        js(c, "window.scrollY").await? == 0,
        "the page starts at the top",
    )?;
    check(
        on_screen(c, "#case-bar").await?,
        "the case's action bar is within the viewport without scrolling",
    )?;
    check(
        on_screen(c, "#case-bar button[value=resolve]").await?,
        "Resolve is on screen and not covered",
    )?;
    let first = js(
        c,
        "(function () { var h = document.querySelector('.case-head h1').getBoundingClientRect(); \
         return h.top >= 0 && h.bottom <= window.innerHeight; })()",
    )
    .await?;
    check(
        first == Value::Bool(true),
        "the case comes first on a phone",
    )?;
    shoot(c, "desk-phone-case").await?;
    js(
        c,
        "window.scrollTo(0, document.documentElement.scrollHeight / 2)",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    check(
        on_screen(c, "#case-bar button[value=resolve]").await?,
        "Resolve stays on screen halfway down the page",
    )?;
    shoot(c, "desk-phone-case-scrolled").await?;

    p.step = "phone pages";
    for (path, name) in [
        ("/inbox", "inbox"),
        ("/contacts", "contacts"),
        ("/leads", "leads"),
        ("/settings/sla", "sla"),
        (
            "/settings/sla/Standard%20care%20desk%20policy",
            "sla-policy",
        ),
        ("/settings/replies", "replies"),
    ] {
        lab.goto(c, path).await?;
        at(c, path).await?;
        fits(c, &format!("{path} at 390x844")).await?;
        shoot(c, &format!("desk-phone-{name}")).await?;
    }

    p.step = "phone inbox: names whole";
    lab.goto(c, "/inbox").await?;
    at(c, "/inbox").await?;
    words_whole(c, ".inbox-table td.contact a", "inbox contact names at 390").await?;

    p.step = "phone SLA table scrolls instead of clipping";
    lab.goto(c, "/settings/sla").await?;
    at(c, "/settings/sla").await?;
    let table = js(
        c,
        "(function () { var t = document.getElementById('policies'); var w = t.parentElement; \
         var cells = Array.prototype.slice.call(t.querySelectorAll('td, th')); \
         var clipped = cells.filter(function (x) { return x.scrollWidth > x.clientWidth + 1; }).map(function (x) { return x.textContent; }); \
         var scrolls = getComputedStyle(w).overflowX; \
         return {table: t.scrollWidth, wrap: w.clientWidth, scrolls: scrolls, clipped: clipped, \
           last: t.querySelector('tbody tr td:last-child').getBoundingClientRect().right - w.getBoundingClientRect().left}; })()",
    )
    .await?;
    check(
        table["clipped"].as_array().is_some_and(Vec::is_empty),
        format!("SLA cells clipped: {table}"),
    )?;
    let fits_or_scrolls = table["table"].as_f64() <= table["wrap"].as_f64()
        || matches!(table["scrolls"].as_str(), Some("auto" | "scroll"));
    check(
        fits_or_scrolls,
        format!("the SLA table neither fits nor scrolls: {table}"),
    )?;
    js(
        c,
        "document.getElementById('policies').parentElement.scrollLeft = 10000",
    )
    .await?;
    let last_seen = js(
        c,
        "(function () { var t = document.getElementById('policies'); var w = t.parentElement; \
         var r = t.querySelector('tbody tr td:last-child').getBoundingClientRect(); \
         var b = w.getBoundingClientRect(); return r.right <= b.right + 1 && r.left >= b.left - 1; })()",
    )
    .await?;
    check(
        last_seen == Value::Bool(true),
        "scrolled sideways, the SLA table's last column is in view",
    )?;
    shoot(c, "desk-phone-sla-scrolled").await?;

    p.step = "phone saved replies: text in a readable column";
    lab.goto(c, "/settings/replies").await?;
    at(c, "/settings/replies").await?;
    let width = js(
        c,
        "document.querySelector('#replies .reply-body').getBoundingClientRect().width",
    )
    .await?;
    check(
        width.as_f64().unwrap_or(0.0) >= 200.0,
        format!("the saved reply's text is {width} px wide on a 390 px screen"),
    )?;
    let words = REPLY_BODY.split_whitespace().count() as u64;
    let lines = js(c, &format!("{MOST_LINES}('#replies .reply-body')")).await?;
    check(
        lines.as_u64().unwrap_or(u64::MAX) * 3 < words,
        format!("the saved reply's {words} words take {lines} lines"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_reads_well_at_desktop_and_phone_sizes() {
    let desk = desk().await;
    let admin = desk.world.session("ada").await;
    let case = furnish(&desk, &admin).await;
    let Some(mut lab) = Lab::start(&desk.world).await else {
        return;
    };
    let c = lab.window().await;
    let mut p = Progress { step: "log in" };
    let result = async {
        viewport(&c, 1366, 900).await?;
        log_in(&c, &lab, "ada").await?;
        desktop(&c, &lab, case, &mut p).await?;
        phone(&c, &lab, case, &mut p).await
    }
    .await;
    finish(c, result, &p, "desk-layout-").await;
    lab.stop().await;
}
