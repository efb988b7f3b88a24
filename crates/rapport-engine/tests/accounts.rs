//! Accounts on a real store: users, logins, sessions that expire, API tokens that are revoked.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rapport_domain::{Permission, Role};
use rapport_engine::accounts::{AccountError, Accounts, AccountsConfig, AuditActor, Via};
use rapport_store::testing::{TestStore, backend_from_env, fresh_store};
use rapport_store::users::UserUpdate;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

const PW: &str = "tangerine-42-velvet";

/// Who the audit log says acted, in tests that are not about it.
fn by() -> AuditActor {
    AuditActor::unknown("test", None)
}

/// Accounts whose clock the test moves by hand (minutes after a fixed instant).
async fn accounts() -> (Accounts, Arc<AtomicI64>, TestStore) {
    let store = fresh_store(backend_from_env()).await;
    let minutes = Arc::new(AtomicI64::new(0));
    let m = minutes.clone();
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap();
    let accounts = Accounts::new(store.store(), AccountsConfig::default())
        .with_clock(move || start + Duration::minutes(m.load(Ordering::SeqCst)));
    (accounts, minutes, store)
}

#[tokio::test]
async fn first_run_setup_makes_one_admin_and_then_closes() {
    let (a, _, _db) = accounts().await;
    assert!(a.needs_setup().await.unwrap());
    let admin = a.setup_first_admin("ana", "Ana Silva", PW).await.unwrap();
    assert_eq!(
        (admin.role, admin.display_name.as_str()),
        (Role::Admin, "Ana Silva")
    );
    assert!(!a.needs_setup().await.unwrap());
    let again = a.setup_first_admin("eve", "", PW).await.unwrap_err();
    assert!(matches!(again, AccountError::AlreadySetUp), "{again}");
    assert_eq!(a.users().await.unwrap().len(), 1);
}

#[tokio::test]
async fn names_and_passwords_are_checked_before_anything_is_stored() {
    let (a, _, _db) = accounts().await;
    for (name, pw) in [
        ("", PW),
        ("has space", PW),
        ("bo", "short"),
        ("bo", "bbbbbbbbbbbb"),
    ] {
        assert!(
            a.create_user(name, "", Role::Agent, pw).await.is_err(),
            "{name:?} {pw:?}"
        );
    }
    assert!(a.users().await.unwrap().is_empty());
    a.create_user("bo", "", Role::Agent, PW).await.unwrap();
    let taken = a
        .create_user("BO", "", Role::Analyst, PW)
        .await
        .unwrap_err();
    assert_eq!(taken.to_string(), "user 'BO' already exists");
}

#[tokio::test]
async fn logins_fail_alike_for_wrong_passwords_unknown_and_inactive_users() {
    let (a, _, _db) = accounts().await;
    let admin = a.setup_first_admin("ana", "", PW).await.unwrap();
    let bo = a.create_user("bo", "", Role::Agent, PW).await.unwrap();
    assert_eq!(a.verify_login("Ana", PW).await.unwrap().id, admin.id);
    for (name, pw) in [("ana", "tangerine-42-velvex"), ("nobody", PW)] {
        let e = a.verify_login(name, pw).await.unwrap_err();
        assert!(matches!(e, AccountError::InvalidCredentials), "{e}");
    }
    a.update_user(
        &by(),
        bo.id,
        UserUpdate {
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        a.verify_login("bo", PW).await,
        Err(AccountError::InvalidCredentials)
    ));
}

#[tokio::test]
async fn sessions_slide_then_expire_and_end_on_logout_or_deactivation() {
    let (a, clock, _db) = accounts().await;
    a.setup_first_admin("ana", "", PW).await.unwrap();
    let bo = a.create_user("bo", "", Role::Agent, PW).await.unwrap();
    let (who, s) = a.login("ana", PW).await.unwrap();
    assert_eq!(who.user.name, "ana");
    let Via::Session { csrf_token, .. } = &who.via else {
        panic!("a session")
    };
    assert_eq!(csrf_token, &s.csrf_token);
    assert_eq!(s.token.len(), 64);

    // Used every 11 hours, the 12-hour idle limit never bites...
    for step in 1..=3 {
        clock.store(step * 11 * 60, Ordering::SeqCst);
        assert!(a.session(&s.token).await.unwrap().is_some(), "step {step}");
    }
    // ...but 13 idle hours end it.
    clock.store(33 * 60 + 13 * 60, Ordering::SeqCst);
    assert!(a.session(&s.token).await.unwrap().is_none());

    let (_, s2) = a.login("ana", PW).await.unwrap();
    assert!(a.session(&s2.token).await.unwrap().is_some());
    a.logout(&s2.token, None).await.unwrap();
    assert!(a.session(&s2.token).await.unwrap().is_none());
    assert!(a.session("not-a-token").await.unwrap().is_none());

    let (_, s3) = a.login("bo", PW).await.unwrap();
    a.update_user(
        &by(),
        bo.id,
        UserUpdate {
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(a.session(&s3.token).await.unwrap().is_none());
}

#[tokio::test]
async fn api_tokens_are_shown_once_scoped_and_revoked() {
    let (a, _, store) = accounts().await;
    let admin = a.setup_first_admin("ana", "", PW).await.unwrap();
    let agent = a.create_user("bo", "", Role::Agent, PW).await.unwrap();
    assert!(matches!(
        a.create_api_token(&agent, "mine", &[Permission::ReadTopics])
            .await,
        Err(AccountError::NotAllowed)
    ));
    assert!(matches!(
        a.create_api_token(&admin, "none", &[]).await,
        Err(AccountError::NoScopes)
    ));

    let made = a
        .create_api_token(
            &admin,
            "reports",
            &[Permission::ReadTopics, Permission::ReadReports],
        )
        .await
        .unwrap();
    assert!(made.secret.starts_with("rap_"));
    // The store holds only the digest.
    let stored = store.sessions().api_tokens().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].token_hash, made.secret);
    assert!(!stored[0].token_hash.contains(&made.secret[4..]));

    let who = a.verify_api_token(&made.secret).await.unwrap().unwrap();
    assert_eq!(who.user.id, admin.id);
    assert!(who.can(Permission::ReadTopics));
    assert!(
        !who.can(Permission::WriteTopics),
        "the role allows it, the scopes do not"
    );
    assert!(a.verify_api_token("rap_0000").await.unwrap().is_none());
    assert!(a.verify_api_token("").await.unwrap().is_none());

    assert!(a.revoke_api_token(&by(), made.token.id).await.unwrap());
    assert!(a.verify_api_token(&made.secret).await.unwrap().is_none());
    assert!(!a.revoke_api_token(&by(), made.token.id).await.unwrap());
}

#[tokio::test]
async fn the_last_admin_stays_an_admin() {
    let (a, _, _db) = accounts().await;
    let admin = a.setup_first_admin("ana", "", PW).await.unwrap();
    let demote = UserUpdate {
        role: Some(Role::Agent),
        ..Default::default()
    };
    assert!(matches!(
        a.update_user(&by(), admin.id, demote.clone()).await,
        Err(AccountError::LastAdmin)
    ));
    let second = a.create_user("cy", "", Role::Admin, PW).await.unwrap();
    assert_eq!(
        a.update_user(&by(), admin.id, demote).await.unwrap().role,
        Role::Agent
    );
    let off = UserUpdate {
        active: Some(false),
        ..Default::default()
    };
    assert!(matches!(
        a.update_user(&by(), second.id, off).await,
        Err(AccountError::LastAdmin)
    ));
}

#[tokio::test]
async fn a_token_in_constant_use_writes_its_last_use_once_a_minute() {
    let store = fresh_store(backend_from_env()).await;
    let seconds = Arc::new(AtomicI64::new(0));
    let s = seconds.clone();
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap();
    let a = Accounts::new(store.store(), AccountsConfig::default())
        .with_clock(move || start + Duration::seconds(s.load(Ordering::SeqCst)));
    let admin = a.setup_first_admin("ana", "", PW).await.unwrap();
    let made = a
        .create_api_token(&admin, "poller", &[Permission::ReadTopics])
        .await
        .unwrap();
    let last_used = || async { store.sessions().api_tokens().await.unwrap()[0].last_used_at };
    assert_eq!(last_used().await, None);

    a.verify_api_token(&made.secret).await.unwrap().unwrap();
    assert_eq!(last_used().await, Some(start), "the first use is recorded");
    // Calls through the next minute are answered without a write.
    for at in [5, 20, 45, 59] {
        seconds.store(at, Ordering::SeqCst);
        a.verify_api_token(&made.secret).await.unwrap().unwrap();
    }
    assert_eq!(last_used().await, Some(start));
    // A minute after the last write, the next use is recorded again.
    seconds.store(61, Ordering::SeqCst);
    a.verify_api_token(&made.secret).await.unwrap().unwrap();
    assert_eq!(last_used().await, Some(start + Duration::seconds(61)));
}
