//! Single sign-on in a real browser (see `common::browser`) against a real OpenID Connect
//! provider (npm's `oidc-provider`, started by the test): an agent at a desktop's 1366x900
//! presses "Sign in with …" on the login page, signs in on the provider's own page, lands in
//! Rapport as a user made for them with the role their group gives, and reads on their account
//! page how they sign in; an analyst on a phone (390x844) does the same.
//! Screenshots: `target/browser-screenshots/sso-*.png`.

mod common;
#[allow(dead_code)] // the browser walks the provider itself
#[path = "../../rapport-connectors/tests/live/oidc_provider.rs"]
mod oidc_provider;

use common::World;
use common::browser::{
    Lab, Progress, Step, at, check, click, fill, finish, fits, js, shoot, until, viewport,
};
use fantoccini::Client;
use oidc_provider::{CLIENT_ID, CLIENT_SECRET, OidcProvider};
use rapport_domain::Role;
use rapport_domain::sso::RoleMapping;
use rapport_engine::accounts::{OidcSettings, SingleSignOn, SsoConfig};
use rapport_web::WebConfig;

/// From Rapport's login page through the provider's and back.
async fn sign_in_through_provider(c: &Client, lab: &Lab, login: &str, shots: &str) -> Step {
    lab.goto(c, "/login").await?;
    at(c, "/login").await?;
    fits(c, "the login page").await?;
    shoot(c, &format!("{shots}login")).await?;
    click(c, "#sso-login").await?;
    until(
        c,
        "the provider's login form",
        "!!document.querySelector('input[name=login]')",
    )
    .await?;
    shoot(c, &format!("{shots}provider")).await?;
    fill(c, "input[name=login]", login).await?;
    fill(c, "input[name=password]", "any").await?;
    click(c, "button[type=submit]").await?;
    until(
        c,
        "back in Rapport, signed in",
        &format!(
            "location.origin === '{}' && !location.pathname.startsWith('/login') && document.readyState === 'complete'",
            lab.base
        ),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_sign_in_through_their_organisations_provider_on_desktop_and_phone() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let back = format!("{base}/login/sso/callback");
    let provider = OidcProvider::start(
        &back,
        &[("maria", &["care"]), ("sam", &["marketing"])],
        false,
    );
    let sso = SingleSignOn::new(SsoConfig {
        oidc: OidcSettings {
            issuer: provider.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_url: back.clone(),
            scopes: vec!["email".into(), "profile".into(), "groups".into()],
            groups_claim: "groups".into(),
        },
        label: "Acme ID".into(),
        roles: RoleMapping {
            groups: vec![
                ("care".into(), Role::Agent),
                ("marketing".into(), Role::Analyst),
            ],
            default_role: None,
        },
    })
    .unwrap();
    let world = World::with_sso(WebConfig::default(), sso).await;
    world.user("ada", Role::Admin).await;
    let Some(mut lab) = Lab::start_listening(&world, listener).await else {
        return;
    };

    let desktop = lab.window().await;
    let mut p = Progress { step: "sign in" };
    let result = async {
        viewport(&desktop, 1366, 900).await?;
        sign_in_through_provider(&desktop, &lab, "maria", "sso-desktop-").await?;
        p.step = "the landing page";
        shoot(&desktop, "sso-desktop-landed").await?;
        lab.goto(&desktop, "/account").await?;
        at(&desktop, "/account").await?;
        p.step = "the account page";
        let said = js(&desktop, "document.querySelector('main').innerText").await?;
        let said = said.as_str().unwrap_or_default().to_string();
        check(
            said.contains("Signed in as maria (agent)"),
            format!("who: {said}"),
        )?;
        check(
            said.contains("You sign in through Acme ID"),
            format!("how: {said}"),
        )?;
        check(
            !said.contains("Change password"),
            "no password form for a user without a password",
        )?;
        fits(&desktop, "the account page").await?;
        shoot(&desktop, "sso-desktop-account").await
    }
    .await;
    finish(desktop, result, &p, "sso-desktop-").await;

    let phone = lab.window().await;
    let mut p = Progress { step: "sign in" };
    let result = async {
        viewport(&phone, 390, 844).await?;
        sign_in_through_provider(&phone, &lab, "sam", "sso-phone-").await?;
        p.step = "the landing page";
        fits(&phone, "the landing page").await?;
        shoot(&phone, "sso-phone-landed").await?;
        lab.goto(&phone, "/account").await?;
        let said = js(&phone, "document.querySelector('main').innerText").await?;
        let said = said.as_str().unwrap_or_default().to_string();
        check(
            said.contains("Signed in as sam (analyst)"),
            format!("who: {said}"),
        )?;
        fits(&phone, "the account page").await?;
        shoot(&phone, "sso-phone-account").await
    }
    .await;
    finish(phone, result, &p, "sso-phone-").await;
    lab.stop().await;
    drop(provider);
}
