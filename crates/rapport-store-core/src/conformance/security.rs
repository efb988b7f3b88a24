//! Two-factor secrets, recovery codes and the audit log.

use crate::Store;
use crate::users::NewUser;
use chrono::{DateTime, Duration, TimeZone, Utc};
use rapport_domain::audit::{AuditAction, AuditQuery, NewAuditEvent};
use rapport_domain::{Role, User, UserId};
use std::sync::Arc;

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap() + Duration::minutes(minute)
}

async fn user(store: &dyn Store, name: &str) -> User {
    store
        .users()
        .create_user(&NewUser {
            name: name.into(),
            display_name: name.into(),
            role: Role::Agent,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$salt$x".into(),
            created_at: t(0),
        })
        .await
        .unwrap()
}

pub async fn two_factor_is_offered_confirmed_and_codes_work_once(store: Arc<dyn Store>) {
    let store = &*store;
    let ana = user(store, "ana").await;
    let bo = user(store, "bo").await;
    let tf = store.two_factor();
    assert_eq!(tf.two_factor(ana.id).await.unwrap(), Default::default());
    assert!(tf.two_factor(UserId(999)).await.is_err());

    tf.offer_totp(ana.id, "OLDSECRET").await.unwrap();
    tf.offer_totp(ana.id, "NEWSECRET").await.unwrap();
    assert_eq!(
        tf.two_factor(ana.id).await.unwrap().pending.as_deref(),
        Some("NEWSECRET")
    );
    // Only the secret on offer now can be confirmed.
    let codes = vec!["h-one".to_string(), "h-two".to_string()];
    assert!(
        !tf.enable_totp(ana.id, "OLDSECRET", &codes, t(1))
            .await
            .unwrap()
    );
    assert!(
        tf.enable_totp(ana.id, "NEWSECRET", &codes, t(1))
            .await
            .unwrap()
    );
    let on = tf.two_factor(ana.id).await.unwrap();
    assert_eq!(on.secret.as_deref(), Some("NEWSECRET"));
    assert_eq!(
        (on.pending, on.enabled_at, on.recovery_left),
        (None, Some(t(1)), 2)
    );
    assert_eq!(tf.two_factor_users().await.unwrap(), vec![ana.id]);
    assert!(
        store
            .users()
            .user(ana.id)
            .await
            .unwrap()
            .unwrap()
            .two_factor
    );
    assert!(!store.users().user(bo.id).await.unwrap().unwrap().two_factor);

    // A time step is accepted once, and no step before it afterwards.
    assert!(tf.use_totp_step(ana.id, 100).await.unwrap());
    assert!(!tf.use_totp_step(ana.id, 100).await.unwrap());
    assert!(!tf.use_totp_step(ana.id, 99).await.unwrap());
    assert!(tf.use_totp_step(ana.id, 101).await.unwrap());
    // Without two-factor on, no step is accepted.
    assert!(!tf.use_totp_step(bo.id, 5).await.unwrap());

    assert!(tf.use_recovery_code(ana.id, "h-one", t(2)).await.unwrap());
    assert!(!tf.use_recovery_code(ana.id, "h-one", t(3)).await.unwrap());
    assert!(!tf.use_recovery_code(bo.id, "h-two", t(3)).await.unwrap());
    assert!(!tf.use_recovery_code(ana.id, "h-none", t(3)).await.unwrap());
    assert_eq!(tf.two_factor(ana.id).await.unwrap().recovery_left, 1);

    tf.disable_totp(ana.id).await.unwrap();
    assert_eq!(tf.two_factor(ana.id).await.unwrap(), Default::default());
    assert!(!tf.use_recovery_code(ana.id, "h-two", t(4)).await.unwrap());
    assert!(tf.two_factor_users().await.unwrap().is_empty());
    assert!(
        !store
            .users()
            .user(ana.id)
            .await
            .unwrap()
            .unwrap()
            .two_factor
    );

    // Turned on again, the old steps no longer count as used.
    tf.offer_totp(ana.id, "THIRD").await.unwrap();
    assert!(tf.enable_totp(ana.id, "THIRD", &[], t(5)).await.unwrap());
    assert!(tf.use_totp_step(ana.id, 50).await.unwrap());

    // A stored secret and a stored offer are replaced (sealed) only where they still are
    // what was read, and no one else's.
    tf.offer_totp(ana.id, "OFFER").await.unwrap();
    tf.offer_totp(bo.id, "THIRD").await.unwrap();
    assert!(
        tf.replace_totp_secret(ana.id, "THIRD", "v1:sealed-third")
            .await
            .unwrap()
    );
    assert!(
        tf.replace_totp_secret(ana.id, "OFFER", "v1:sealed-offer")
            .await
            .unwrap()
    );
    assert!(
        !tf.replace_totp_secret(ana.id, "THIRD", "v1:again")
            .await
            .unwrap()
    );
    let now = tf.two_factor(ana.id).await.unwrap();
    assert_eq!(
        (now.secret.as_deref(), now.pending.as_deref()),
        (Some("v1:sealed-third"), Some("v1:sealed-offer"))
    );
    assert_eq!(
        tf.two_factor(bo.id).await.unwrap().pending.as_deref(),
        Some("THIRD")
    );
}

fn entry(minute: i64, actor: Option<UserId>, action: AuditAction, target: &str) -> NewAuditEvent {
    NewAuditEvent {
        at: t(minute),
        actor,
        actor_name: actor.map_or("someone".into(), |a| format!("user{a}")),
        action,
        target: target.into(),
        detail: format!("detail of {target}"),
        address: actor.map(|_| "192.0.2.7".to_string()),
    }
}

pub async fn the_audit_log_lists_newest_first_and_filters(store: Arc<dyn Store>) {
    let log = store.audit();
    let (a, b) = (Some(UserId(1)), Some(UserId(2)));
    let first = log
        .append_audit(&entry(1, None, AuditAction::LoginFailed, "user ana"))
        .await
        .unwrap();
    assert_eq!(
        (
            first.actor,
            first.actor_name.as_str(),
            first.action.as_str()
        ),
        (None, "someone", "login.failed")
    );
    assert_eq!(first.at, t(1));
    assert_eq!(first.address, None);
    let mut ids = vec![first.id];
    for (m, actor, action, target) in [
        (2, a, AuditAction::LoginSucceeded, "user 1"),
        (3, a, AuditAction::UserChanged, "user 2"),
        (4, b, AuditAction::LoginSucceeded, "user 2"),
        (5, a, AuditAction::SettingsChanged, "POST /settings/sla"),
    ] {
        let e = log
            .append_audit(&entry(m, actor, action, target))
            .await
            .unwrap();
        assert_eq!(e.detail, format!("detail of {target}"));
        assert_eq!(e.address.as_deref(), Some("192.0.2.7"));
        ids.push(e.id);
    }
    let all = log
        .audit_events(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let listed: Vec<i64> = all.iter().map(|e| e.id).collect();
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(listed, newest_first);

    let page = log
        .audit_events(&AuditQuery {
            before: Some(ids[3]),
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );

    let logins = log
        .audit_events(&AuditQuery {
            action: Some("login.succeeded".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        logins.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[3], ids[1]]
    );

    let by_a = log
        .audit_events(&AuditQuery {
            actor: a,
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        by_a.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[4], ids[2], ids[1]]
    );
}
