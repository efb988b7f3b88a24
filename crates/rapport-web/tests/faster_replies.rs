//! Faster replies on the case page, over the real twcs sample: "Send and next case" and "Send
//! and resolve" (one use case, checked against the version the page showed), the next case
//! opened after a resolve with the undo toast of the case left behind, the composer's
//! `/shortcut` list of saved replies, and the sidebar's fields saved in one request.
//!
//! The queue order the tests expect is worked out here from the cases themselves (priority,
//! then the longest open, as the inbox documents it), not read from the inbox's pages.

mod common;

use axum::http::StatusCode;
use common::{Answer, Browser, Call, PASSWORD, TWCS_SAMPLE, World, attribute_after};
use rapport_domain::care::{CaseRecord, InboxQuery, InboxSort, InboxView, PageStart, ReplyStatus};
use rapport_domain::{CaseAction, CaseChange, CaseId, CaseStatus, Priority, Role, User, UserId};
use rapport_web::WebConfig;

struct Desk {
    world: World,
    ada: User,
    grace: User,
    b: Browser,
}

async fn desk() -> Desk {
    let world = World::new(WebConfig::default()).await;
    let ada = world.user("ada", Role::Admin).await;
    let grace = world
        .accounts
        .create_user("grace", "Grace Hopper", Role::Agent, PASSWORD)
        .await
        .unwrap();
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    world
        .engine
        .care()
        .save_saved_reply(
            "Sorry, DM us",
            "Hi {{contact.name}}, sorry about this! Please DM us the details. – {{agent.first_name}}",
            Some("sorry"),
        )
        .await
        .unwrap();
    world
        .engine
        .care()
        .save_saved_reply("Shipping times", "Orders ship within 2 days.", None)
        .await
        .unwrap();
    let b = world.session("grace").await;
    Desk {
        world,
        ada,
        grace,
        b,
    }
}

/// Every active case, read one by one.
async fn active(world: &World) -> Vec<CaseRecord> {
    let care = world.engine.care();
    let page = care
        .inbox(&InboxQuery {
            view: InboxView::AllOpen,
            sort: InboxSort::Newest,
            limit: 500,
            start: PageStart::First,
        })
        .await
        .unwrap();
    let mut out = Vec::new();
    for item in page.items {
        out.push(care.case(item.id).await.unwrap().unwrap());
    }
    out
}

fn rank(p: Priority) -> u8 {
    match p {
        Priority::Urgent => 3,
        Priority::High => 2,
        Priority::Normal => 1,
        Priority::Low => 0,
    }
}

/// `me`'s queue as the feature promises it: active cases assigned to `me` or to nobody, most
/// urgent first, then the one opened first (to the second), then the higher id.
async fn queue(world: &World, me: UserId) -> Vec<CaseId> {
    let mut cases: Vec<CaseRecord> = active(world)
        .await
        .into_iter()
        .filter(|r| r.case.assignee.is_none() || r.case.assignee == Some(me))
        .collect();
    cases.sort_by_key(|r| {
        std::cmp::Reverse((
            rank(r.case.priority),
            -r.case.opened_at.timestamp(),
            r.case.id.0,
        ))
    });
    cases.into_iter().map(|r| r.case.id).collect()
}

/// The case after `id` in an order taken before `id` changed.
fn after(order: &[CaseId], id: CaseId) -> Option<CaseId> {
    let at = order.iter().position(|c| *c == id).expect("in the queue");
    order.get(at + 1).copied()
}

async fn form(world: &World, b: &Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
    let mut pairs = vec![("csrf", b.csrf.as_str())];
    pairs.extend_from_slice(fields);
    world
        .send(Call::post(path).by(b).form(&pairs).build())
        .await
}

async fn record(world: &World, id: CaseId) -> CaseRecord {
    world.engine.care().case(id).await.unwrap().unwrap()
}

async fn replies(world: &World, id: CaseId) -> Vec<(String, ReplyStatus)> {
    world
        .engine
        .care()
        .case_page(id)
        .await
        .unwrap()
        .replies
        .into_iter()
        .map(|r| (r.entry.body, r.entry.status))
        .collect()
}

/// The `undo` token of a redirect, if it carries one.
fn undo_token(a: &Answer) -> Option<String> {
    let l = a.location()?;
    let t = l.split("undo=").nth(1)?.split('&').next()?;
    Some(t.to_string())
}

#[tokio::test]
async fn send_and_next_then_send_and_resolve_walk_the_queue_in_inbox_order() {
    let d = desk().await;
    let w = &d.world;
    let order = queue(w, d.grace.id).await;
    assert!(order.len() >= 4, "the sample opens cases: {order:?}");
    let (a, b) = (order[0], order[1]);
    let c = after(&order, b).unwrap();

    // The page offers the three ways to send, as plain submit buttons.
    let page = w
        .send(Call::get(format!("/cases/{a}")).by(&d.b).build())
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(r#"<button type="submit" id="reply-send">Send reply</button>"#)
    );
    assert!(page.body.contains(
        r#"<button type="submit" id="reply-send-resolve" name="then" value="resolve">Send and resolve</button>"#
    ));
    assert!(page.body.contains(
        r#"<button type="submit" id="reply-send-next" name="then" value="next">Send and next case</button>"#
    ));
    let key = attribute_after(&page.body, r#"name="key" value=""#).unwrap();

    // Send and next: the reply is queued on A, A stays active, and B opens.
    let text = "Thanks for telling us, we are looking into it now.";
    let status_before = record(w, a).await.case.status;
    let sent = form(
        w,
        &d.b,
        &format!("/cases/{a}/replies"),
        &[("text", text), ("key", &key), ("then", "next")],
    )
    .await;
    assert_eq!(
        sent.location(),
        Some(format!("/cases/{b}?done=reply-next&from={a}").as_str()),
        "{sent:?}"
    );
    assert_eq!(
        replies(w, a).await,
        vec![(text.to_string(), ReplyStatus::Queued)]
    );
    let a_now = record(w, a).await.case.status;
    assert!(a_now.is_active());
    if status_before == CaseStatus::New {
        assert_eq!(a_now, CaseStatus::Open, "answering a new case takes it up");
    }
    let landed = w
        .send(Call::get(sent.location().unwrap()).by(&d.b).build())
        .await;
    assert!(
        landed
            .body
            .contains("Reply queued. This is the next case in your queue.")
    );
    assert!(landed.body.contains(&format!(
        r#"<a href="/cases/{a}" id="came-from">Back to case {a}</a>"#
    )));

    // Send and resolve on B, at the version B's page showed: queued, resolved, C opens with
    // the undo toast of B's resolve.
    let b_before = record(w, b).await;
    let version = b_before.version.to_string();
    // What the reply leaves B at, and so what an undo of the resolve brings back.
    let replied = match b_before.case.status {
        CaseStatus::New => CaseStatus::Open,
        other => other,
    };
    let text_b = "All sorted on our side, thanks for your patience!";
    let done = form(
        w,
        &d.b,
        &format!("/cases/{b}/replies"),
        &[
            ("text", text_b),
            ("key", "key-for-b"),
            ("version", &version),
            ("then", "resolve"),
        ],
    )
    .await;
    let token = undo_token(&done).expect("an undo token");
    assert_eq!(
        done.location(),
        Some(format!("/cases/{c}?done=resolved-next&from={b}&undo={token}").as_str()),
        "{done:?}"
    );
    assert_eq!(record(w, b).await.case.status, CaseStatus::Resolved);
    assert_eq!(
        replies(w, b).await,
        vec![(text_b.to_string(), ReplyStatus::Queued)]
    );
    let next_page = w
        .send(Call::get(done.location().unwrap()).by(&d.b).build())
        .await;
    assert!(
        next_page
            .body
            .contains("Case resolved. This is the next case in your queue.")
    );
    assert!(
        next_page
            .body
            .contains(&format!(">Case {b} resolved.</span>"))
    );
    assert!(next_page.body.contains(&format!(
        r#"<input type="hidden" name="back" value="/cases/{b}">"#
    )));
    // The toast's undo puts B back as the reply left it, and goes back to B.
    let undone = form(
        w,
        &d.b,
        "/undo",
        &[("token", &token), ("back", &format!("/cases/{b}"))],
    )
    .await;
    assert_eq!(
        undone.location(),
        Some(format!("/cases/{b}?done=undone").as_str())
    );
    let b_now = record(w, b).await;
    assert_eq!(b_now.case.status, replied);
    assert_eq!(
        replies(w, b).await.len(),
        1,
        "the reply itself stays queued"
    );
}

#[tokio::test]
async fn resolving_from_the_status_buttons_opens_the_next_case_and_the_last_goes_to_the_inbox() {
    let d = desk().await;
    let w = &d.world;
    let order = queue(w, d.grace.id).await;
    let first = order[0];
    let second = order[1];
    let a = form(
        w,
        &d.b,
        &format!("/cases/{first}/status"),
        &[("action", "resolve")],
    )
    .await;
    let token = undo_token(&a).expect("an undo token");
    assert_eq!(
        a.location(),
        Some(format!("/cases/{second}?done=resolved-next&from={first}&undo={token}").as_str())
    );
    assert_eq!(record(w, first).await.case.status, CaseStatus::Resolved);
    // Other status changes stay on the case.
    let other = match record(w, second).await.case.status {
        CaseStatus::Pending => "open",
        _ => "await_customer",
    };
    let a = form(
        w,
        &d.b,
        &format!("/cases/{second}/status"),
        &[("action", other)],
    )
    .await;
    assert!(
        a.location()
            .is_some_and(|l| l.starts_with(&format!("/cases/{second}?done=status&undo="))),
        "{a:?}"
    );

    // The last case of the queue: nothing follows it, the inbox says so.
    let order = queue(w, d.grace.id).await;
    let last = *order.last().unwrap();
    let a = form(
        w,
        &d.b,
        &format!("/cases/{last}/status"),
        &[("action", "resolve")],
    )
    .await;
    let token = undo_token(&a).expect("an undo token");
    assert_eq!(a.location(), Some(format!("/inbox?undo={token}").as_str()));
    let flash = a
        .cookie("rapport_inbox_flash")
        .expect("a flash for the inbox");
    let said = String::from_utf8(hex_decode(&flash)).unwrap();
    assert!(
        said.starts_with(&format!("Case {last} resolved. Nothing else is waiting")),
        "{said}"
    );

    // A case assigned to someone else is not in Grace's queue.
    let ada = &d.ada;
    let order = queue(w, d.grace.id).await;
    let (x, y) = (order[0], order[1]);
    w.engine
        .care()
        .assign(y, Some(ada.id), ada.id, chrono::Utc::now())
        .await
        .unwrap();
    let expected = queue(w, d.grace.id).await.get(1).copied();
    assert_ne!(expected, Some(y));
    let a = form(
        w,
        &d.b,
        &format!("/cases/{x}/status"),
        &[("action", "resolve")],
    )
    .await;
    match expected {
        Some(z) => assert!(
            a.location()
                .is_some_and(|l| l.starts_with(&format!("/cases/{z}?done=resolved-next"))),
            "{a:?}"
        ),
        None => assert!(a.location().is_some_and(|l| l.starts_with("/inbox"))),
    }
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[tokio::test]
async fn send_and_resolve_is_refused_whole_on_a_stale_version_or_a_closed_case() {
    let d = desk().await;
    let w = &d.world;
    let order = queue(w, d.grace.id).await;
    let (a, b) = (order[0], order[1]);
    let stale = record(w, a).await.version.to_string();
    // Another agent changes A after Grace's page was made.
    let ada = &d.ada;
    w.engine
        .care()
        .set_priority(a, Priority::High, ada.id, chrono::Utc::now())
        .await
        .unwrap();
    let text = "We have refunded the charge.";
    let refused = form(
        w,
        &d.b,
        &format!("/cases/{a}/replies"),
        &[("text", text), ("version", &stale), ("then", "resolve")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("Another agent changed this case"));
    // What was typed is kept, and nothing went out.
    assert!(refused.body.contains(&format!(">{text}</textarea>")));
    assert!(replies(w, a).await.is_empty());
    assert!(record(w, a).await.case.status.is_active());

    // A closed case cannot be resolved: the reply is not queued either.
    let care = w.engine.care();
    care.apply(b, CaseAction::Resolve, ada.id, chrono::Utc::now())
        .await
        .unwrap();
    care.apply(b, CaseAction::Close, ada.id, chrono::Utc::now())
        .await
        .unwrap();
    let refused = form(
        w,
        &d.b,
        &format!("/cases/{b}/replies"),
        &[("text", text), ("then", "resolve")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(replies(w, b).await.is_empty());
}

#[tokio::test]
async fn the_composer_lists_saved_replies_by_shortcut_and_renders_them_for_the_case() {
    let d = desk().await;
    let w = &d.world;
    let id = queue(w, d.grace.id).await[0];
    let page = w
        .send(Call::get(format!("/cases/{id}")).by(&d.b).build())
        .await;
    // An accessible list: the reply box controls it, each saved reply an option with its key.
    assert!(
        page.body.contains(
            r#"aria-autocomplete="list" aria-controls="slash-menu" aria-expanded="false""#
        )
    );
    assert!(page.body.contains(r#"<ul id="slash-menu" class="slash-menu" role="listbox" aria-label="Saved replies" hidden>"#));
    assert!(page.body.contains(
        r#"data-name="Sorry, DM us" data-key="sorry"><span class="slash-key">/sorry</span>"#
    ));
    // Without a shortcut, the name in lowercase with dashes.
    assert!(
        page.body
            .contains(r#"data-name="Shipping times" data-key="shipping-times">"#)
    );
    // What the list inserts: the saved reply rendered for this case's contact and this agent.
    let contact = w
        .engine
        .care()
        .case_page(id)
        .await
        .unwrap()
        .contact
        .unwrap()
        .name;
    let rendered = w
        .send(
            Call::get(format!("/cases/{id}/saved-reply?name=Sorry%2C+DM+us"))
                .by(&d.b)
                .build(),
        )
        .await;
    assert_eq!(rendered.status, StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&rendered.body).unwrap();
    assert_eq!(
        body["text"],
        format!("Hi {contact}, sorry about this! Please DM us the details. – Grace")
    );
}

#[tokio::test]
async fn the_sidebar_saves_assignee_team_priority_and_tags_in_one_checked_save() {
    let d = desk().await;
    let w = &d.world;
    let id = queue(w, d.grace.id).await[0];
    let page = w
        .send(Call::get(format!("/cases/{id}")).by(&d.b).build())
        .await;
    // One form for the fields; none of the separate ones.
    assert!(page.body.contains(&format!(
        r#"<form id="fields-form" method="post" action="/cases/{id}/fields""#
    )));
    for gone in ["assign-form", "team-form", "priority-form", "tag-form"] {
        assert!(!page.body.contains(&format!("id=\"{gone}\"")), "{gone}");
    }
    let before = record(w, id).await;
    let version = before.version.to_string();
    let grace = d.grace.id.0.to_string();
    let saved = form(
        w,
        &d.b,
        &format!("/cases/{id}/fields"),
        &[
            ("assignee", &grace),
            ("team", ""),
            ("priority", "high"),
            ("tags", "Refund, vip billing"),
            ("version", &version),
        ],
    )
    .await;
    assert!(
        saved.is_redirect_to(&format!("/cases/{id}?done=fields")),
        "{saved:?}"
    );
    let after = record(w, id).await;
    assert_eq!(after.case.assignee, Some(d.grace.id));
    assert_eq!(after.case.priority, Priority::High);
    assert_eq!(
        after.case.tags.iter().cloned().collect::<Vec<_>>(),
        ["billing", "refund", "vip"]
    );
    assert_eq!(after.version, before.version + 1, "one save for all of it");
    let events: Vec<CaseChange> = w
        .engine
        .care()
        .case_page(id)
        .await
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.change)
        .collect();
    assert!(
        events
            .iter()
            .any(|c| matches!(c, CaseChange::Assignee { to, .. } if *to == Some(d.grace.id)))
    );
    assert!(events.iter().any(|c| matches!(
        c,
        CaseChange::Priority {
            to: Priority::High,
            ..
        }
    )));
    for tag in ["billing", "refund", "vip"] {
        assert!(
            events
                .iter()
                .any(|c| matches!(c, CaseChange::TagAdded { tag: t } if t == tag))
        );
    }
    let shown = w
        .send(
            Call::get(format!("/cases/{id}?done=fields"))
                .by(&d.b)
                .build(),
        )
        .await;
    assert!(shown.body.contains("Case details saved."));
    assert!(
        shown
            .body
            .contains(r#"name="tags" value="billing, refund, vip""#)
    );

    // The form made before that save is refused whole.
    let stale = form(
        w,
        &d.b,
        &format!("/cases/{id}/fields"),
        &[
            ("assignee", ""),
            ("priority", "low"),
            ("tags", ""),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Another agent changed this case"));
    assert_eq!(record(w, id).await.version, after.version);

    // Leaving a tag out removes it; a bad value changes nothing.
    let version = after.version.to_string();
    let a = form(
        w,
        &d.b,
        &format!("/cases/{id}/fields"),
        &[
            ("assignee", &grace),
            ("priority", "high"),
            ("tags", "vip"),
            ("version", &version),
        ],
    )
    .await;
    assert!(a.status.is_redirection());
    assert_eq!(
        record(w, id)
            .await
            .case
            .tags
            .into_iter()
            .collect::<Vec<_>>(),
        ["vip"]
    );
    let version = record(w, id).await.version.to_string();
    let bad = form(
        w,
        &d.b,
        &format!("/cases/{id}/fields"),
        &[
            ("priority", "whenever"),
            ("tags", "x"),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Choose a priority from the list."));
    assert_eq!(record(w, id).await.version.to_string(), version);
    // "Assign to me" is a button of the same form.
    let a = form(
        w,
        &d.b,
        &format!("/cases/{id}/fields"),
        &[
            ("assignee", ""),
            ("to_me", "1"),
            ("priority", "high"),
            ("tags", "vip"),
            ("version", &version),
        ],
    )
    .await;
    assert!(a.status.is_redirection());
    assert_eq!(record(w, id).await.case.assignee, Some(d.grace.id));
}
