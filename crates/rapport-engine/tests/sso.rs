//! Single sign-on as a use case, against a real OpenID Connect provider (npm's
//! `oidc-provider`, started by the test) and a real store: users made just in time with the
//! role their groups give, the role following the groups, refusals written to the audit log,
//! no linking by name, and sessions the two-factor policy leaves alone.

#[path = "../../rapport-connectors/tests/live/oidc_provider.rs"]
mod oidc_provider;

use oidc_provider::{CLIENT_ID, CLIENT_SECRET, OidcProvider, sign_in_at_provider};
use rapport_domain::audit::AuditQuery;
use rapport_domain::sso::RoleMapping;
use rapport_domain::{Role, SecurityPolicy};
use rapport_engine::accounts::{
    AccountError, Accounts, AccountsConfig, AuditActor, OidcCallback, OidcSettings, SingleSignOn,
    SsoConfig, SsoError, UserUpdate, Via,
};
use rapport_store::testing::{TestStore, backend_from_env, fresh_store};

const BACK: &str = "http://127.0.0.1:9/login/sso/callback";
const PW: &str = "tangerine-42-velvet";

fn mapping(groups: &[(&str, Role)], default_role: Option<Role>) -> RoleMapping {
    RoleMapping {
        groups: groups.iter().map(|(g, r)| (g.to_string(), *r)).collect(),
        default_role,
    }
}

fn accounts(store: &TestStore, provider: &OidcProvider, roles: RoleMapping) -> Accounts {
    let sso = SingleSignOn::new(SsoConfig {
        oidc: OidcSettings {
            issuer: provider.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_url: BACK.into(),
            scopes: vec!["email".into(), "profile".into(), "groups".into()],
            groups_claim: "groups".into(),
        },
        label: "Example ID".into(),
        roles,
    })
    .unwrap();
    Accounts::new(store.store(), AccountsConfig::default()).with_sso(sso)
}

fn callback(url: &str) -> OidcCallback {
    let url = reqwest::Url::parse(url).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    OidcCallback {
        code: q.get("code").cloned(),
        state: q.get("state").cloned(),
        iss: q.get("iss").cloned(),
        error: q.get("error").cloned(),
        error_description: q.get("error_description").cloned(),
    }
}

/// The whole round: start, sign in at the provider as `login`, finish.
async fn sign_in(
    a: &Accounts,
    login: &str,
) -> Result<
    (
        rapport_engine::accounts::Principal,
        rapport_engine::accounts::NewSession,
    ),
    AccountError,
> {
    let start = a.sso().unwrap().start().await.unwrap();
    let back = sign_in_at_provider(&start.url, login, BACK).await;
    a.sso_sign_in(&start.pending, &callback(&back), Some("192.0.2.7"))
        .await
}

async fn audit(a: &Accounts) -> Vec<(String, String)> {
    let mut events = a
        .audit_events(AuditQuery {
            limit: 200,
            ..Default::default()
        })
        .await
        .unwrap();
    events.reverse();
    events.into_iter().map(|e| (e.action, e.detail)).collect()
}

#[tokio::test]
async fn people_become_users_with_the_role_their_groups_give_and_keep_it_in_step() {
    let provider = OidcProvider::start(
        BACK,
        &[
            ("ana", &["rapport-admins", "care"]),
            ("bo", &["care"]),
            ("cy", &["marketing", "everyone"]),
            ("dee", &["everyone"]),
        ],
        false,
    );
    let store = fresh_store(backend_from_env()).await;
    let roles = mapping(
        &[
            ("rapport-admins", Role::Admin),
            ("care", Role::Agent),
            ("marketing", Role::Analyst),
        ],
        None,
    );
    let a = accounts(&store, &provider, roles.clone());
    // Two-factor sign-in is required: it holds password users, not provider sign-ins.
    let admin = a.setup_first_admin("root", "", PW).await.unwrap();
    a.set_security_policy(
        &AuditActor::user(&admin, None),
        &admin,
        SecurityPolicy {
            require_two_factor: true,
        },
    )
    .await
    .unwrap();

    let (ana, session) = sign_in(&a, "ana").await.unwrap();
    assert_eq!(
        (
            ana.user.name.as_str(),
            ana.user.display_name.as_str(),
            ana.user.role
        ),
        ("ana", "Ana", Role::Admin)
    );
    assert!(
        matches!(
            ana.via,
            Via::Session {
                enrol_two_factor: false,
                ..
            }
        ),
        "{:?}",
        ana.via
    );
    // The session opens pages, and says it came through the provider.
    let again = a.session(&session.token).await.unwrap().unwrap();
    assert_eq!(again.user.id, ana.user.id);
    assert!(matches!(
        again.via,
        Via::Session {
            enrol_two_factor: false,
            ..
        }
    ));
    assert!(a.sessions_of(ana.user.id).await.unwrap()[0].single_sign_on);
    // No password opens the account.
    assert!(!a.has_password(&ana.user).await.unwrap());
    assert!(matches!(
        a.login("ana", rapport_engine::accounts::NO_PASSWORD).await,
        Err(AccountError::InvalidCredentials)
    ));

    let (bo, _) = sign_in(&a, "bo").await.unwrap();
    let (cy, _) = sign_in(&a, "cy").await.unwrap();
    assert_eq!((bo.user.role, cy.user.role), (Role::Agent, Role::Analyst));

    // In no mapped group, without a default: refused, and no user made.
    let users_before = a.users().await.unwrap().len();
    let dee = sign_in(&a, "dee").await;
    assert!(
        matches!(dee, Err(AccountError::Sso(SsoError::NoRole))),
        "{dee:?}"
    );
    assert_eq!(a.users().await.unwrap().len(), users_before);

    // A second sign-in is the same user, not a new one.
    let (ana2, _) = sign_in(&a, "ana").await.unwrap();
    assert_eq!(ana2.user.id, ana.user.id);
    assert_eq!(a.users().await.unwrap().len(), users_before);

    // The groups now give bo another role (the admin remapped "care"): it follows at sign-in.
    let remapped = accounts(
        &store,
        &provider,
        mapping(
            &[("rapport-admins", Role::Admin), ("care", Role::Analyst)],
            Some(Role::Analyst),
        ),
    );
    let (bo2, _) = sign_in(&remapped, "bo").await.unwrap();
    assert_eq!((bo2.user.id, bo2.user.role), (bo.user.id, Role::Analyst));
    assert_eq!(remapped.user(bo.user.id).await.unwrap().role, Role::Analyst);
    // ... and a default role lets dee in now.
    let (dee, _) = sign_in(&remapped, "dee").await.unwrap();
    assert_eq!(dee.user.role, Role::Analyst);

    // A deactivated user stays out, whatever the provider says.
    a.update_user(
        &AuditActor::user(&admin, None),
        cy.user.id,
        UserUpdate {
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let r = sign_in(&a, "cy").await;
    assert!(
        matches!(r, Err(AccountError::Sso(SsoError::Deactivated))),
        "{r:?}"
    );

    let log = audit(&a).await;
    let created: Vec<&str> = log
        .iter()
        .filter(|(action, _)| action == "user.created")
        .map(|(_, d)| d.as_str())
        .collect();
    assert_eq!(created.len(), 4, "{created:?}");
    assert!(
        created[0].starts_with("ana as admin by single sign-on as ana at http://127.0.0.1:"),
        "{created:?}"
    );
    let refused: Vec<&str> = log
        .iter()
        .filter(|(action, _)| action == "login.sso_refused")
        .map(|(_, d)| d.as_str())
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused[0].contains("dee at") && refused[0].contains("no group"),
        "{refused:?}"
    );
    assert!(
        refused[1].contains("cy at") && refused[1].contains("deactivated"),
        "{refused:?}"
    );
    assert!(
        log.iter()
            .any(|(action, d)| action == "user.changed" && d.contains("bo: role agent -> analyst")),
        "{log:?}"
    );
    let logins = log
        .iter()
        .filter(|(action, d)| action == "login.succeeded" && d.starts_with("single sign-on as"))
        .count();
    assert_eq!(logins, 6);
}

#[tokio::test]
async fn a_taken_name_is_never_linked_by_itself_and_an_admin_links_it() {
    let provider = OidcProvider::start(BACK, &[("ana", &["care"])], false);
    let store = fresh_store(backend_from_env()).await;
    let a = accounts(&store, &provider, mapping(&[("care", Role::Agent)], None));
    let admin = a.setup_first_admin("root", "", PW).await.unwrap();
    // A local "ana" exists: someone at the provider named ana is not her by that alone.
    let local = a
        .create_user("Ana", "Ana Local", Role::Analyst, PW)
        .await
        .unwrap();
    let r = sign_in(&a, "ana").await;
    match r {
        Err(AccountError::Sso(SsoError::NameTaken(name))) => assert_eq!(name, "ana"),
        other => panic!("{other:?}"),
    }
    assert!(a.sso_links_of(local.id).await.unwrap().is_empty());

    // An admin links them; the next sign-in is as her, with the role her groups give, and
    // her password still works (she had one).
    a.link_sso(
        &AuditActor::user(&admin, None),
        local.id,
        &provider.issuer,
        "ana",
    )
    .await
    .unwrap();
    let (ana, _) = sign_in(&a, "ana").await.unwrap();
    assert_eq!((ana.user.id, ana.user.role), (local.id, Role::Agent));
    assert!(a.has_password(&ana.user).await.unwrap());
    assert!(a.login("ana", PW).await.is_ok());
    let links = a.sso_links_of(local.id).await.unwrap();
    assert_eq!(links.len(), 1);
    assert!(links[0].last_sign_in_at >= links[0].created_at);
}

#[tokio::test]
async fn the_last_admin_keeps_the_role_when_the_groups_say_otherwise() {
    let provider = OidcProvider::start(BACK, &[("ana", &["care"])], false);
    let store = fresh_store(backend_from_env()).await;
    let a = accounts(&store, &provider, mapping(&[("care", Role::Admin)], None));
    let (ana, _) = sign_in(&a, "ana").await.unwrap();
    assert_eq!(ana.user.role, Role::Admin);
    // "care" no longer makes admins, but ana is the only admin there is.
    let demoting = accounts(&store, &provider, mapping(&[("care", Role::Agent)], None));
    let (ana, _) = sign_in(&demoting, "ana").await.unwrap();
    assert_eq!(ana.user.role, Role::Admin);
}
