//! The account pages and two-factor sign-in over HTTP, the security policy as pages enforce
//! it, and the audit log (page, CSV, API) with the entries the routes write. Codes come from
//! the engine tests' own RFC 6238 implementation.

#[allow(dead_code)] // the RFC check runs in the engine's tests
#[path = "../../rapport-engine/tests/support/authenticator.rs"]
mod authenticator;
mod common;

use axum::http::StatusCode;
use common::{Browser, Call, PASSWORD, World, attribute_after, log_in, open_form};
use rapport_domain::{Permission, Role};
use rapport_web::WebConfig;

/// The key the set-up page shows, without its spaces.
fn shown_secret(page: &str) -> String {
    let at = page
        .find(r#"<code id="tf-secret">"#)
        .expect("the key is shown")
        + 21;
    let end = page[at..].find('<').unwrap();
    page[at..at + end].replace(' ', "")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Sets up two-factor sign-in through the pages; answers the secret and the recovery codes.
async fn enable_two_factor(world: &World, b: &Browser) -> (String, Vec<String>) {
    let begun = world
        .send(
            Call::post("/account/two-factor")
                .by(b)
                .form(&[("csrf", &b.csrf), ("step", "begin")])
                .build(),
        )
        .await;
    assert!(begun.is_redirect_to("/account/two-factor"), "{begun:?}");
    let page = world
        .send(Call::get("/account/two-factor").by(b).build())
        .await;
    assert!(page.body.contains("<svg"), "a QR code is drawn");
    let secret = shown_secret(&page.body);
    let done = world
        .send(
            Call::post("/account/two-factor")
                .by(b)
                .form(&[
                    ("csrf", &b.csrf),
                    ("step", "confirm"),
                    ("code", &authenticator::code(&secret, now())),
                ])
                .build(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let list = &done.body[done.body.find("recovery-codes").expect("codes shown")..];
    let codes: Vec<String> = list
        .split("<li>")
        .skip(1)
        .take(10)
        .map(|c| c[..c.find('<').unwrap()].to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Posts name and password; answers the pending cookie the login sets.
async fn password_step(world: &World, name: &str) -> String {
    let (cookie, token) = open_form(world, "/login").await;
    let answer = world
        .send(
            Call::post("/login")
                .cookie("rapport_csrf", &cookie)
                .form(&[("csrf", &token), ("name", name), ("password", PASSWORD)])
                .build(),
        )
        .await;
    assert!(answer.is_redirect_to("/login/two-factor"), "{answer:?}");
    assert!(answer.cookie("rapport_session").is_none());
    answer.cookie("rapport_pending").expect("a pending sign-in")
}

async fn code_step(world: &World, pending: &str, code: &str) -> common::Answer {
    let form = world
        .send(
            Call::get("/login/two-factor")
                .cookie("rapport_pending", pending)
                .build(),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf_cookie = form.cookie("rapport_csrf").unwrap();
    let csrf = form.csrf_field().unwrap();
    world
        .send(
            Call::post("/login/two-factor")
                .cookie("rapport_pending", pending)
                .cookie("rapport_csrf", &csrf_cookie)
                .form(&[("csrf", &csrf), ("code", code)])
                .build(),
        )
        .await
}

#[tokio::test]
async fn a_user_turns_on_two_factor_and_signs_in_with_a_code_then_a_recovery_code() {
    let world = World::new(WebConfig::default()).await;
    world.user("ana", Role::Admin).await;
    let b = log_in(&world, "ana", PASSWORD).await.unwrap();
    let account = world.send(Call::get("/account").by(&b).build()).await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(
        account
            .body
            .contains("Off: signing in takes only your password.")
    );
    let (secret, codes) = enable_two_factor(&world, &b).await;

    let pending = password_step(&world, "ana").await;
    // The pending cookie opens nothing but the code form.
    let inbox = world
        .send(
            Call::get("/inbox")
                .cookie("rapport_session", &pending)
                .build(),
        )
        .await;
    assert!(inbox.is_redirect_to("/login"), "{inbox:?}");
    let wrong = code_step(&world, &pending, "000000").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .body
            .contains("That code is wrong or was used already.")
    );
    let right = code_step(&world, &pending, &authenticator::code(&secret, now())).await;
    assert!(right.is_redirect_to("/"), "{right:?}");
    let session = right.cookie("rapport_session").expect("signed in");
    assert_eq!(right.cookie("rapport_pending").as_deref(), Some(""));
    let home = world
        .send(Call::get("/").cookie("rapport_session", &session).build())
        .await;
    assert_eq!(home.status, StatusCode::OK);

    // A recovery code signs in once.
    let pending = password_step(&world, "ana").await;
    assert!(
        code_step(&world, &pending, &codes[0])
            .await
            .is_redirect_to("/")
    );
    let pending = password_step(&world, "ana").await;
    assert_eq!(
        code_step(&world, &pending, &codes[0]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let b2 = Browser {
        session: Some(session),
        csrf: String::new(),
    };
    let page = world
        .send(Call::get("/account/two-factor").by(&b2).build())
        .await;
    assert!(
        page.body.contains("9 recovery code(s) left"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn when_two_factor_is_required_pages_wait_until_it_is_set_up_and_the_api_does_not() {
    let world = World::new(WebConfig::default()).await;
    world.user("ana", Role::Admin).await;
    let bo = world.user("bo", Role::Agent).await;
    let token = world
        .token_as(&bo, Role::Agent, &[Permission::ReadInbox])
        .await;
    let admin = log_in(&world, "ana", PASSWORD).await.unwrap();
    let saved = world
        .send(
            Call::post("/settings/security")
                .by(&admin)
                .form(&[("csrf", &admin.csrf), ("require_two_factor", "on")])
                .build(),
        )
        .await;
    assert!(saved.is_redirect_to("/settings/security"), "{saved:?}");

    let agent = world.session("bo").await;
    for path in ["/", "/inbox", "/account"] {
        let answer = world.send(Call::get(path).by(&agent).build()).await;
        assert!(
            answer.is_redirect_to("/account/two-factor"),
            "{path}: {answer:?}"
        );
    }
    let api = world
        .send(Call::get("/api/v1/cases").bearer(&token).build())
        .await;
    assert_eq!(api.status, StatusCode::OK, "tokens are not browsers");
    let setup = world
        .send(Call::get("/account/two-factor").by(&agent).build())
        .await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(
        setup
            .body
            .contains("Your admins require two-factor sign-in")
    );
    assert!(
        !setup.body.contains(r#"href="/inbox""#),
        "no way around the set-up"
    );
    enable_two_factor(&world, &agent).await;
    let inbox = world.send(Call::get("/inbox").by(&agent).build()).await;
    assert_eq!(inbox.status, StatusCode::OK);
    // And it cannot be turned off while required.
    let off = world
        .send(
            Call::post("/account/two-factor")
                .by(&agent)
                .form(&[
                    ("csrf", &agent.csrf),
                    ("step", "disable"),
                    ("password", PASSWORD),
                ])
                .build(),
        )
        .await;
    assert_eq!(off.status, StatusCode::BAD_REQUEST);
    assert!(off.body.contains("cannot be turned off"));
}

#[tokio::test]
async fn a_password_change_and_sign_out_everywhere_end_the_right_sessions() {
    let world = World::new(WebConfig::default()).await;
    world.user("ana", Role::Admin).await;
    let here = log_in(&world, "ana", PASSWORD).await.unwrap();
    let elsewhere = log_in(&world, "ana", PASSWORD).await.unwrap();
    let page = world.send(Call::get("/account").by(&here).build()).await;
    assert_eq!(
        page.body.matches("<tr><td>").count(),
        2,
        "two sessions listed"
    );
    assert!(page.body.contains("this browser"));
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        Call::post("/account/password").by(&here).form(&[
            ("csrf", &here.csrf),
            ("current", current),
            ("new", new),
            ("confirm", confirm),
        ])
    };
    let differ = world
        .send(change(PASSWORD, "violet-harbor-61", "violet-harbor-62").build())
        .await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST);
    assert!(differ.body.contains("The two new passwords differ."));
    let wrong = world
        .send(change("not-my-password", "violet-harbor-61", "violet-harbor-61").build())
        .await;
    assert!(wrong.body.contains("The current password is wrong."));
    let done = world
        .send(change(PASSWORD, "violet-harbor-61", "violet-harbor-61").build())
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(
        done.body
            .contains("Password changed; 1 other session(s) ended.")
    );
    assert!(world.send(Call::get("/").by(&here).build()).await.status == StatusCode::OK);
    assert!(
        world
            .send(Call::get("/").by(&elsewhere).build())
            .await
            .is_redirect_to("/login")
    );
    assert!(log_in(&world, "ana", "violet-harbor-61").await.is_ok());

    let out = world
        .send(
            Call::post("/account/sessions/end")
                .by(&here)
                .form(&[("csrf", &here.csrf)])
                .build(),
        )
        .await;
    assert!(out.is_redirect_to("/login"));
    assert!(
        world
            .send(Call::get("/").by(&here).build())
            .await
            .is_redirect_to("/login")
    );
}

#[tokio::test]
async fn the_audit_log_records_logins_admin_changes_and_exports_and_shows_them_to_admins() {
    let world = World::new(WebConfig::default()).await;
    let ana = world.user("ana", Role::Admin).await;
    world.user("bo", Role::Agent).await;
    let admin = log_in(&world, "ana", PASSWORD).await.unwrap();
    assert!(log_in(&world, "ana", "wrong-password-1").await.is_err());
    // A settings page with no worded entry of its own, a user change, a token.
    let policy = world
        .send(
            Call::post("/settings/publishing")
                .by(&admin)
                .form(&[("csrf", &admin.csrf), ("approval_required", "on")])
                .build(),
        )
        .await;
    assert!(policy.is_redirect_to("/settings/publishing"));
    let users = world.accounts.users().await.unwrap();
    let bo = users.iter().find(|u| u.name == "bo").unwrap();
    world
        .send(
            Call::post(format!("/settings/users/{}", bo.id))
                .by(&admin)
                .form(&[("csrf", &admin.csrf), ("role", "analyst"), ("active", "on")])
                .build(),
        )
        .await;
    let made = world
        .send(
            Call::post("/settings/tokens")
                .by(&admin)
                .form(&[
                    ("csrf", &admin.csrf),
                    ("name", "audit reader"),
                    ("scope", "users:manage"),
                    ("expires_days", "7"),
                ])
                .build(),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let secret = attribute_after(&made.body, r#"id="new-token" readonly value=""#).unwrap();
    let expiry = (chrono::Utc::now() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    assert!(made.body.contains(&expiry), "the token's expiry is listed");

    let page = world
        .send(Call::get("/settings/audit").by(&admin).build())
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let shown = html_escape::decode_html_entities(&page.body);
    for text in [
        "login.succeeded",
        "login.failed",
        "POST /settings/publishing",
        "user.changed",
        "bo: role agent -> analyst",
        "token.created",
    ] {
        assert!(shown.contains(text), "{text} on the audit page");
    }
    let filtered = world
        .send(
            Call::get("/settings/audit?action=login.failed")
                .by(&admin)
                .build(),
        )
        .await;
    // Rows show their action as code; the filter's options list every action as plain text.
    assert!(filtered.body.contains("<code>login.failed</code>"));
    assert!(!filtered.body.contains("<code>token.created</code>"));
    assert!(page.body.contains("<code>token.created</code>"));

    let csv = world
        .send(Call::get("/settings/audit.csv").by(&admin).build())
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut rows = csv::Reader::from_reader(csv.body.as_bytes());
    let actions: Vec<String> = rows
        .records()
        .map(|r| r.unwrap().get(4).unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"settings.changed".to_string()),
        "{actions:?}"
    );
    assert!(actions.contains(&"login.failed".to_string()));

    // The API lists the same log, the export included; agents may not read it.
    let api = world
        .send(Call::get("/api/v1/audit?limit=2").bearer(&secret).build())
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["events"][0]["action"], "exported");
    assert_eq!(json["events"][0]["actor"], ana.id.0);
    assert_eq!(json["events"].as_array().unwrap().len(), 2);
    let next = json["next_before"].as_i64().expect("more pages");
    let older = world
        .send(
            Call::get(format!("/api/v1/audit?before={next}&limit=1000"))
                .bearer(&secret)
                .build(),
        )
        .await;
    let older: serde_json::Value = serde_json::from_str(&older.body).unwrap();
    assert!(
        older["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["id"].as_i64().unwrap() < next)
    );
    assert!(older["next_before"].is_null());
    let agent = world.session("bo").await;
    assert_eq!(
        world
            .send(Call::get("/settings/audit").by(&agent).build())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
