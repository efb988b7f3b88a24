//! Single sign-on over HTTP against a real OpenID Connect provider (npm's `oidc-provider`,
//! started by the test): the login page's button, the round trip through the provider's login
//! form back to a session, the account page, and the answers to callbacks that are not a
//! sign-in this browser started.

mod common;
#[path = "../../rapport-connectors/tests/live/oidc_provider.rs"]
mod oidc_provider;

use axum::http::StatusCode;
use common::{Call, World};
use oidc_provider::{CLIENT_ID, CLIENT_SECRET, OidcProvider, sign_in_at_provider};
use rapport_domain::Role;
use rapport_domain::sso::RoleMapping;
use rapport_engine::accounts::{OidcSettings, SingleSignOn, SsoConfig};
use rapport_web::WebConfig;

/// Rapport's callback as registered at the provider; the test hands it to the router itself.
const BACK: &str = "http://rapport.test/login/sso/callback";

fn sso(provider: &OidcProvider) -> SingleSignOn {
    SingleSignOn::new(SsoConfig {
        oidc: OidcSettings {
            issuer: provider.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_url: BACK.into(),
            scopes: vec!["email".into(), "profile".into(), "groups".into()],
            groups_claim: "groups".into(),
        },
        label: "Example <ID>".into(),
        roles: RoleMapping {
            groups: vec![("care".into(), Role::Agent)],
            default_role: None,
        },
    })
    .unwrap()
}

/// `GET /login/sso` → the provider → back to `/login/sso/callback`: the callback's answer.
async fn round_trip(world: &World, login: &str) -> common::Answer {
    let started = world.send(Call::get("/login/sso").build()).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{started:?}");
    let pending = started.cookie("rapport_sso").expect("the sign-in's cookie");
    let cookie_header = started
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("rapport_sso="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600"] {
        assert!(cookie_header.contains(attribute), "{cookie_header}");
    }
    let to = started.location().unwrap().to_string();
    let back = sign_in_at_provider(&to, login, BACK).await;
    let path = back.strip_prefix("http://rapport.test").unwrap();
    world
        .send(Call::get(path).cookie("rapport_sso", &pending).build())
        .await
}

#[tokio::test]
async fn the_login_page_signs_people_in_through_the_provider() {
    let provider = OidcProvider::start(BACK, &[("ana", &["care"]), ("dee", &["everyone"])], false);
    let world = World::with_sso(WebConfig::default(), sso(&provider)).await;
    world.user("root", Role::Admin).await;

    let login = world.send(Call::get("/login").build()).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(
        login
            .body
            .contains(r#"href="/login/sso">Sign in with Example &#60;ID&#62;</a>"#),
        "the button, its label escaped: {}",
        login.body
    );

    let back = round_trip(&world, "ana").await;
    assert!(back.is_redirect_to("/"), "{back:?}");
    let session = back.cookie("rapport_session").expect("a session cookie");
    assert!(
        back.set_cookies()
            .iter()
            .any(|c| c.starts_with("rapport_sso=;") && c.contains("Max-Age=0")),
        "the used-up sign-in is cleared: {:?}",
        back.set_cookies()
    );
    let account = world
        .send(
            Call::get("/account")
                .cookie("rapport_session", &session)
                .build(),
        )
        .await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    assert!(
        account.body.contains("<strong>ana</strong> (agent)"),
        "{}",
        account.body
    );
    assert!(account.body.contains(r#"id="sso""#), "{}", account.body);
    assert!(
        account.body.contains("ana at http://127.0.0.1:"),
        "{}",
        account.body
    );
    assert!(
        !account.body.contains(r#"action="/account/password""#),
        "no password to change: {}",
        account.body
    );
    assert!(
        account.body.contains("<td>single sign-on</td>"),
        "{}",
        account.body
    );
    // The session opens what an agent may open, and not what only admins may.
    let inbox = world
        .send(
            Call::get("/inbox")
                .cookie("rapport_session", &session)
                .build(),
        )
        .await;
    assert_eq!(inbox.status, StatusCode::OK);
    let users = world
        .send(
            Call::get("/settings/users")
                .cookie("rapport_session", &session)
                .build(),
        )
        .await;
    assert_eq!(users.status, StatusCode::FORBIDDEN);

    // Someone the mapping gives no role: the login page says so, and no session.
    let refused = round_trip(&world, "dee").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.body.contains("no group that has a role here"),
        "{}",
        refused.body
    );
    assert!(refused.cookie("rapport_session").is_none());
}

#[tokio::test]
async fn callbacks_this_browser_did_not_start_are_refused() {
    let provider = OidcProvider::start(BACK, &[("ana", &["care"])], false);
    let world = World::with_sso(WebConfig::default(), sso(&provider)).await;
    world.user("root", Role::Admin).await;

    // A callback with no sign-in started here (someone else's link, a replay): no session.
    let started = world.send(Call::get("/login/sso").build()).await;
    let to = started.location().unwrap().to_string();
    let back = sign_in_at_provider(&to, "ana", BACK).await;
    let path = back
        .strip_prefix("http://rapport.test")
        .unwrap()
        .to_string();
    let stray = world.send(Call::get(&path).build()).await;
    assert_eq!(stray.status, StatusCode::BAD_REQUEST, "{}", stray.body);
    assert!(stray.body.contains("not started here"), "{}", stray.body);
    assert!(stray.cookie("rapport_session").is_none());
    // Another browser's started sign-in does not fit this answer either.
    let other = world.send(Call::get("/login/sso").build()).await;
    let theirs = world
        .send(
            Call::get(&path)
                .cookie("rapport_sso", &other.cookie("rapport_sso").unwrap())
                .build(),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::BAD_REQUEST, "{}", theirs.body);
    // A cookie that is not ours at all, and a provider error, are answered on the login page.
    let junk = world
        .send(Call::get(&path).cookie("rapport_sso", "<script>").build())
        .await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
    let pending = started.cookie("rapport_sso").unwrap();
    let state = pending.split('.').next().unwrap();
    let denied = world
        .send(
            Call::get(format!(
                "/login/sso/callback?state={state}&error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E"
            ))
            .cookie("rapport_sso", &pending)
            .build(),
        )
        .await;
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED, "{}", denied.body);
    assert!(!denied.body.contains("<b>no</b>"), "{}", denied.body);
    assert!(denied.cookie("rapport_session").is_none());
}

#[tokio::test]
async fn without_a_provider_there_is_no_button_and_no_route() {
    let world = World::new(WebConfig::default()).await;
    world.user("root", Role::Admin).await;
    let login = world.send(Call::get("/login").build()).await;
    assert!(!login.body.contains("/login/sso"), "{}", login.body);
    let start = world.send(Call::get("/login/sso").build()).await;
    assert_eq!(start.status, StatusCode::NOT_FOUND);
}
