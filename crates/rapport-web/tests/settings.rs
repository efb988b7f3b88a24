//! The care settings pages: teams, SLA policies, routing, own accounts and saved replies. Each
//! page renders with the settings navigation, each form saves and what it saved shows again
//! and is used by care (a team's policy measures its cases, routing rules decide what becomes
//! a case), bad input is refused with the field named, only admins get in, every form needs
//! its CSRF token, and names and bodies are escaped.

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::{Answer, Browser, Call, World};
use rapport_domain::{Author, CaseId, Engagement, Network, Post, PostKey, Role, TeamId};
use rapport_web::WebConfig;

const PAGES: [&str; 7] = [
    "/settings/users",
    "/settings/teams",
    "/settings/sla",
    "/settings/routing",
    "/settings/accounts",
    "/settings/publishing",
    "/settings/replies",
];

async fn world_with_admin() -> (World, Browser) {
    let world = World::new(WebConfig::default()).await;
    world.user("admin", Role::Admin).await;
    let admin = world.session("admin").await;
    (world, admin)
}

/// The page's text with HTML entities decoded, for reading messages.
fn text(answer: &Answer) -> String {
    html_escape::decode_html_entities(&answer.body).into_owned()
}

async fn get(world: &World, who: &Browser, path: &str) -> Answer {
    world.send(Call::get(path).by(who).build()).await
}

/// Posts a form with the browser's CSRF token.
async fn post(world: &World, who: &Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
    let mut pairs = vec![("csrf", who.csrf.as_str())];
    pairs.extend_from_slice(fields);
    world
        .send(Call::post(path).by(who).form(&pairs).build())
        .await
}

/// Adds a team through the page and returns its id (from where the page sends the admin).
async fn add_team(world: &World, admin: &Browser, name: &str) -> i64 {
    let answer = post(world, admin, "/settings/teams", &[("name", name)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let at = answer.location().unwrap();
    at.strip_prefix("/settings/teams/")
        .unwrap()
        .parse()
        .unwrap()
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    // Friday 1 March 2024.
    Utc.with_ymd_and_hms(2024, 3, 1, h, m, 0).unwrap()
}

fn x_post(id: &str, author: &str, text: &str, when: DateTime<Utc>) -> Post {
    Post {
        network: Network::X,
        native_id: id.to_string(),
        author: Author {
            handle: author.to_string(),
            ..Author::default()
        },
        text: text.to_string(),
        created_at: when,
        lang: Some("en".into()),
        reply_to: None,
        reply_to_handle: None,
        root_id: None,
        mentions: text
            .split_whitespace()
            .filter_map(|w| w.strip_prefix('@'))
            .map(|h| {
                h.trim_matches(|c: char| !c.is_alphanumeric())
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

async fn case_of(world: &World, native_id: &str) -> Option<CaseId> {
    let key = PostKey {
        network: Network::X,
        native_id: native_id.to_string(),
    };
    let store = world.engine.store();
    let post = store.posts().post_by_key(&key).await.unwrap()?;
    store.cases().case_of_post(post.id).await.unwrap()
}

#[tokio::test]
async fn every_settings_page_renders_for_an_admin_with_the_settings_navigation() {
    let (world, admin) = world_with_admin().await;
    for page in PAGES {
        let answer = get(&world, &admin, page).await;
        assert_eq!(answer.status, StatusCode::OK, "{page}: {}", answer.body);
        assert!(
            answer
                .body
                .contains(r#"<nav class="settings-nav" aria-label="Settings">"#)
        );
        for link in PAGES {
            assert!(
                answer.body.contains(&format!(r#"href="{link}""#)),
                "{page} links {link}"
            );
        }
        assert!(
            answer
                .body
                .contains(&format!(r#"href="{page}" aria-current="page""#)),
            "{page} marks itself current"
        );
        // The main navigation names the section "Settings".
        assert!(
            answer.body.contains(r#"aria-current="page">Settings</a>"#),
            "{page}"
        );
    }
}

#[tokio::test]
async fn a_team_saves_and_its_policy_measures_its_cases() {
    let (world, admin) = world_with_admin().await;
    let agent = world.user("ana", Role::Agent).await;
    let analyst = world.user("andy", Role::Analyst).await;

    // A policy that counts around the clock: two hours to a first response.
    let answer = post(
        &world,
        &admin,
        "/settings/sla",
        &[
            ("name", "Fast"),
            ("at_risk", "75"),
            ("urgent_first_response", "30"),
            ("high_first_response", "1h"),
            ("normal_first_response", "2h"),
            ("normal_next_response", "1h30m"),
            ("normal_resolution", "2d"),
            ("low_first_response", "2h"),
        ],
    )
    .await;
    assert!(answer.is_redirect_to("/settings/sla/Fast"), "{answer:?}");
    let page = get(&world, &admin, "/settings/sla/Fast").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(r#"name="normal_next_response" value="1h 30m""#)
    );
    assert!(page.body.contains(r#"name="normal_resolution" value="2d""#));
    assert!(page.body.contains(r#"name="at_risk" value="75""#));
    assert!(!page.body.contains(r#"name="business_hours" checked"#));
    let stored = world
        .engine
        .care()
        .sla_policy("Fast")
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.business_hours());
    assert_eq!(
        stored.target(
            rapport_domain::Priority::Normal,
            rapport_domain::SlaTarget::Resolution
        ),
        Some(TimeDelta::days(2))
    );
    let list = get(&world, &admin, "/settings/sla").await;
    assert!(
        list.body
            .contains(r#"<a href="/settings/sla/Fast">Fast</a>"#)
    );

    let id = add_team(&world, &admin, "Billing").await;
    let path = format!("/settings/teams/{id}");
    let agent_id = agent.id.0.to_string();
    let page = get(&world, &admin, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    // Analysts do not work cases, so they are not offered as members.
    assert!(
        page.body
            .contains(&format!(r#"id="member-{}""#, agent.id.0))
    );
    assert!(
        !page
            .body
            .contains(&format!(r#"id="member-{}""#, analyst.id.0))
    );
    let answer = post(
        &world,
        &admin,
        &path,
        &[
            ("name", "Billing EU"),
            ("member", &agent_id),
            ("time_zone", "Europe/Berlin"),
            ("hours_mon", "09:00-12:00, 13:00-17:00"),
            ("hours_tue", "09:00-17:00"),
            ("hours_wed", "09:00-17:00"),
            ("hours_thu", "09:00-17:00"),
            ("hours_fri", "09:00-17:00"),
            ("hours_sat", ""),
            ("hours_sun", ""),
            ("holidays", "2024-12-25\n2024-12-26"),
            ("sla_policy", "Fast"),
        ],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(text(&answer).contains("Team 'Billing EU' saved."));
    let page = get(&world, &admin, &path).await;
    for shown in [
        r#"name="name" value="Billing EU""#,
        r#"name="time_zone" value="Europe/Berlin""#,
        r#"name="hours_mon" value="09:00-12:00, 13:00-17:00""#,
        r#"name="hours_sat" value="""#,
        r#"<option value="Fast" selected>"#,
    ] {
        assert!(page.body.contains(shown), "{shown}");
    }
    assert!(page.body.contains("2024-12-25\n2024-12-26"));
    assert!(
        page.body
            .contains(&format!(r#"value="{}" checked"#, agent.id.0))
    );
    let team = world.engine.care().team(TeamId(id)).await.unwrap();
    assert_eq!(
        (team.name.as_str(), team.members.as_slice()),
        ("Billing EU", &[agent.id][..])
    );
    let teams = get(&world, &admin, "/settings/teams").await;
    assert!(
        teams
            .body
            .contains(&format!(r#"<a href="/settings/teams/{id}">Billing EU</a>"#))
    );

    // Cases go to the team (round-robin to its member) and are measured by its policy.
    let answer = post(
        &world,
        &admin,
        "/settings/routing",
        &[
            ("actionable", "question"),
            ("actionable", "complaint"),
            ("reopen_days", "3"),
            ("default_team", &id.to_string()),
            ("round_robin", "on"),
            ("default_sla_policy", ""),
        ],
    )
    .await;
    assert!(answer.is_redirect_to("/settings/routing"), "{answer:?}");
    let answer = post(
        &world,
        &admin,
        "/settings/accounts",
        &[("network", "x"), ("handle", "@AcmeHelp")],
    )
    .await;
    assert!(answer.is_redirect_to("/settings/accounts"), "{answer:?}");
    world
        .engine
        .ingest_posts(vec![x_post(
            "1",
            "carol",
            "@AcmeHelp my card was charged twice",
            at(15, 0),
        )])
        .await
        .unwrap();
    let case = case_of(&world, "1")
        .await
        .expect("a mention of an own account is a case");
    let care = world.engine.care();
    let record = care.refresh_sla(case, at(15, 30)).await.unwrap();
    assert_eq!(record.case.team, Some(TeamId(id)));
    assert_eq!(record.case.assignee, Some(agent.id));
    // Friday 16:00 in Berlin, an hour before closing, but this policy counts every hour.
    let target = stored
        .target(
            record.case.priority,
            rapport_domain::SlaTarget::FirstResponse,
        )
        .unwrap();
    assert_eq!(record.sla.first_response_due, Some(at(15, 0) + target));
    assert_eq!(care.rules().await.unwrap().reopen_window_secs, 3 * 86_400);
}

#[tokio::test]
async fn routing_rules_decide_which_topic_matches_become_cases() {
    let (world, admin) = world_with_admin().await;
    world
        .engine
        .add_topic("Invoices", "invoice", Default::default())
        .await
        .unwrap();
    let topic = world.engine.topics().await.unwrap()[0].topic.id.0;
    let team = add_team(&world, &admin, "Accounts").await;
    let all: Vec<(&str, &str)> = ["question", "complaint", "praise", "lead", "feedback"]
        .iter()
        .map(|i| ("actionable", *i))
        .collect();
    let mode = format!("topic_{topic}_mode");
    let team_field = format!("topic_{topic}_team");
    let team_id = team.to_string();

    // Listen only: the topic's matches stay posts.
    let mut form = all.clone();
    form.extend([("reopen_days", "7"), (mode.as_str(), "custom")]);
    let answer = post(&world, &admin, "/settings/routing", &form).await;
    assert!(
        answer.is_redirect_to("/settings/routing"),
        "{}",
        answer.body
    );
    let page = get(&world, &admin, "/settings/routing").await;
    assert!(page.body.contains(r#"<option value="custom" selected>"#));
    assert!(!page.body.contains(r#"name="round_robin" checked"#));
    let text = "How do I download my invoice from last month? It is not in the app.";
    world
        .engine
        .ingest_posts(vec![x_post("10", "dave", text, at(9, 0))])
        .await
        .unwrap();
    assert_eq!(case_of(&world, "10").await, None);

    // Every intent actionable, the topic's cases to its team.
    let mut form = all.clone();
    form.extend([
        ("reopen_days", "7"),
        (mode.as_str(), "default"),
        (team_field.as_str(), team_id.as_str()),
    ]);
    let answer = post(&world, &admin, "/settings/routing", &form).await;
    assert!(
        answer.is_redirect_to("/settings/routing"),
        "{}",
        answer.body
    );
    let page = get(&world, &admin, "/settings/routing").await;
    assert!(page.body.contains(&format!(
        r#"<option value="{team}" selected>Accounts</option>"#
    )));
    world
        .engine
        .ingest_posts(vec![x_post("11", "erin", text, at(9, 5))])
        .await
        .unwrap();
    let case = case_of(&world, "11")
        .await
        .expect("the match is a case now");
    let record = world.engine.care().case(case).await.unwrap().unwrap();
    assert_eq!(record.case.team, Some(TeamId(team)));
}

/// A form that must be refused: where it goes, what it sends, the status, the message and
/// (part of) the input the message is about.
type Refused<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    StatusCode,
    &'a str,
    &'a str,
);

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named() {
    let (world, admin) = world_with_admin().await;
    let team = add_team(&world, &admin, "Support").await;
    let team_path = format!("/settings/teams/{team}");
    let answer = post(
        &world,
        &admin,
        "/settings/sla",
        &[
            ("name", "Std"),
            ("at_risk", "80"),
            ("normal_first_response", "1h"),
        ],
    )
    .await;
    assert!(answer.is_redirect_to("/settings/sla/Std"));
    let week: Vec<(&str, &str)> = vec![
        ("name", "Support"),
        ("time_zone", "UTC"),
        ("hours_mon", "09:00-17:00"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut f = week.clone();
        for (k, v) in extra {
            f.retain(|(x, _)| x != k);
            f.push((k, v));
        }
        f
    };
    let cases: Vec<Refused> = vec![
        (
            "/settings/sla",
            vec![
                ("name", "A"),
                ("at_risk", "80"),
                ("urgent_first_response", "1x"),
            ],
            StatusCode::BAD_REQUEST,
            "Urgent First response: '1x' is not a duration",
            r#"id="t-urgent_first_response""#,
        ),
        (
            "/settings/sla",
            vec![("name", "A"), ("at_risk", "80"), ("high_resolution", "0")],
            StatusCode::BAD_REQUEST,
            "High Resolution: '0' must be positive",
            r#"id="t-high_resolution""#,
        ),
        (
            "/settings/sla",
            vec![
                ("name", "A"),
                ("at_risk", "80"),
                ("low_next_response", "-30"),
            ],
            StatusCode::BAD_REQUEST,
            "Low Next response: '-30' must be positive",
            r#"id="t-low_next_response""#,
        ),
        (
            "/settings/sla",
            vec![("name", "A"), ("at_risk", "150")],
            StatusCode::BAD_REQUEST,
            "At risk from: use 1 to 100",
            r#"id="at-risk""#,
        ),
        (
            "/settings/sla",
            vec![("name", "Std"), ("at_risk", "80")],
            StatusCode::BAD_REQUEST,
            "Policy name: an SLA policy named 'Std' exists",
            r#"id="policy-name""#,
        ),
        (
            "/settings/sla",
            vec![("name", " "), ("at_risk", "80")],
            StatusCode::BAD_REQUEST,
            "Policy name: use 1 to 100 characters",
            r#"id="policy-name""#,
        ),
        (
            "/settings/teams",
            vec![("name", "Support")],
            StatusCode::BAD_REQUEST,
            "Team name: a team named 'Support' exists",
            r#"id="team-name""#,
        ),
        (
            &team_path,
            with(&[("time_zone", "Mars/Olympus")]),
            StatusCode::BAD_REQUEST,
            "Time zone: unknown time zone 'Mars/Olympus'",
            r#"id="time-zone""#,
        ),
        (
            &team_path,
            with(&[("hours_tue", "9-5")]),
            StatusCode::BAD_REQUEST,
            "Tuesday hours: invalid",
            r#"id="hours-tue""#,
        ),
        (
            &team_path,
            with(&[("hours_wed", "09:00-12:00, 11:00-13:00")]),
            StatusCode::BAD_REQUEST,
            "Wednesday hours: opening windows",
            r#"id="hours-wed""#,
        ),
        (
            &team_path,
            with(&[("holidays", "2024-12-25\n2024-13-01")]),
            StatusCode::BAD_REQUEST,
            "Holidays: '2024-13-01' on line 2 is not a date",
            r#"id="holidays""#,
        ),
        (
            &team_path,
            with(&[("sla_policy", "Gold")]),
            StatusCode::BAD_REQUEST,
            "SLA policy: no SLA policy named 'Gold'",
            r#"id="sla-policy""#,
        ),
        (
            &team_path,
            with(&[("name", "")]),
            StatusCode::BAD_REQUEST,
            "Team name: use 1 to 100 characters",
            r#"id="team-name""#,
        ),
        (
            "/settings/routing",
            vec![("reopen_days", "soon")],
            StatusCode::BAD_REQUEST,
            "Reopen window: 'soon' is not a number of days",
            r#"id="reopen-days""#,
        ),
        (
            "/settings/routing",
            vec![("reopen_days", "-1")],
            StatusCode::BAD_REQUEST,
            "Reopen window: use 0 to 365 days",
            r#"id="reopen-days""#,
        ),
        (
            "/settings/routing",
            vec![("reopen_days", "7"), ("default_team", "999")],
            StatusCode::BAD_REQUEST,
            "Default team: no team 999",
            r#"id="default-team""#,
        ),
        (
            "/settings/routing",
            vec![("reopen_days", "7"), ("default_sla_policy", "Gold")],
            StatusCode::BAD_REQUEST,
            "Default SLA policy: no SLA policy named 'Gold'",
            r#"id="default-policy""#,
        ),
        (
            "/settings/routing",
            vec![("reopen_days", "7"), ("actionable", "gossip")],
            StatusCode::BAD_REQUEST,
            "Actionable intents: unknown intent 'gossip'",
            r#"<fieldset aria-invalid="true""#,
        ),
        (
            "/settings/accounts",
            vec![("network", "x"), ("handle", "  ")],
            StatusCode::BAD_REQUEST,
            "Handle: use 1 to 255 characters",
            r#"id="account-handle""#,
        ),
        (
            "/settings/accounts",
            vec![("network", "myspace"), ("handle", "acme")],
            StatusCode::BAD_REQUEST,
            "Network: 'myspace' is not a network",
            r#"id="account-network""#,
        ),
        (
            "/settings/replies",
            vec![("name", "Thanks"), ("body", "Hi {{contact.nickname}}")],
            StatusCode::BAD_REQUEST,
            "Body: unknown variable 'contact.nickname' at line 1, column 4",
            r#"id="reply-body""#,
        ),
        (
            "/settings/replies",
            vec![("name", ""), ("body", "Hi")],
            StatusCode::BAD_REQUEST,
            "Name: use 1 to 100 characters",
            r#"id="reply-name""#,
        ),
    ];
    for (path, form, status, message, input) in cases {
        let answer = post(&world, &admin, path, &form).await;
        assert_eq!(answer.status, status, "{path} {form:?}: {}", answer.body);
        assert!(
            text(&answer).contains(message),
            "{path} {form:?}: wants {message}\n{}",
            answer.body
        );
        assert!(
            answer.body.contains(r#"role="alert" id="form-error""#),
            "{path}"
        );
        // The input in question is marked invalid and points at the message.
        let at = answer
            .body
            .find(input)
            .unwrap_or_else(|| panic!("{path}: {input}"));
        let tag_end = at + answer.body[at..].find('>').unwrap();
        let tag_start = answer.body[..=at].rfind('<').unwrap();
        assert!(
            answer.body[tag_start..tag_end].contains(r#"aria-invalid="true""#),
            "{path}: {input} is marked invalid: {}",
            &answer.body[tag_start..tag_end]
        );
    }
    // Nothing refused was stored: the team and the rules are as they were.
    let t = world.engine.care().team(TeamId(team)).await.unwrap();
    assert_eq!(t.name, "Support");
    assert_eq!(t.calendar.tz().name(), "UTC");
    assert_eq!(world.engine.care().sla_policies().await.unwrap().len(), 1);
    assert!(
        world
            .engine
            .care()
            .saved_replies()
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        world.engine.care().rules().await.unwrap(),
        rapport_engine::care::RoutingRules::default()
    );
    for missing in [
        "/settings/teams/999",
        "/settings/sla/Gold",
        "/settings/replies/Nothing",
    ] {
        assert_eq!(
            get(&world, &admin, missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

#[tokio::test]
async fn saved_replies_preview_save_rename_and_remove() {
    let (world, admin) = world_with_admin().await;
    let body = "Hi {{contact.first_name}}, {{agent.name}} here about case {{case.id}}.";
    // Preview renders for the sample and stores nothing.
    let answer = post(
        &world,
        &admin,
        "/settings/replies",
        &[
            ("name", "Hello"),
            ("shortcut", "/hi"),
            ("body", body),
            ("action", "preview"),
        ],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.body.contains("Hi Sam, admin here about case 1042."),
        "{}",
        answer.body
    );
    assert!(
        world
            .engine
            .care()
            .saved_replies()
            .await
            .unwrap()
            .is_empty()
    );
    // Every variable is listed.
    for v in [
        "contact.first_name",
        "contact.name",
        "agent.name",
        "agent.first_name",
        "case.id",
        "brand.name",
    ] {
        assert!(answer.body.contains(&format!("{{{{{v}}}}}")), "{v}");
    }

    let answer = post(
        &world,
        &admin,
        "/settings/replies",
        &[
            ("name", "Hello"),
            ("shortcut", "/hi"),
            ("body", body),
            ("action", "save"),
        ],
    )
    .await;
    assert!(
        answer.is_redirect_to("/settings/replies/Hello"),
        "{answer:?}"
    );
    let page = get(&world, &admin, "/settings/replies/Hello").await;
    assert!(page.body.contains(r#"name="shortcut" value="/hi""#));
    assert!(page.body.contains("Hi Sam, admin here about case 1042."));
    let list = get(&world, &admin, "/settings/replies").await;
    assert!(
        list.body
            .contains(r#"<a href="/settings/replies/Hello">Hello</a>"#)
    );
    let answer = post(
        &world,
        &admin,
        "/settings/replies",
        &[("name", "Hello"), ("body", "again")],
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(text(&answer).contains("Name: a saved reply named 'Hello' exists"));

    // Renaming keeps one reply; the composer renders it for a case.
    let answer = post(
        &world,
        &admin,
        "/settings/replies/Hello",
        &[
            ("name", "Greeting"),
            ("shortcut", ""),
            ("body", "Hello {{contact.name}}"),
        ],
    )
    .await;
    assert!(
        answer.is_redirect_to("/settings/replies/Greeting"),
        "{answer:?}"
    );
    let names: Vec<_> = world
        .engine
        .care()
        .saved_replies()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.name, r.shortcut))
        .collect();
    assert_eq!(names, [("Greeting".to_string(), None)]);

    // Removing asks first: a page with the question and a form that confirms it.
    let answer = post(&world, &admin, "/settings/replies/Greeting/delete", &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.body.contains("Remove the saved reply") && answer.body.contains("Greeting"),
        "{}",
        answer.body
    );
    assert!(
        answer
            .body
            .contains(r#"action="/settings/replies/Greeting/delete""#),
        "{}",
        answer.body
    );
    assert!(answer.body.contains(r#"name="confirm" value="yes""#));
    assert_eq!(answer.csrf_field().as_deref(), Some(admin.csrf.as_str()));
    assert_eq!(
        world.engine.care().saved_replies().await.unwrap().len(),
        1,
        "nothing is removed before the answer"
    );
    let answer = post(
        &world,
        &admin,
        "/settings/replies/Greeting/delete",
        &[("confirm", "yes")],
    )
    .await;
    assert!(answer.is_redirect_to("/settings/replies"));
    assert!(
        world
            .engine
            .care()
            .saved_replies()
            .await
            .unwrap()
            .is_empty()
    );
    let answer = post(
        &world,
        &admin,
        "/settings/replies/Greeting/delete",
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_topic_is_removed_only_after_confirming() {
    let (world, admin) = world_with_admin().await;
    world
        .engine
        .add_topic("Refund talk", "refund*", Default::default())
        .await
        .unwrap();
    let names = || async {
        world
            .engine
            .topics()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.topic.name)
            .collect::<Vec<_>>()
    };
    let answer = post(&world, &admin, "/topics/Refund%20talk/delete", &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "removing asks first");
    assert!(answer.body.contains("Remove the topic"), "{}", answer.body);
    assert!(
        answer
            .body
            .contains(r#"action="/topics/Refund%20talk/delete""#),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains(r#"href="/topics/Refund%20talk""#),
        "cancel goes back"
    );
    assert!(answer.body.contains(r#"name="confirm" value="yes""#));
    assert_eq!(answer.csrf_field().as_deref(), Some(admin.csrf.as_str()));
    assert_eq!(
        names().await,
        ["Refund talk"],
        "nothing removed before the answer"
    );
    let answer = post(
        &world,
        &admin,
        "/topics/Refund%20talk/delete",
        &[("confirm", "yes")],
    )
    .await;
    assert!(answer.is_redirect_to("/topics"), "{answer:?}");
    assert!(names().await.is_empty());
}

#[tokio::test]
async fn own_accounts_are_added_listed_and_removed() {
    let (world, admin) = world_with_admin().await;
    let answer = post(
        &world,
        &admin,
        "/settings/accounts",
        &[("network", "mastodon"), ("handle", "support")],
    )
    .await;
    assert!(answer.is_redirect_to("/settings/accounts"));
    let page = get(&world, &admin, "/settings/accounts").await;
    assert!(
        page.body.contains("<td>mastodon</td><td>@support</td>"),
        "{}",
        page.body
    );
    let answer = post(
        &world,
        &admin,
        "/settings/accounts/remove",
        &[("network", "mastodon"), ("handle", "support")],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "removing asks first");
    assert!(
        answer.body.contains("Remove @support on mastodon"),
        "{}",
        answer.body
    );
    assert!(
        answer
            .body
            .contains(r#"<input type="hidden" name="handle" value="support">"#)
    );
    assert!(answer.body.contains(r#"name="confirm" value="yes""#));
    let still = get(&world, &admin, "/settings/accounts").await;
    assert!(
        still.body.contains("@support"),
        "nothing is removed before the answer"
    );
    let answer = post(
        &world,
        &admin,
        "/settings/accounts/remove",
        &[
            ("network", "mastodon"),
            ("handle", "support"),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert!(answer.is_redirect_to("/settings/accounts"));
    let page = get(&world, &admin, "/settings/accounts").await;
    assert!(!page.body.contains("@support"));
    assert!(page.body.contains("No own accounts yet."));
}

/// Every settings route with a form that would change something if it were let through.
fn writes(team: i64) -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    vec![
        ("/settings/teams".into(), vec![("name", "Intruders")]),
        (
            format!("/settings/teams/{team}"),
            vec![("name", "Taken over"), ("time_zone", "UTC")],
        ),
        (
            "/settings/sla".into(),
            vec![("name", "Sneaky"), ("at_risk", "80")],
        ),
        ("/settings/sla/Std".into(), vec![("at_risk", "10")]),
        ("/settings/routing".into(), vec![("reopen_days", "99")]),
        (
            "/settings/accounts".into(),
            vec![("network", "x"), ("handle", "sneaky")],
        ),
        (
            "/settings/accounts/remove".into(),
            vec![("network", "x"), ("handle", "acme"), ("confirm", "yes")],
        ),
        (
            "/settings/replies".into(),
            vec![("name", "Sneaky"), ("body", "hi")],
        ),
        (
            "/settings/replies/Thanks".into(),
            vec![("name", "Thanks"), ("body", "changed")],
        ),
        (
            "/settings/replies/Thanks/delete".into(),
            vec![("confirm", "yes")],
        ),
    ]
}

async fn seed_for_refusals(world: &World, admin: &Browser) -> i64 {
    let team = add_team(world, admin, "Support").await;
    let ok = post(
        world,
        admin,
        "/settings/sla",
        &[("name", "Std"), ("at_risk", "80")],
    )
    .await;
    assert!(ok.is_redirect_to("/settings/sla/Std"));
    let ok = post(
        world,
        admin,
        "/settings/replies",
        &[("name", "Thanks"), ("body", "Thanks!")],
    )
    .await;
    assert!(ok.is_redirect_to("/settings/replies/Thanks"));
    let ok = post(
        world,
        admin,
        "/settings/accounts",
        &[("network", "x"), ("handle", "acme")],
    )
    .await;
    assert!(ok.is_redirect_to("/settings/accounts"));
    team
}

/// Nothing that the refused calls tried shows up.
async fn unchanged(world: &World, team: i64) {
    let care = world.engine.care();
    let teams: Vec<_> = care
        .teams()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(teams, ["Support"]);
    assert_eq!(care.team(TeamId(team)).await.unwrap().name, "Support");
    let policies = care.sla_policies().await.unwrap();
    assert_eq!(policies.len(), 1);
    assert!((policies[0].at_risk_fraction() - 0.8).abs() < 1e-9);
    assert_eq!(
        care.rules().await.unwrap(),
        rapport_engine::care::RoutingRules::default()
    );
    let replies = care.saved_replies().await.unwrap();
    assert_eq!((replies.len(), replies[0].body.as_str()), (1, "Thanks!"));
    let own: Vec<_> = care
        .own_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.handle)
        .collect();
    assert_eq!(own, ["acme"]);
}

#[tokio::test]
async fn agents_and_analysts_are_refused_and_strangers_sent_to_log_in() {
    let (world, admin) = world_with_admin().await;
    let team = seed_for_refusals(&world, &admin).await;
    world.user("ana", Role::Agent).await;
    world.user("andy", Role::Analyst).await;
    let callers = [
        ("agent", Some(world.session("ana").await)),
        ("analyst", Some(world.session("andy").await)),
        ("nobody", None),
    ];
    let mut pages: Vec<String> = PAGES[1..].iter().map(|p| p.to_string()).collect();
    pages.extend([
        format!("/settings/teams/{team}"),
        "/settings/sla/Std".into(),
        "/settings/replies/Thanks".into(),
    ]);
    for (who, browser) in &callers {
        let browser = browser.clone().unwrap_or_default();
        for page in &pages {
            let answer = get(&world, &browser, page).await;
            match browser.session {
                Some(_) => assert_eq!(answer.status, StatusCode::FORBIDDEN, "{who} {page}"),
                None => assert!(answer.is_redirect_to("/login"), "{who} {page}: {answer:?}"),
            }
        }
        for (path, form) in writes(team) {
            let answer = post(&world, &browser, &path, &form).await;
            match browser.session {
                Some(_) => assert_eq!(answer.status, StatusCode::FORBIDDEN, "{who} {path}"),
                None => assert!(answer.is_redirect_to("/login"), "{who} {path}: {answer:?}"),
            }
        }
    }
    unchanged(&world, team).await;
    // Agents see no settings link; the admin's goes to the settings.
    let agent_home = get(&world, callers[0].1.as_ref().unwrap(), "/").await;
    assert!(!agent_home.body.contains(r#"href="/settings"#));
    let admin_home = get(&world, &admin, "/").await;
    assert!(
        admin_home
            .body
            .contains(r#"<a href="/settings">Settings</a>"#)
    );
}

#[tokio::test]
async fn every_settings_form_needs_its_csrf_token() {
    let (world, admin) = world_with_admin().await;
    let team = seed_for_refusals(&world, &admin).await;
    for (path, form) in writes(team) {
        for token in [None, Some("0123456789abcdef")] {
            let mut pairs: Vec<(&str, &str)> = token.map(|t| ("csrf", t)).into_iter().collect();
            pairs.extend_from_slice(&form);
            let answer = world
                .send(Call::post(path.clone()).by(&admin).form(&pairs).build())
                .await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{path} with {token:?}"
            );
        }
    }
    unchanged(&world, team).await;
}

#[tokio::test]
async fn names_and_bodies_are_escaped() {
    let (world, admin) = world_with_admin().await;
    let evil = "<script>alert(1)</script>";
    let team = add_team(&world, &admin, evil).await;
    let ok = post(
        &world,
        &admin,
        "/settings/replies",
        &[
            ("name", evil),
            ("body", &format!("Hi {{{{contact.name}}}} {evil}")),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let ok = post(
        &world,
        &admin,
        "/settings/accounts",
        &[("network", "x"), ("handle", "<b>bold</b>")],
    )
    .await;
    assert!(ok.is_redirect_to("/settings/accounts"));
    let location = ok.location().unwrap().to_string();
    assert_eq!(location, "/settings/accounts");
    let reply_path = "/settings/replies/%3Cscript%3Ealert%281%29%3C%2Fscript%3E";
    for page in [
        "/settings/teams".to_string(),
        format!("/settings/teams/{team}"),
        "/settings/routing".to_string(),
        "/settings/replies".to_string(),
        reply_path.to_string(),
        "/settings/accounts".to_string(),
    ] {
        let answer = get(&world, &admin, &page).await;
        assert_eq!(answer.status, StatusCode::OK, "{page}");
        assert!(
            !answer.body.contains("<script>"),
            "{page} carries a raw script tag"
        );
        assert!(!answer.body.contains("<b>bold"), "{page}");
        // Shown as text: the entities decode to the name.
        assert!(answer.body.contains("&#60;"), "{page}");
        let shown = text(&answer);
        assert!(
            shown.contains(evil) || shown.contains("@<b>bold</b>"),
            "{page} shows the name as text"
        );
    }
    // The preview is text too.
    let page = get(&world, &admin, reply_path).await;
    assert!(!page.body.contains("<script>"));
    assert!(
        text(&page).contains(&format!("Hi Sam Example {evil}")),
        "{}",
        page.body
    );
}

/// `/settings`, where the demo sends admins, once answered a bare 404; it lists the settings
/// pages now, and a path nothing serves gets a page in the app's layout with the way back.
#[tokio::test]
async fn settings_has_an_index_and_unknown_paths_a_page_of_their_own() {
    let (world, admin) = world_with_admin().await;
    world.user("agent", Role::Agent).await;
    let agent = world.session("agent").await;

    let index = get(&world, &admin, "/settings").await;
    assert_eq!(index.status, StatusCode::OK);
    for link in PAGES {
        assert!(
            index.body.contains(&format!(r#"<a href="{link}">"#)),
            "/settings lists {link}"
        );
    }
    assert!(index.body.contains(r#"aria-current="page">Settings</a>"#));
    assert_eq!(
        get(&world, &agent, "/settings").await.status,
        StatusCode::FORBIDDEN
    );

    let lost = get(&world, &agent, "/settings/nothing-here").await;
    assert_eq!(lost.status, StatusCode::NOT_FOUND);
    assert!(
        lost.body.contains("<h1>Page not found</h1>"),
        "{}",
        lost.body
    );
    assert!(lost.body.contains(r#"<a href="/inbox">The inbox</a>"#));
    assert!(
        !lost.body.contains(r#"href="/settings""#),
        "agents get no settings link"
    );
    assert!(lost.body.contains("/settings/nothing-here"));
    // Hostile paths are shown as text, never as markup.
    let hostile = get(&world, &admin, "/%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert_eq!(hostile.status, StatusCode::NOT_FOUND);
    assert!(!hostile.body.contains("<script>alert"), "{}", hostile.body);
    assert!(hostile.body.contains(r#"<a href="/settings">Settings</a>"#));

    let anonymous = world.send(Call::get("/no/such/page").build()).await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND);
    assert!(anonymous.body.contains(r#"<a href="/login">Log in</a>"#));

    let api = world
        .send(Call::get("/api/v1/no-such-endpoint").build())
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let body: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

/// The new-user form once offered admin first and selected; a new user is an agent unless
/// the admin picks otherwise.
#[tokio::test]
async fn the_new_user_form_starts_at_the_least_privilege_that_works_the_inbox() {
    let (world, admin) = world_with_admin().await;
    let page = get(&world, &admin, "/settings/users").await;
    let form = &page.body[page.body.find(r#"<select id="nu-role""#).unwrap()..];
    let form = &form[..form.find("</select>").unwrap()];
    assert!(
        form.contains(r#"<option value="agent" selected>"#),
        "{form}"
    );
    assert_eq!(form.matches(" selected").count(), 1, "{form}");
}

/// The role an admin sets is the role the user works with, a deactivated user is out at once
/// and cannot log in again, and the last active admin can be neither demoted nor deactivated.
#[tokio::test]
async fn admins_change_roles_and_deactivate_users_but_keep_one_admin() {
    let (world, admin) = world_with_admin().await;
    let agnes = world.user("agnes", Role::Agent).await;
    let agnes_b = world.session("agnes").await;
    let path = format!("/settings/users/{}", agnes.id.0);
    assert_eq!(get(&world, &agnes_b, "/inbox").await.status, StatusCode::OK);

    // Agent to analyst: the inbox is closed to her, the topics open.
    let answer = post(
        &world,
        &admin,
        &path,
        &[("role", "analyst"), ("active", "1")],
    )
    .await;
    assert!(answer.is_redirect_to("/settings/users"), "{answer:?}");
    let stored = world.accounts.user(agnes.id).await.unwrap();
    assert_eq!((stored.role, stored.active), (Role::Analyst, true));
    assert_eq!(
        get(&world, &agnes_b, "/inbox").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&world, &agnes_b, "/topics").await.status,
        StatusCode::OK
    );
    let list = get(&world, &admin, "/settings/users").await;
    let row = &list.body[list.body.find("(agnes)</span>").expect("agnes is listed")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains(r#"<option value="analyst" selected"#),
        "the list shows her new role: {row}"
    );

    // Deactivated: her session ends and her password no longer opens one.
    let answer = post(&world, &admin, &path, &[("role", "analyst")]).await;
    assert!(answer.is_redirect_to("/settings/users"), "{answer:?}");
    assert!(!world.accounts.user(agnes.id).await.unwrap().active);
    let out = get(&world, &agnes_b, "/topics").await;
    assert!(out.is_redirect_to("/login"), "{out:?}");
    assert!(
        common::log_in(&world, "agnes", common::PASSWORD)
            .await
            .is_err()
    );

    // The last admin: neither demoted nor deactivated, and told why.
    let me = world
        .accounts
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "admin")
        .unwrap();
    let mine = format!("/settings/users/{}", me.id.0);
    for form in [
        vec![("role", "agent"), ("active", "1")],
        vec![("role", "admin")],
    ] {
        let answer = post(&world, &admin, &mine, &form).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{form:?}");
        assert!(
            answer
                .body
                .contains("the last active admin cannot be demoted or deactivated"),
            "{}",
            answer.body
        );
        let stored = world.accounts.user(me.id).await.unwrap();
        assert_eq!(
            (stored.role, stored.active),
            (Role::Admin, true),
            "{form:?}"
        );
    }
    // With a second admin, the first may step down.
    let second = world.user("grace", Role::Agent).await;
    let answer = post(
        &world,
        &admin,
        &format!("/settings/users/{}", second.id.0),
        &[("role", "admin"), ("active", "1")],
    )
    .await;
    assert!(answer.is_redirect_to("/settings/users"), "{answer:?}");
    let answer = post(&world, &admin, &mine, &[("role", "agent"), ("active", "1")]).await;
    assert!(answer.is_redirect_to("/settings/users"), "{answer:?}");
    assert_eq!(world.accounts.user(me.id).await.unwrap().role, Role::Agent);
}

#[tokio::test]
async fn an_admin_switches_publishing_approval_on_and_off() {
    let (world, admin) = world_with_admin().await;
    let policy = || async { world.engine.publications().policy().await.unwrap() };
    assert!(
        !policy().await.approval_required,
        "off until an admin turns it on"
    );
    let page = get(&world, &admin, "/settings/publishing").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(" checked"), "the box starts unticked");
    let on = post(
        &world,
        &admin,
        "/settings/publishing",
        &[("approval_required", "on")],
    )
    .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    assert!(policy().await.approval_required);
    let page = get(&world, &admin, "/settings/publishing").await;
    assert!(page.body.contains(" checked"), "the page shows it on");
    let off = post(&world, &admin, "/settings/publishing", &[]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(!policy().await.approval_required);
    // Agents may not change it, and a form without its CSRF token changes nothing.
    world.user("agent", Role::Agent).await;
    let agent = world.session("agent").await;
    let refused = post(
        &world,
        &agent,
        "/settings/publishing",
        &[("approval_required", "on")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let forged = world
        .send(
            Call::post("/settings/publishing")
                .by(&admin)
                .form(&[("approval_required", "on")])
                .build(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!policy().await.approval_required);
}
