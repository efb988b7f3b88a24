//! Two-factor sign-in in a real browser (see `common::browser`): with the policy requiring it,
//! an agent on a phone (390x844) logs in, is held on the set-up page, scans (reads) the key,
//! turns it on with a code, keeps the recovery codes, and gets the app back; logging in again
//! takes a code. An admin at a desktop's 1366x900 reads the audit log those steps wrote.
//! Codes come from the engine tests' own RFC 6238 implementation.
//! Screenshots: `target/browser-screenshots/security-*.png`.

#[allow(dead_code)] // the RFC check runs in the engine's tests
#[path = "../../rapport-engine/tests/support/authenticator.rs"]
mod authenticator;
mod common;

use common::browser::{
    Lab, Progress, Step, at, check, click, fill, finish, fits, js, shoot, until, viewport,
};
use common::{PASSWORD, World};
use fantoccini::Client;
use rapport_domain::{Role, SecurityPolicy};
use rapport_engine::accounts::AuditActor;
use rapport_web::WebConfig;

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

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_is_held_until_two_factor_is_on_and_the_admin_sees_it_in_the_audit_log() {
    let world = World::new(WebConfig::default()).await;
    let ada = world.user("ada", Role::Admin).await;
    world
        .accounts
        .create_user("maria", "Maria Lopez", Role::Agent, PASSWORD)
        .await
        .unwrap();
    world
        .accounts
        .set_security_policy(
            &AuditActor::user(&ada, None),
            &ada,
            SecurityPolicy {
                require_two_factor: true,
            },
        )
        .await
        .unwrap();
    let Some(mut lab) = Lab::start(&world).await else {
        return;
    };
    let phone = lab.window().await;
    let mut p = Progress { step: "log in" };
    let result = async {
        viewport(&phone, 390, 844).await?;
        log_in(&phone, &lab, "maria").await?;
        p.step = "held on the set-up page";
        at(&phone, "/account/two-factor").await?;
        let nav = js(
            &phone,
            "document.querySelectorAll('nav[aria-label=Main]').length",
        )
        .await?;
        check(nav == 0, "no navigation while setting up")?;
        lab.goto(&phone, "/inbox").await?;
        at(&phone, "/account/two-factor").await?;
        shoot(&phone, "security-phone-required").await?;
        click(&phone, "button[type=submit]:not(.logout button)").await?;
        until(&phone, "the key", "!!document.getElementById('tf-secret')").await?;
        fits(&phone, "the set-up page").await?;
        let qr = js(
            &phone,
            "document.querySelector('.qr svg').getBoundingClientRect().width",
        )
        .await?;
        check(
            qr.as_f64().unwrap_or(0.0) >= 150.0,
            format!("a QR code big enough to scan: {qr}"),
        )?;
        shoot(&phone, "security-phone-setup").await?;
        let secret = js(&phone, "document.getElementById('tf-secret').textContent").await?;
        let secret = secret.as_str().unwrap_or_default().replace(' ', "");
        p.step = "turn it on";
        fill(&phone, "#tf-code", &authenticator::code(&secret, now())).await?;
        click(&phone, "form input[value=confirm] ~ button").await?;
        until(
            &phone,
            "the recovery codes",
            "!!document.getElementById('recovery')",
        )
        .await?;
        let codes = js(
            &phone,
            "document.querySelectorAll('.recovery-codes li').length",
        )
        .await?;
        check(codes == 10, format!("ten recovery codes: {codes}"))?;
        fits(&phone, "the recovery codes").await?;
        shoot(&phone, "security-phone-recovery-codes").await?;
        p.step = "the app is open again";
        lab.goto(&phone, "/inbox").await?;
        at(&phone, "/inbox").await?;
        p.step = "log in again with a code";
        click(&phone, "form.logout button").await?;
        at(&phone, "/login").await?;
        log_in(&phone, &lab, "maria").await?;
        at(&phone, "/login/two-factor").await?;
        fits(&phone, "the code page").await?;
        shoot(&phone, "security-phone-code").await?;
        fill(&phone, "#code", &authenticator::code(&secret, now())).await?;
        click(&phone, "form[action='/login/two-factor'] button").await?;
        at(&phone, "/").await
    }
    .await;
    finish(phone, result, &p, "security-phone-").await;

    let desktop = lab.window().await;
    let mut p = Progress {
        step: "log in as the admin",
    };
    let result = async {
        viewport(&desktop, 1366, 900).await?;
        // The admin has none set up either: the policy holds them too.
        log_in(&desktop, &lab, "ada").await?;
        at(&desktop, "/account/two-factor").await?;
        click(&desktop, "button[type=submit]:not(.logout button)").await?;
        until(&desktop, "the key", "!!document.getElementById('tf-secret')").await?;
        let secret = js(&desktop, "document.getElementById('tf-secret').textContent").await?;
        let secret = secret.as_str().unwrap_or_default().replace(' ', "");
        fill(&desktop, "#tf-code", &authenticator::code(&secret, now())).await?;
        click(&desktop, "form input[value=confirm] ~ button").await?;
        until(&desktop, "the recovery codes", "!!document.getElementById('recovery')").await?;
        shoot(&desktop, "security-desktop-recovery-codes").await?;
        p.step = "the audit log";
        lab.goto(&desktop, "/settings/audit").await?;
        at(&desktop, "/settings/audit").await?;
        let actions = js(
            &desktop,
            "Array.from(document.querySelectorAll('#audit tbody tr td:nth-child(3)')).map(function (t) { return t.textContent; })",
        )
        .await?;
        let list: Vec<&str> = actions
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        for expected in ["two_factor.enabled", "login.succeeded", "logout", "settings.changed"] {
            check(list.contains(&expected), format!("{expected} in the audit log: {list:?}"))?;
        }
        fits(&desktop, "the audit log").await?;
        shoot(&desktop, "security-desktop-audit").await?;
        lab.goto(&desktop, "/account").await?;
        at(&desktop, "/account").await?;
        shoot(&desktop, "security-desktop-account").await
    }
    .await;
    finish(desktop, result, &p, "security-desktop-").await;
    lab.stop().await;
}
