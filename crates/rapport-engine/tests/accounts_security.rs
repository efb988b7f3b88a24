//! Two-factor sign-in, passwords a user changes, API tokens with an expiry and a role, the
//! security policy, and the audit entries each of them writes, on a real store with a clock
//! the test moves. Codes come from `support/authenticator.rs`, an RFC 6238 implementation of
//! the test's own.

#[path = "support/authenticator.rs"]
mod authenticator;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rapport_domain::audit::AuditQuery;
use rapport_domain::{Permission, Role, SecurityPolicy};
use rapport_engine::accounts::{
    AccountError, Accounts, AccountsConfig, AuditActor, SignIn, TokenLimits, UserUpdate, Via,
};
use rapport_store::testing::{TestStore, backend_from_env, fresh_store};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

const PW: &str = "tangerine-42-velvet";

/// Accounts whose clock the test moves by hand (seconds after a fixed instant).
async fn accounts() -> (Accounts, Arc<AtomicI64>, TestStore, DateTime<Utc>) {
    let store = fresh_store(backend_from_env()).await;
    let seconds = Arc::new(AtomicI64::new(0));
    let s = seconds.clone();
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap();
    let accounts = Accounts::new(store.store(), AccountsConfig::default())
        .with_clock(move || start + Duration::seconds(s.load(Ordering::SeqCst)));
    (accounts, seconds, store, start)
}

fn at(start: DateTime<Utc>, clock: &AtomicI64) -> i64 {
    (start + Duration::seconds(clock.load(Ordering::SeqCst))).timestamp()
}

fn from(address: &str) -> AuditActor {
    AuditActor::unknown("someone", Some(address))
}

async fn actions(a: &Accounts) -> Vec<String> {
    let mut events = a
        .audit_events(AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    events.reverse();
    events.into_iter().map(|e| e.action).collect()
}

#[test]
fn the_tests_authenticator_computes_the_rfc_6238_vectors() {
    authenticator::check_against_rfc_6238();
}

#[tokio::test]
async fn two_factor_sign_in_takes_a_fresh_code_or_a_recovery_code_once() {
    let (a, clock, _db, start) = accounts().await;
    let ana = a.setup_first_admin("ana", "", PW).await.unwrap();
    let me = AuditActor::user(&ana, Some("192.0.2.10"));

    // Nothing to confirm before a secret is offered; a wrong code does not turn it on.
    assert!(matches!(
        a.confirm_two_factor(&me, &ana, "123456").await,
        Err(AccountError::NothingToConfirm)
    ));
    let setup = a.begin_two_factor(&ana).await.unwrap();
    assert!(
        setup.url.starts_with("otpauth://totp/Rapport:ana?"),
        "{}",
        setup.url
    );
    assert!(setup.url.contains(&format!("secret={}", setup.secret)));
    assert_eq!(
        a.offered_two_factor(&ana).await.unwrap(),
        Some(setup.clone())
    );
    let wrong = authenticator::code(&setup.secret, at(start, &clock) + 300);
    assert!(matches!(
        a.confirm_two_factor(&me, &ana, &wrong).await,
        Err(AccountError::WrongCode)
    ));
    let code = authenticator::code(&setup.secret, at(start, &clock));
    let recovery = a.confirm_two_factor(&me, &ana, &code).await.unwrap();
    assert_eq!(recovery.len(), 10);
    assert!(a.user(ana.id).await.unwrap().two_factor);
    assert_eq!(a.recovery_codes_left(ana.id).await.unwrap(), 10);

    // The password alone opens a pending session that opens nothing.
    clock.fetch_add(60, Ordering::SeqCst);
    let SignIn::SecondFactorDue(pending) = a.sign_in("ana", PW, &from("192.0.2.10")).await.unwrap()
    else {
        panic!("a user with two-factor sign-in needs a code")
    };
    assert!(a.session(&pending.token).await.unwrap().is_none());
    assert_eq!(
        a.pending_sign_in(&pending.token).await.unwrap().unwrap().id,
        ana.id
    );
    assert!(matches!(
        a.login("ana", PW).await,
        Err(AccountError::SecondFactorDue)
    ));

    // A wrong code is refused and the pending sign-in waits; the right one opens a session.
    let later = authenticator::code(&setup.secret, at(start, &clock) + 120);
    assert!(matches!(
        a.finish_sign_in(&pending.token, &later, &from("192.0.2.10"))
            .await,
        Err(AccountError::WrongCode)
    ));
    let now_code = authenticator::code(&setup.secret, at(start, &clock));
    let (who, session) = a
        .finish_sign_in(&pending.token, &now_code, &from("192.0.2.10"))
        .await
        .unwrap();
    assert_eq!(who.user.id, ana.id);
    assert_ne!(session.token, pending.token, "the session is a new one");
    assert!(a.session(&session.token).await.unwrap().is_some());
    assert!(a.pending_sign_in(&pending.token).await.unwrap().is_none());

    // The same code cannot sign in twice, even within its 30 seconds.
    let SignIn::SecondFactorDue(again) = a.sign_in("ana", PW, &from("192.0.2.11")).await.unwrap()
    else {
        panic!("code due")
    };
    assert!(matches!(
        a.finish_sign_in(&again.token, &now_code, &from("192.0.2.11"))
            .await,
        Err(AccountError::WrongCode)
    ));
    // A recovery code works once, typed however.
    let typed = format!(" {} ", recovery[3].to_uppercase());
    a.finish_sign_in(&again.token, &typed, &from("192.0.2.11"))
        .await
        .unwrap();
    assert_eq!(a.recovery_codes_left(ana.id).await.unwrap(), 9);
    let SignIn::SecondFactorDue(third) = a.sign_in("ana", PW, &from("192.0.2.11")).await.unwrap()
    else {
        panic!("code due")
    };
    assert!(matches!(
        a.finish_sign_in(&third.token, &recovery[3], &from("192.0.2.11"))
            .await,
        Err(AccountError::WrongCode)
    ));
    // A pending sign-in runs out after five minutes.
    clock.fetch_add(301, Ordering::SeqCst);
    let fresh = authenticator::code(&setup.secret, at(start, &clock));
    assert!(matches!(
        a.finish_sign_in(&third.token, &fresh, &from("192.0.2.11"))
            .await,
        Err(AccountError::SignInExpired)
    ));

    assert_eq!(
        actions(&a).await,
        [
            "two_factor.enabled",
            "login.second_factor_failed",
            "login.succeeded",
            "login.second_factor_failed",
            "login.recovery_code_used",
            "login.succeeded",
            "login.second_factor_failed",
        ]
    );
    let newest = a
        .audit_events(AuditQuery {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(newest[0].address.as_deref(), Some("192.0.2.11"));
    assert_eq!(newest[0].actor, Some(ana.id));
}

#[tokio::test]
async fn turning_two_factor_off_takes_the_password_and_the_policy_can_forbid_it() {
    let (a, clock, _db, start) = accounts().await;
    let ana = a.setup_first_admin("ana", "", PW).await.unwrap();
    let bo = a.create_user("bo", "", Role::Agent, PW).await.unwrap();
    let me = AuditActor::user(&bo, None);
    let setup = a.begin_two_factor(&bo).await.unwrap();
    a.confirm_two_factor(
        &me,
        &bo,
        &authenticator::code(&setup.secret, at(start, &clock)),
    )
    .await
    .unwrap();

    let admin = AuditActor::user(&ana, None);
    a.set_security_policy(
        &admin,
        &ana,
        SecurityPolicy {
            require_two_factor: true,
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        a.disable_two_factor(&me, &bo, PW).await,
        Err(AccountError::TwoFactorRequired)
    ));
    // Ana has none: her sessions are flagged to set it up first; Bo's are not.
    let (ana_in, _) = a.login("ana", PW).await.unwrap();
    assert!(matches!(
        ana_in.via,
        Via::Session {
            enrol_two_factor: true,
            ..
        }
    ));

    a.set_security_policy(&admin, &ana, SecurityPolicy::default())
        .await
        .unwrap();
    assert!(matches!(
        a.disable_two_factor(&me, &bo, "not-the-password-1").await,
        Err(AccountError::WrongPassword)
    ));
    a.disable_two_factor(&me, &bo, PW).await.unwrap();
    assert!(!a.user(bo.id).await.unwrap().two_factor);
    let (bo_in, _) = a.login("bo", PW).await.unwrap();
    assert!(matches!(
        bo_in.via,
        Via::Session {
            enrol_two_factor: false,
            ..
        }
    ));

    // An admin resets a user's two-factor sign-in; an agent cannot.
    let setup = a.begin_two_factor(&bo).await.unwrap();
    clock.fetch_add(30, Ordering::SeqCst);
    a.confirm_two_factor(
        &me,
        &bo,
        &authenticator::code(&setup.secret, at(start, &clock)),
    )
    .await
    .unwrap();
    assert!(matches!(
        a.reset_two_factor(&me, &bo, bo.id).await,
        Err(AccountError::NotAllowed)
    ));
    a.reset_two_factor(&admin, &ana, bo.id).await.unwrap();
    assert!(!a.user(bo.id).await.unwrap().two_factor);
    assert_eq!(a.recovery_codes_left(bo.id).await.unwrap(), 0);
    let details: Vec<(String, String)> = a
        .audit_events(AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .rev()
        .filter(|e| e.action != "login.succeeded")
        .map(|e| (e.action, e.detail))
        .collect();
    assert_eq!(
        details,
        [
            (
                "two_factor.enabled".into(),
                "10 recovery codes issued".into()
            ),
            (
                "settings.changed".into(),
                "two-factor sign-in required".into()
            ),
            (
                "settings.changed".into(),
                "two-factor sign-in optional".into()
            ),
            ("two_factor.disabled".into(), String::new()),
            (
                "two_factor.enabled".into(),
                "10 recovery codes issued".into()
            ),
            (
                "two_factor.reset".into(),
                "two-factor sign-in of bo removed by an admin".into()
            ),
        ]
    );
}

#[tokio::test]
async fn a_password_change_checks_the_current_one_and_ends_the_other_sessions() {
    let (a, _, _db, _) = accounts().await;
    let ana = a.setup_first_admin("ana", "", PW).await.unwrap();
    let me = AuditActor::user(&ana, None);
    let (_, here) = a.login("ana", PW).await.unwrap();
    let (_, elsewhere) = a.login("ana", PW).await.unwrap();
    let new = "orchard-lantern-93";
    assert!(matches!(
        a.change_password(&me, &ana, "wrong-password-9", new, &here.token)
            .await,
        Err(AccountError::WrongPassword)
    ));
    assert!(matches!(
        a.change_password(&me, &ana, PW, "short", &here.token).await,
        Err(AccountError::WeakPassword(_))
    ));
    assert_eq!(
        a.change_password(&me, &ana, PW, new, &here.token)
            .await
            .unwrap(),
        1
    );
    assert!(a.session(&here.token).await.unwrap().is_some());
    assert!(a.session(&elsewhere.token).await.unwrap().is_none());
    assert!(a.verify_login("ana", PW).await.is_err());
    assert_eq!(a.verify_login("ana", new).await.unwrap().id, ana.id);

    // Sign out everywhere ends this one too.
    assert_eq!(a.end_all_sessions(&me, &ana).await.unwrap(), 1);
    assert!(a.session(&here.token).await.unwrap().is_none());

    // An admin reset ends all of the user's sessions.
    let bo = a.create_user("bo", "", Role::Agent, PW).await.unwrap();
    let (_, bo_session) = a.login("bo", PW).await.unwrap();
    assert!(matches!(
        a.reset_password(&AuditActor::user(&bo, None), &bo, ana.id, "another-pass-77")
            .await,
        Err(AccountError::NotAllowed)
    ));
    a.reset_password(&me, &ana, bo.id, "another-pass-77")
        .await
        .unwrap();
    assert!(a.session(&bo_session.token).await.unwrap().is_none());
    assert_eq!(
        a.verify_login("bo", "another-pass-77").await.unwrap().id,
        bo.id
    );
    let recorded = actions(&a).await;
    for expected in ["password.changed", "sessions.ended", "password.reset"] {
        assert!(
            recorded.contains(&expected.to_string()),
            "{expected} in {recorded:?}"
        );
    }
    // Logging in with a wrong password is recorded with the name tried and no user.
    assert!(
        a.sign_in("nobody", PW, &from("198.51.100.4"))
            .await
            .is_err()
    );
    let failed = &a
        .audit_events(AuditQuery {
            action: Some("login.failed".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()[0];
    assert_eq!(
        (
            failed.actor,
            failed.actor_name.as_str(),
            failed.address.as_deref()
        ),
        (None, "someone", Some("198.51.100.4"))
    );
}

#[tokio::test]
async fn tokens_expire_and_act_with_no_more_than_their_own_role() {
    let (a, clock, _db, start) = accounts().await;
    let ana = a.setup_first_admin("ana", "", PW).await.unwrap();
    let me = AuditActor::user(&ana, None);
    let narrow = a
        .create_limited_api_token(
            &me,
            &ana,
            "reporting",
            &[Permission::ReadReports, Permission::ManageUsers],
            TokenLimits {
                expires_at: Some(start + Duration::days(30)),
                role: Some(Role::Analyst),
            },
        )
        .await
        .unwrap();
    let caller = a.verify_api_token(&narrow.secret).await.unwrap().unwrap();
    assert!(caller.can(Permission::ReadReports));
    // In its scopes and the creator's role, but not an analyst's.
    assert!(!caller.can(Permission::ManageUsers));

    // A day before its expiry it works; at its expiry it is gone.
    clock.store(Duration::days(29).num_seconds(), Ordering::SeqCst);
    assert!(a.verify_api_token(&narrow.secret).await.unwrap().is_some());
    clock.store(Duration::days(30).num_seconds(), Ordering::SeqCst);
    assert!(a.verify_api_token(&narrow.secret).await.unwrap().is_none());

    assert!(matches!(
        a.create_limited_api_token(
            &me,
            &ana,
            "late",
            &[Permission::ReadReports],
            TokenLimits {
                expires_at: Some(start),
                role: None
            }
        )
        .await,
        Err(AccountError::ExpiryInThePast)
    ));

    // A role change and a revocation are recorded with what changed.
    let bo = a.create_user("bo", "", Role::Agent, PW).await.unwrap();
    a.update_user(
        &me,
        bo.id,
        UserUpdate {
            role: Some(Role::Admin),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(a.revoke_api_token(&me, narrow.token.id).await.unwrap());
    let events = a
        .audit_events(AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let lines: Vec<String> = events
        .iter()
        .rev()
        .map(|e| format!("{} {} {}", e.action, e.target, e.detail))
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with(&format!(
        "token.created token {} 'reporting' with scopes reports:read users:manage; acts as analyst; expires 2024-05-31",
        narrow.token.id
    )), "{}", lines[0]);
    assert_eq!(
        lines[1],
        format!("user.changed user {} bo: role agent -> admin", bo.id)
    );
    assert_eq!(
        lines[2],
        format!("token.revoked token {} ", narrow.token.id)
    );
}

/// Signs in with the password and a code made from `secret` at `now` (Unix seconds).
async fn code_sign_in(
    a: &Accounts,
    name: &str,
    secret: &str,
    now: i64,
) -> Result<
    (
        rapport_engine::accounts::Principal,
        rapport_engine::accounts::NewSession,
    ),
    AccountError,
> {
    let SignIn::SecondFactorDue(pending) = a.sign_in(name, PW, &from("192.0.2.1")).await? else {
        panic!("a code is due")
    };
    let code = authenticator::code(secret, now);
    a.finish_sign_in(&pending.token, &code, &from("192.0.2.1"))
        .await
}

/// Two-factor secrets at rest: sealed under the secret key, so the database alone makes no
/// codes; secrets kept in the clear before the key are sealed at start-up and keep working;
/// without the key a sealed secret is an error that says so, not a way in.
#[tokio::test]
async fn two_factor_secrets_are_stored_sealed_under_the_secret_key() {
    use rapport_engine::channels::SecretKey;
    let store = fresh_store(backend_from_env()).await;
    let seconds = Arc::new(AtomicI64::new(0));
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap();
    let clock = |s: Arc<AtomicI64>| move || start + Duration::seconds(s.load(Ordering::SeqCst));
    let key = SecretKey::generate();
    let plain =
        Accounts::new(store.store(), AccountsConfig::default()).with_clock(clock(seconds.clone()));
    let sealed = Accounts::new(store.store(), AccountsConfig::default())
        .with_clock(clock(seconds.clone()))
        .with_secret_key(key.clone());
    let ana = plain.setup_first_admin("ana", "", PW).await.unwrap();
    let bo = plain.create_user("bo", "", Role::Agent, PW).await.unwrap();
    let raw = |user| {
        let store = store.store();
        async move { store.two_factor().two_factor(user).await.unwrap() }
    };

    // Set up with the key: what the store holds is not the secret, nor readable as one.
    let setup = sealed.begin_two_factor(&bo).await.unwrap();
    let offered = raw(bo.id).await.pending.unwrap();
    assert!(
        offered.starts_with("v1:") && !offered.contains(&setup.secret),
        "{offered}"
    );
    assert_eq!(
        sealed.offered_two_factor(&bo).await.unwrap(),
        Some(setup.clone())
    );
    let me = AuditActor::user(&bo, None);
    let code = authenticator::code(&setup.secret, at(start, &seconds));
    sealed.confirm_two_factor(&me, &bo, &code).await.unwrap();
    let kept = raw(bo.id).await.secret.unwrap();
    assert!(
        kept.starts_with("v1:") && !kept.contains(&setup.secret),
        "{kept}"
    );

    seconds.fetch_add(60, Ordering::SeqCst);
    assert!(
        code_sign_in(&sealed, "bo", &setup.secret, at(start, &seconds))
            .await
            .is_ok()
    );
    // Without the key (or with another), the sealed secret opens nothing.
    seconds.fetch_add(60, Ordering::SeqCst);
    let r = code_sign_in(&plain, "bo", &setup.secret, at(start, &seconds)).await;
    assert!(
        matches!(r, Err(AccountError::SealedSecret(id)) if id == bo.id),
        "{r:?}"
    );
    let other = Accounts::new(store.store(), AccountsConfig::default())
        .with_clock(clock(seconds.clone()))
        .with_secret_key(SecretKey::generate());
    let r = code_sign_in(&other, "bo", &setup.secret, at(start, &seconds)).await;
    assert!(matches!(r, Err(AccountError::SealedSecret(_))), "{r:?}");
    // A sealed secret copied onto another user's row does not open there.
    store
        .store()
        .two_factor()
        .offer_totp(ana.id, &kept)
        .await
        .unwrap();
    assert!(matches!(
        sealed.offered_two_factor(&ana).await,
        Err(AccountError::SealedSecret(id)) if id == ana.id
    ));

    // A secret set up before there was a key is in the clear; sealing finds it (and the
    // clear offer), and it keeps working.
    let ana_setup = plain.begin_two_factor(&ana).await.unwrap();
    let code = authenticator::code(&ana_setup.secret, at(start, &seconds));
    plain
        .confirm_two_factor(&AuditActor::user(&ana, None), &ana, &code)
        .await
        .unwrap();
    assert_eq!(
        raw(ana.id).await.secret.as_deref(),
        Some(ana_setup.secret.as_str())
    );
    assert_eq!(sealed.seal_two_factor_secrets().await.unwrap(), 1);
    assert_eq!(sealed.seal_two_factor_secrets().await.unwrap(), 0);
    let now_kept = raw(ana.id).await.secret.unwrap();
    assert!(now_kept.starts_with("v1:") && !now_kept.contains(&ana_setup.secret));
    seconds.fetch_add(60, Ordering::SeqCst);
    assert!(
        code_sign_in(&sealed, "ana", &ana_setup.secret, at(start, &seconds))
            .await
            .is_ok()
    );
    // Without a key, sealing does nothing.
    assert_eq!(plain.seal_two_factor_secrets().await.unwrap(), 0);
}
