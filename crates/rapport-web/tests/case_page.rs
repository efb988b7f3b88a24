//! The case page: the thread with label badges and their reasons, notes, SLA clocks and the
//! contact; every form through HTTP with its audit event; refusals shown as messages; the
//! composer's helpers; presence over the event stream; hostile post text escaped.

mod common;
#[path = "common/html.rs"]
mod html;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::{Answer, Browser, Call, World};
use futures::StreamExt;
use html::{tags, text};
use rapport_domain::care::TeamSpec;
use rapport_domain::{
    Author, BusinessCalendar, CaseChange, CaseId, CaseStatus, Engagement, Network, Post, PostKey,
    Priority, Role, SlaPolicy, Targets,
};
use rapport_engine::care::RoutingRules;
use rapport_web::{WebConfig, app};
use std::time::Duration;
use tower::ServiceExt;

/// 2024-03-01 09:00 UTC plus `minutes`.
fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap() + TimeDelta::minutes(minutes)
}

fn post(id: &str, author: &str, reply_to: Option<&str>, text: &str, minutes: i64) -> Post {
    Post {
        network: Network::X,
        native_id: id.to_string(),
        author: Author {
            handle: author.to_string(),
            display_name: Some(format!("{author} display")),
            own_account: author == "brand",
            ..Author::default()
        },
        text: text.to_string(),
        created_at: at(minutes),
        lang: Some("en".into()),
        reply_to: reply_to.map(str::to_string),
        reply_to_handle: None,
        root_id: None,
        mentions: text
            .split_whitespace()
            .filter_map(|w| w.strip_prefix('@'))
            .map(|h| {
                h.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')
                    .to_lowercase()
            })
            .collect(),
        hashtags: Vec::new(),
        cashtags: Vec::new(),
        links: Vec::new(),
        engagement: Engagement::default(),
        raw: format!("{{\"id\":\"{id}\"}}"),
    }
}

const COMPLAINT: &str = "@brand my card was charged twice and nobody answers, this is terrible. \
                         How do I get a refund?";

/// A world with an own account, an SLA policy for every case, users of each role, and one
/// case opened by `text`.
struct Setup {
    world: World,
    case: CaseId,
    agent: Browser,
    grace: Browser,
    analyst: Browser,
}

async fn setup(text: &str) -> Setup {
    let world = World::new(WebConfig::default()).await;
    let store = world.engine.store();
    store
        .contacts()
        .set_own_account(Network::X, "brand", true)
        .await
        .unwrap();
    let targets = Targets {
        first_response: Some(TimeDelta::hours(1)),
        next_response: Some(TimeDelta::hours(1)),
        resolution: Some(TimeDelta::hours(24)),
    };
    let mut policy = SlaPolicy::new("standard");
    for p in Priority::ALL {
        policy = policy.with_targets(p, targets).unwrap();
    }
    store.settings().put_sla_policy(&policy).await.unwrap();
    let care = world.engine.care();
    care.set_rules(&RoutingRules {
        default_sla_policy: Some("standard".into()),
        round_robin: false,
        ..RoutingRules::default()
    })
    .await
    .unwrap();
    world
        .engine
        .ingest_posts(vec![post("1", "alice", None, text, 0)])
        .await
        .unwrap();
    let key = PostKey {
        network: Network::X,
        native_id: "1".into(),
    };
    let stored = store.posts().post_by_key(&key).await.unwrap().unwrap();
    let case = store
        .cases()
        .case_of_post(stored.id)
        .await
        .unwrap()
        .expect("a mention of the brand opens a case");
    world.user("admin", Role::Admin).await;
    world.user("agent", Role::Agent).await;
    world.user("grace", Role::Agent).await;
    world.user("analyst", Role::Analyst).await;
    Setup {
        case,
        agent: world.session("agent").await,
        grace: world.session("grace").await,
        analyst: world.session("analyst").await,
        world,
    }
}

impl Setup {
    fn url(&self, rest: &str) -> String {
        format!("/cases/{}{rest}", self.case)
    }

    async fn page(&self, b: &Browser) -> Answer {
        self.world.send(Call::get(self.url("")).by(b).build()).await
    }

    /// Posts a form of the case page as `b`, with `b`'s CSRF token.
    async fn form(&self, b: &Browser, rest: &str, fields: &[(&str, &str)]) -> Answer {
        let mut pairs = vec![("csrf", b.csrf.as_str())];
        pairs.extend_from_slice(fields);
        self.world
            .send(Call::post(self.url(rest)).by(b).form(&pairs).build())
            .await
    }

    async fn record(&self) -> rapport_domain::care::CaseRecord {
        self.world
            .engine
            .care()
            .case(self.case)
            .await
            .unwrap()
            .unwrap()
    }

    async fn events(&self) -> Vec<CaseChange> {
        self.world
            .engine
            .care()
            .case_page(self.case)
            .await
            .unwrap()
            .events
            .into_iter()
            .map(|e| e.change)
            .collect()
    }

    fn back(&self, done: &str) -> String {
        format!("/cases/{}?done={done}", self.case)
    }

    /// Whether `a` is the way back after a status change: the page with its undo token.
    fn changed_status(&self, a: &Answer) -> bool {
        a.status == StatusCode::SEE_OTHER
            && a.location()
                .and_then(|l| l.strip_prefix(&format!("{}&undo=", self.back("status"))))
                .is_some_and(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
    }
}

/// The text of the element with `id` (up to its first closing tag), tags left in.
fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no #{id}"));
    &html[start..]
}

#[tokio::test]
async fn the_page_shows_the_thread_badges_with_reasons_sla_and_contact() {
    let s = setup(COMPLAINT).await;
    s.world
        .engine
        .ingest_posts(vec![post(
            "2",
            "brand",
            Some("1"),
            "@alice sorry to hear that, please DM us the order number",
            30,
        )])
        .await
        .unwrap();
    let page = s.page(&s.agent).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    // The thread, oldest first, with authors.
    let first = body
        .find("my card was charged twice")
        .expect("customer post");
    let second = body
        .find("please DM us the order number")
        .expect("brand reply");
    assert!(first < second, "oldest first");
    assert!(body.contains("alice display") && body.contains("@alice"));
    assert!(body.contains("brand account"));
    // Badges: sentiment and intents, each with its reasons behind a summary.
    let labels = s.world.engine.care().case_page(s.case).await.unwrap().posts[0]
        .labels
        .clone()
        .unwrap();
    let sentiment = labels.sentiment.label.as_str();
    assert!(
        body.contains(&format!(
            "<summary class=\"label label-{sentiment}\">{sentiment} "
        )),
        "sentiment badge"
    );
    for intent in labels.intents.iter_intents() {
        assert!(
            body.contains(&format!(
                "<summary class=\"label label-intent\">{}</summary>",
                intent.as_str()
            )),
            "{intent:?} badge"
        );
    }
    assert!(labels.intents.iter_intents().count() > 0, "{labels:?}");
    let reasons = body.matches("<ul class=\"reasons\">").count();
    assert!(
        reasons >= 2,
        "reasons behind sentiment and intents: {reasons}"
    );
    // SLA clocks: first response answered in 30 minutes (met); the brand's reply left the case
    // waiting on the customer, so the resolution clock is paused after those 30 minutes.
    let sla = element(body, "sla");
    assert!(sla.contains("First response"), "{sla}");
    assert!(sla.contains("Resolution"));
    assert!(
        sla.contains("clock-completed"),
        "the first reply completed a clock"
    );
    assert_eq!(
        s.record().await.case.status,
        rapport_domain::CaseStatus::Pending
    );
    assert!(sla.contains("clock-paused"), "{sla}");
    assert!(!sla.contains("clock-breached"), "{sla}");
    // Contact sidebar, linked to the contact page, with the timeline.
    let contact = s.record().await.case.contact_id;
    assert!(body.contains(&format!("href=\"/contacts/{contact}\"")));
    let timeline = element(body, "timeline");
    assert!(timeline.contains(&format!("Case {} opened", s.case)));
    // The audit log says who opened it and who wrote, in people's words, not the store's.
    let audit = element(body, "audit");
    let audit = &audit[..audit.find("</table>").unwrap()];
    assert!(audit.contains("case opened, priority"), "{audit}");
    assert!(
        audit.contains("brand display replied on the network"),
        "{audit}"
    );
    assert!(
        !audit.contains("joined") && !audit.contains("conversation"),
        "{audit}"
    );
    // The reasons behind the badges are short reasons, not the model's feature names.
    let reasons = &body[body.find("<ul class=\"reasons\">").unwrap()..];
    let reasons = &reasons[..reasons.find("</ul>").unwrap()];
    assert!(reasons.contains("<li>"), "{reasons}");
    for jargon in ["[lexicon", "[word vector", "NOT_", "<start>", "[trigram"] {
        assert!(!body.contains(jargon), "{jargon} in {reasons}");
    }
    // The page's own script, and the composer the inbox's `r` shortcut lands on.
    assert!(body.contains("<script src=\"/assets/case.js\" defer></script>"));
    assert!(body.contains("id=\"reply\""));
    assert!(body.contains("<textarea id=\"reply-text\" name=\"text\""));
    assert!(body.contains("id=\"presence\""));

    // The customer writes again: the history says so by name.
    s.world
        .engine
        .ingest_posts(vec![post(
            "3",
            "alice",
            Some("2"),
            "@brand I sent it an hour ago, still nothing",
            90,
        )])
        .await
        .unwrap();
    let page = s.page(&s.agent).await;
    let audit = element(&page.body, "audit");
    assert!(audit.contains("alice display wrote again"), "{audit}");
}

#[tokio::test]
async fn pending_cases_show_paused_clocks() {
    let s = setup(COMPLAINT).await;
    let a = s
        .form(&s.agent, "/status", &[("action", "await_customer")])
        .await;
    assert!(s.changed_status(&a), "{a:?}");
    let page = s.page(&s.agent).await;
    assert!(
        page.body
            .contains("Clocks are paused while the case waits on the customer.")
    );
    assert!(page.body.contains("clock-paused"));
    assert!(
        page.body
            .contains("<span class=\"case-status status-pending\">pending</span>")
    );
}

#[tokio::test]
async fn each_form_changes_the_case_and_writes_its_audit_event() {
    let s = setup(COMPLAINT).await;
    let team = s
        .world
        .engine
        .store()
        .settings()
        .put_team(&TeamSpec {
            name: "billing".into(),
            members: vec![],
            calendar: BusinessCalendar::always_open(BusinessCalendar::parse_tz("UTC").unwrap()),
            sla_policy: Some("standard".into()),
        })
        .await
        .unwrap();
    let grace = s
        .world
        .accounts
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "grace")
        .unwrap();
    let agent_id = s
        .world
        .accounts
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "agent")
        .unwrap()
        .id;

    let a = s.form(&s.agent, "/assign", &[("to_me", "1")]).await;
    assert!(a.is_redirect_to(&s.back("assigned")), "{a:?}");
    assert_eq!(s.record().await.case.assignee, Some(agent_id));
    let grace_id = grace.id.0.to_string();
    let a = s
        .form(&s.agent, "/assign", &[("assignee", &grace_id)])
        .await;
    assert!(a.is_redirect_to(&s.back("assigned")), "{a:?}");
    assert_eq!(s.record().await.case.assignee, Some(grace.id));

    let team_id = team.id.0.to_string();
    let a = s.form(&s.agent, "/team", &[("team", &team_id)]).await;
    assert!(a.is_redirect_to(&s.back("team")), "{a:?}");
    assert_eq!(s.record().await.case.team, Some(team.id));

    // A status change comes back with an undo toast; its token puts the status back once.
    let before = s.record().await.case.status;
    assert_eq!(before, CaseStatus::New);
    let a = s.form(&s.agent, "/status", &[("action", "open")]).await;
    let to = a.location().unwrap_or_default().to_string();
    let token = to
        .strip_prefix(&format!("{}&undo=", s.back("status")))
        .unwrap_or_else(|| panic!("{a:?}"))
        .to_string();
    assert_eq!(s.record().await.case.status, CaseStatus::Open);
    let page = s.world.send(Call::get(&to).by(&s.agent).build()).await;
    let toast = element(&page.body, "undo-toast");
    assert!(!toast.contains(" hidden"), "{toast}");
    assert!(
        page.body
            .contains(&format!(r#"name="token" id="undo-token" value="{token}""#)),
        "{}",
        page.body
    );
    let undo = |token: String| {
        let csrf = s.agent.csrf.clone();
        let back = format!("/cases/{}", s.case);
        let world = &s.world;
        let agent = &s.agent;
        async move {
            world
                .send(
                    Call::post("/undo")
                        .by(agent)
                        .form(&[("csrf", &csrf), ("token", &token), ("back", &back)])
                        .build(),
                )
                .await
        }
    };
    let a = undo(token.clone()).await;
    assert!(a.is_redirect_to(&s.back("undone")), "{a:?}");
    assert_eq!(s.record().await.case.status, before);
    let a = undo(token).await;
    assert!(
        a.is_redirect_to(&s.back("not-undone")),
        "each token undoes once: {a:?}"
    );
    // Open again for the rest of the forms.
    let a = s.form(&s.agent, "/status", &[("action", "open")]).await;
    assert!(
        a.location()
            .unwrap_or_default()
            .starts_with(&s.back("status")),
        "{a:?}"
    );
    assert_eq!(s.record().await.case.status, CaseStatus::Open);

    let a = s.form(&s.agent, "/priority", &[("priority", "low")]).await;
    assert!(a.is_redirect_to(&s.back("priority")), "{a:?}");
    assert_eq!(s.record().await.case.priority, Priority::Low);

    let a = s.form(&s.agent, "/tags", &[("tag", "Refund")]).await;
    assert!(a.is_redirect_to(&s.back("tag-added")), "{a:?}");
    let a = s.form(&s.agent, "/tags", &[("tag", "vip")]).await;
    assert!(a.is_redirect_to(&s.back("tag-added")), "{a:?}");
    let a = s.form(&s.agent, "/tags/remove", &[("tag", "vip")]).await;
    assert!(a.is_redirect_to(&s.back("tag-removed")), "{a:?}");
    assert_eq!(
        s.record().await.case.tags.into_iter().collect::<Vec<_>>(),
        vec!["refund".to_string()]
    );

    let a = s
        .form(&s.agent, "/notes", &[("text", "Called the bank")])
        .await;
    assert!(a.is_redirect_to(&s.back("note")), "{a:?}");

    // A resolve opens the next case of the agent's queue; this world has no other, so the
    // inbox, with the resolve's undo toast.
    let a = s.form(&s.agent, "/status", &[("action", "resolve")]).await;
    assert!(
        a.status == StatusCode::SEE_OTHER
            && a.location().is_some_and(
                |l| l.starts_with("/inbox?undo=") && l.len() == "/inbox?undo=".len() + 32
            ),
        "{a:?}"
    );
    let a = s.form(&s.agent, "/status", &[("action", "reopen")]).await;
    assert!(s.changed_status(&a), "{a:?}");
    assert_eq!(s.record().await.case.status, CaseStatus::Open);

    let events = s.events().await;
    let has = |f: &dyn Fn(&CaseChange) -> bool| events.iter().any(f);
    assert!(has(
        &|c| matches!(c, CaseChange::Assignee { to, .. } if *to == Some(agent_id))
    ));
    assert!(has(
        &|c| matches!(c, CaseChange::Assignee { to, .. } if *to == Some(grace.id))
    ));
    assert!(has(
        &|c| matches!(c, CaseChange::Team { to, .. } if *to == Some(team.id))
    ));
    assert!(has(&|c| matches!(
        c,
        CaseChange::Priority {
            to: Priority::Low,
            ..
        }
    )));
    assert!(has(
        &|c| matches!(c, CaseChange::TagAdded { tag } if tag == "refund")
    ));
    assert!(has(
        &|c| matches!(c, CaseChange::TagRemoved { tag } if tag == "vip")
    ));
    assert!(has(&|c| matches!(c, CaseChange::NoteAdded)));
    for to in [CaseStatus::Open, CaseStatus::Resolved] {
        assert!(has(
            &|c| matches!(c, CaseChange::Status { to: t, .. } if *t == to)
        ));
    }

    // The page shows the flash and the changes, the audit log with names.
    let page = s
        .world
        .send(Call::get(s.back("tag-removed")).by(&s.agent).build())
        .await;
    assert!(page.body.contains("Tag removed."));
    let audit = element(&page.body, "audit");
    assert!(audit.contains("assignee agent → grace"), "{audit}");
    assert!(audit.contains("team nobody → billing") || audit.contains("team no team → billing"));
    assert!(audit.contains("priority"));
    assert!(element(&page.body, "case-team").starts_with("id=\"case-team\">billing<"));
    // A flash key the page does not know shows nothing.
    let odd = s
        .world
        .send(
            Call::get(format!("/cases/{}?done=%3Cb%3Ehi", s.case))
                .by(&s.agent)
                .build(),
        )
        .await;
    assert!(!odd.body.contains("id=\"flash\""));
}

#[tokio::test]
async fn a_note_is_shown_as_internal_and_never_reaches_the_outbox() {
    let s = setup(COMPLAINT).await;
    let a = s
        .form(
            &s.agent,
            "/notes",
            &[("text", "Customer is a reseller, be careful")],
        )
        .await;
    assert!(a.is_redirect_to(&s.back("note")), "{a:?}");
    let outbox = s.world.engine.care().outbox(None, 100).await.unwrap();
    assert!(outbox.is_empty(), "{outbox:?}");
    let page = s.page(&s.agent).await;
    let note = element(&page.body, "thread");
    let at = note.find("Customer is a reseller").unwrap();
    let item = &note[..at];
    let start = item
        .rfind("<li class=\"item item-note\">")
        .expect("a note item");
    assert!(item[start..].contains("Internal note"));
    assert!(item[start..].contains("never published"));
    // An empty note is refused with a message.
    let a = s.form(&s.agent, "/notes", &[("text", "   ")]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("the note is empty"), "{}", a.body);
}

#[tokio::test]
async fn a_reply_is_queued_once_and_shown_as_queued() {
    let s = setup(COMPLAINT).await;
    let page = s.page(&s.agent).await;
    let key = common::attribute_after(&page.body, r#"name="key" value=""#).unwrap();
    for _ in 0..2 {
        let a = s
            .form(
                &s.agent,
                "/replies",
                &[
                    ("text", "So sorry! We refunded the second charge."),
                    ("key", &key),
                ],
            )
            .await;
        assert!(a.is_redirect_to(&s.back("reply")), "{a:?}");
    }
    let outbox = s.world.engine.care().outbox(None, 100).await.unwrap();
    assert_eq!(outbox.len(), 1, "a double click queues once");
    assert_eq!(outbox[0].body, "So sorry! We refunded the second charge.");
    let page = s
        .world
        .send(Call::get(s.back("reply")).by(&s.agent).build())
        .await;
    assert!(page.body.contains("Reply queued in the outbox."));
    let thread = element(&page.body, "thread");
    assert!(thread.contains("We refunded the second charge."));
    assert!(thread.contains("<span class=\"reply-status reply-queued\">queued</span>"));
}

#[tokio::test]
async fn over_long_and_empty_replies_are_refused_with_a_message() {
    let s = setup(COMPLAINT).await;
    let long = "refund ".repeat(50);
    let a = s.form(&s.agent, "/replies", &[("text", &long)]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("The reply is too long"), "{}", a.body);
    assert!(a.body.contains("over the limit of 280"));
    // What was typed is kept.
    assert!(a.body.contains(long.trim_end()));
    let a = s.form(&s.agent, "/replies", &[("text", "  ")]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("the reply is empty"), "{}", a.body);
    assert!(
        s.world
            .engine
            .care()
            .outbox(None, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn refused_changes_are_messages_not_server_errors() {
    let s = setup(COMPLAINT).await;
    // A new case cannot be closed (only a resolved one).
    let a = s.form(&s.agent, "/status", &[("action", "close")]).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert!(
        a.body
            .contains("A new case cannot be moved with &#x27;Close&#x27;")
            || a.body
                .contains("A new case cannot be moved with &#39;Close&#39;"),
        "{}",
        a.body
    );
    assert!(a.body.contains("id=\"form-error\""));
    assert_eq!(s.record().await.case.status, CaseStatus::New);
    // An unknown action and a bad priority and a bad tag.
    let a = s.form(&s.agent, "/status", &[("action", "explode")]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("Unknown status change"));
    let a = s
        .form(&s.agent, "/priority", &[("priority", "whenever")])
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("unknown priority"));
    let a = s.form(&s.agent, "/tags", &[("tag", "two words")]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("Tag not saved"));
    let a = s.form(&s.agent, "/team", &[("team", "999")]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("There is no team 999."));
    // A form made before another agent's change is refused, and the page shows the change.
    let version = s.record().await.version.to_string();
    let a = s.form(&s.grace, "/assign", &[("to_me", "1")]).await;
    assert!(a.status.is_redirection());
    let a = s
        .form(
            &s.agent,
            "/status",
            &[("action", "resolve"), ("version", &version)],
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert!(
        a.body.contains("Another agent changed this case"),
        "{}",
        a.body
    );
    assert!(element(&a.body, "case-assignee").starts_with("id=\"case-assignee\">grace<"));
    assert_eq!(s.record().await.case.status, CaseStatus::New);
    // No such case.
    let a = s
        .world
        .send(Call::get("/cases/987654").by(&s.agent).build())
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn who_may_open_and_change_the_case() {
    let s = setup(COMPLAINT).await;
    let a = s.page(&s.analyst).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = s.page(&Browser::default()).await;
    assert!(a.is_redirect_to("/login"), "{a:?}");
    let a = s.form(&s.analyst, "/notes", &[("text", "hi")]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // Without the CSRF token nothing happens.
    let a = s
        .world
        .send(
            Call::post(s.url("/notes"))
                .by(&s.agent)
                .form(&[("text", "forged")])
                .build(),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = s
        .world
        .send(
            Call::post(s.url("/status"))
                .by(&s.agent)
                .form(&[("csrf", "wrong"), ("action", "resolve")])
                .build(),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(s.record().await.case.status, CaseStatus::New);
    assert!(
        !s.events()
            .await
            .iter()
            .any(|e| matches!(e, CaseChange::NoteAdded))
    );
}

#[tokio::test]
async fn the_composer_helpers_count_and_render_saved_replies() {
    let s = setup(COMPLAINT).await;
    let a = s
        .world
        .send(
            Call::get(s.url("/compose-count?text=hello%20there"))
                .by(&s.agent)
                .build(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let c: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(c["network"], "x");
    assert_eq!(c["count"], 11);
    assert_eq!(c["limit"], 280);
    assert_eq!(c["remaining"], 269);
    assert_eq!(c["fits"], true);

    s.world
        .engine
        .care()
        .save_saved_reply(
            "sorry",
            "Hi {{contact.first_name}}, {{agent.name}} here.",
            None,
        )
        .await
        .unwrap();
    let page = s.page(&s.agent).await;
    assert!(page.body.contains("<option value=\"sorry\">sorry</option>"));
    let a = s
        .world
        .send(
            Call::get(s.url("/saved-reply?name=sorry"))
                .by(&s.agent)
                .build(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let r: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(r["text"], "Hi alice, agent here.");
    let a = s
        .world
        .send(
            Call::get(s.url("/saved-reply?name=nope"))
                .by(&s.agent)
                .build(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

/// The next server-sent event of `event` kind on a stream, within a few seconds.
async fn next_event(
    stream: &mut (impl futures::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin),
    buffer: &mut String,
    kind: &str,
) -> serde_json::Value {
    let wait = async {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let mut name = "";
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if name == kind {
                    return serde_json::from_str(&data).unwrap();
                }
            }
            let chunk = stream.next().await.expect("stream open").unwrap();
            buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("no {kind} event"))
}

#[tokio::test]
async fn another_agent_shows_up_on_the_event_stream() {
    let s = setup(COMPLAINT).await;
    let request = Request::builder()
        .uri(s.url("/events"))
        .header(
            header::COOKIE,
            format!("rapport_session={}", s.agent.session.clone().unwrap()),
        )
        .body(Body::empty())
        .unwrap();
    let response = app(s.world.state.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream = response.into_body().into_data_stream();
    let mut buffer = String::new();
    let first = next_event(&mut stream, &mut buffer, "presence").await;
    assert_eq!(first["others"], serde_json::json!([]));

    // Grace starts typing: the agent's stream says so.
    let a = s
        .form(&s.grace, "/presence", &[("activity", "typing")])
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let e = next_event(&mut stream, &mut buffer, "presence").await;
    assert_eq!(
        e["others"],
        serde_json::json!([{"name": "grace", "activity": "typing"}])
    );
    // The agent's own heartbeat answers who else is there.
    let a = s
        .form(&s.agent, "/presence", &[("activity", "viewing")])
        .await;
    let others: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(others["others"][0]["name"], "grace");
    // A change by Grace reaches the stream as a case event with the new version.
    s.form(&s.grace, "/priority", &[("priority", "high")]).await;
    let e = next_event(&mut stream, &mut buffer, "case").await;
    assert_eq!(e["kind"], "updated");
    assert_eq!(e["version"], s.record().await.version);
    // Grace leaves.
    s.form(&s.grace, "/presence", &[("activity", "left")]).await;
    let e = next_event(&mut stream, &mut buffer, "presence").await;
    assert_eq!(e["others"], serde_json::json!([]));
    // The page's last word on leaving goes by `navigator.sendBeacon`, whose form body names
    // its charset; the token in it is read all the same.
    let beacon = Request::builder()
        .method("POST")
        .uri(s.url("/presence"))
        .header(
            header::COOKIE,
            format!("rapport_session={}", s.grace.session.clone().unwrap()),
        )
        .header(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded;charset=UTF-8",
        )
        .body(Body::from(format!("csrf={}&activity=typing", s.grace.csrf)))
        .unwrap();
    assert_eq!(s.world.send(beacon).await.status, StatusCode::OK);
    let e = next_event(&mut stream, &mut buffer, "presence").await;
    assert_eq!(e["others"][0]["activity"], "typing");
    // A heartbeat without its token is refused, an unknown activity too.
    let a = s
        .world
        .send(
            Call::post(s.url("/presence"))
                .by(&s.grace)
                .form(&[("activity", "typing")])
                .build(),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = s
        .form(&s.grace, "/presence", &[("activity", "dancing")])
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn script_in_post_text_is_escaped_on_the_case_page() {
    let hostile = "@brand <script>alert(1)</script> &lt;script&gt;alert(2)&lt;/script&gt; \
                   <img src=x onerror=alert(3)> why was I charged twice?";
    let s = setup(hostile).await;
    let a = s
        .form(&s.agent, "/notes", &[("text", "<script>alert(4)</script>")])
        .await;
    assert!(a.status.is_redirection());
    let page = s.page(&s.agent).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    // The reader sees the text as it was written, entities included; no markup of it runs.
    let seen = text(body);
    assert!(seen.contains("<script>alert(1)</script> &lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(seen.contains("<img src=x onerror=alert(3)>"));
    assert!(seen.contains("<script>alert(4)</script>"));
    assert!(!body.contains("<script>alert"));
    let scripts: Vec<_> = tags(body)
        .into_iter()
        .filter(|t| t.name == "script" && !t.closing)
        .collect();
    assert!(
        scripts
            .iter()
            .all(|t| t.attr("src").is_some_and(|s| s.starts_with("/assets/"))),
        "{scripts:?}"
    );
    assert!(!tags(body).iter().any(|t| t.name == "img"));
    assert!(!tags(body).iter().any(|t| t.attr("onerror").is_some()));
}

#[tokio::test]
async fn suggested_answers_come_from_similar_resolved_cases() {
    let s = setup(COMPLAINT).await;
    // An earlier, similar case was answered and resolved.
    s.world
        .engine
        .ingest_posts(vec![
            post(
                "10",
                "bob",
                None,
                "@brand charged twice on my card, I want a refund",
                -600,
            ),
            post(
                "11",
                "brand",
                Some("10"),
                "@bob we reversed the second charge, it shows within 3 days",
                -590,
            ),
        ])
        .await
        .unwrap();
    let store = s.world.engine.store();
    let key = PostKey {
        network: Network::X,
        native_id: "10".into(),
    };
    let earlier = store.posts().post_by_key(&key).await.unwrap().unwrap();
    let earlier = store
        .cases()
        .case_of_post(earlier.id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(earlier, s.case);
    let done = s
        .world
        .send(
            Call::post(format!("/cases/{earlier}/status"))
                .by(&s.agent)
                .form(&[("csrf", s.agent.csrf.as_str()), ("action", "resolve")])
                .build(),
        )
        .await;
    assert!(done.status.is_redirection(), "{done:?}");
    let page = s.page(&s.agent).await;
    // Bob's handle stays with Bob: the suggestion is addressed to no one until it is sent.
    let text = "we reversed the second charge, it shows within 3 days";
    assert!(!page.body.contains("@bob we reversed"));
    let at = page
        .body
        .find(&format!(
            "<p class=\"suggestion-text\" id=\"suggestion-1\">{text}</p>"
        ))
        .expect("the earlier answer is suggested");
    assert!(page.body[at..].contains(">Use this</button>"));
}

#[tokio::test]
async fn a_fresh_case_shows_running_clocks_and_when_they_turn_at_risk() {
    let s = setup(COMPLAINT).await;
    let mut fresh = post(
        "20",
        "carol",
        None,
        "@brand my parcel never arrived, where is it?",
        0,
    );
    fresh.created_at = Utc::now() - TimeDelta::minutes(5);
    s.world.engine.ingest_posts(vec![fresh]).await.unwrap();
    let store = s.world.engine.store();
    let key = PostKey {
        network: Network::X,
        native_id: "20".into(),
    };
    let stored = store.posts().post_by_key(&key).await.unwrap().unwrap();
    let case = store
        .cases()
        .case_of_post(stored.id)
        .await
        .unwrap()
        .unwrap();
    let page = s
        .world
        .send(Call::get(format!("/cases/{case}")).by(&s.agent).build())
        .await;
    let sla = element(&page.body, "sla");
    assert!(sla.contains("clock-ok clock-running"), "{sla}");
    assert!(sla.contains(" left</span>"), "{sla}");
    assert!(
        sla.contains("id=\"sla-at-risk\">At risk from <time"),
        "{sla}"
    );
}
