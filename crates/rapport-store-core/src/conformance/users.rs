//! Users, sessions and API tokens.

use crate::users::{NewApiToken, NewUser, Session, UserUpdate};
use crate::{Store, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rapport_domain::{Permission, Role, UserId};
use std::sync::Arc;

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap() + Duration::minutes(minute)
}

fn new_user(name: &str, role: Role) -> NewUser {
    NewUser {
        name: name.into(),
        display_name: format!("{name} display"),
        role,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${name}"),
        created_at: t(0),
    }
}

fn session(hash: &str, user: UserId, expires: i64) -> Session {
    Session {
        token_hash: hash.into(),
        user_id: user,
        csrf_token: format!("csrf-{hash}"),
        created_at: t(0),
        last_seen_at: t(0),
        expires_at: t(expires),
        second_factor_due: false,
        single_sign_on: false,
    }
}

pub async fn users_are_created_found_and_unique_whatever_the_case(store: Arc<dyn Store>) {
    let users: &dyn Store = &*store;
    assert_eq!(users.users().user_count().await.unwrap(), 0);
    let ana = users
        .users()
        .create_user(&new_user("Ana", Role::Admin))
        .await
        .unwrap();
    assert_eq!(
        (ana.name.as_str(), ana.role, ana.active),
        ("Ana", Role::Admin, true)
    );
    assert_eq!(ana.display_name, "Ana display");
    assert_eq!(ana.created_at, t(0));
    let err = users
        .users()
        .create_user(&new_user("ana", Role::Agent))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(err.to_string(), "user 'ana' already exists");
    let bo = users
        .users()
        .create_user(&new_user("bo", Role::Analyst))
        .await
        .unwrap();

    let (found, hash) = users
        .users()
        .user_credentials("ANA")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, ana);
    assert_eq!(hash, "$argon2id$v=19$m=19456,t=2,p=1$salt$Ana");
    assert!(
        users
            .users()
            .user_credentials("nobody")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(users.users().user(bo.id).await.unwrap(), Some(bo.clone()));
    assert_eq!(users.users().user(UserId(9_999)).await.unwrap(), None);
    assert_eq!(users.users().users().await.unwrap(), vec![ana, bo]);
    assert_eq!(users.users().user_count().await.unwrap(), 2);
}

pub async fn the_first_user_is_made_once(store: Arc<dyn Store>) {
    let first = store
        .users()
        .create_first_user(&new_user("root", Role::Admin))
        .await
        .unwrap();
    assert_eq!(first.map(|u| u.name), Some("root".to_string()));
    let second = store
        .users()
        .create_first_user(&new_user("other", Role::Admin))
        .await
        .unwrap();
    assert!(second.is_none());
    assert_eq!(store.users().user_count().await.unwrap(), 1);
}

pub async fn users_are_updated_and_passwords_replaced(store: Arc<dyn Store>) {
    let u = store
        .users()
        .create_user(&new_user("cy", Role::Agent))
        .await
        .unwrap();
    let changed = store
        .users()
        .update_user(
            u.id,
            &UserUpdate {
                role: Some(Role::Analyst),
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.role, changed.active, changed.display_name.as_str()),
        (Role::Analyst, false, "cy display")
    );
    let renamed = store
        .users()
        .update_user(
            u.id,
            &UserUpdate {
                display_name: Some("Cy".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.role, renamed.active, renamed.display_name.as_str()),
        (Role::Analyst, false, "Cy")
    );
    store
        .users()
        .set_password_hash(u.id, "$argon2id$new")
        .await
        .unwrap();
    assert_eq!(
        store
            .users()
            .user_credentials("cy")
            .await
            .unwrap()
            .unwrap()
            .1,
        "$argon2id$new"
    );
    let missing = store
        .users()
        .update_user(UserId(4_242), &UserUpdate::default())
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing}");
    assert!(matches!(
        store.users().set_password_hash(UserId(4_242), "x").await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn sessions_are_kept_touched_and_removed(store: Arc<dyn Store>) {
    let a = store
        .users()
        .create_user(&new_user("a", Role::Agent))
        .await
        .unwrap();
    let b = store
        .users()
        .create_user(&new_user("b", Role::Agent))
        .await
        .unwrap();
    store
        .sessions()
        .create_session(&session("h1", a.id, 60))
        .await
        .unwrap();
    store
        .sessions()
        .create_session(&session("h2", a.id, 5))
        .await
        .unwrap();
    store
        .sessions()
        .create_session(&session("h3", b.id, 60))
        .await
        .unwrap();
    assert!(matches!(
        store
            .sessions()
            .create_session(&session("h1", b.id, 1))
            .await,
        Err(StoreError::Conflict(_))
    ));

    assert_eq!(
        store.sessions().session("h1").await.unwrap(),
        Some(session("h1", a.id, 60))
    );
    assert_eq!(store.sessions().session("nope").await.unwrap(), None);

    store
        .sessions()
        .touch_session("h1", t(30), t(90))
        .await
        .unwrap();
    let touched = store.sessions().session("h1").await.unwrap().unwrap();
    assert_eq!(
        (touched.last_seen_at, touched.expires_at, touched.created_at),
        (t(30), t(90), t(0))
    );

    // h2 expired at minute 5; h1 and h3 live on.
    assert_eq!(
        store
            .sessions()
            .delete_expired_sessions(t(10))
            .await
            .unwrap(),
        1
    );
    assert!(store.sessions().session("h2").await.unwrap().is_none());

    assert!(store.sessions().delete_session("h3").await.unwrap());
    assert!(!store.sessions().delete_session("h3").await.unwrap());
    // A session opened through single sign-on says so.
    let sso = Session {
        single_sign_on: true,
        ..session("h4", a.id, 60)
    };
    store.sessions().create_session(&sso).await.unwrap();
    assert_eq!(store.sessions().session("h4").await.unwrap(), Some(sso));
    // A session still waiting for its second factor is kept as such and not listed.
    let due = Session {
        second_factor_due: true,
        ..session("h5", a.id, 60)
    };
    store.sessions().create_session(&due).await.unwrap();
    assert_eq!(store.sessions().session("h5").await.unwrap(), Some(due));
    let listed: Vec<String> = store
        .sessions()
        .user_sessions(a.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.token_hash)
        .collect();
    assert_eq!(listed, vec!["h1", "h4"]);
    // Ending the others keeps the one named, and no one else's.
    store
        .sessions()
        .create_session(&session("h6", b.id, 60))
        .await
        .unwrap();
    assert_eq!(
        store
            .sessions()
            .delete_other_sessions(a.id, "h4")
            .await
            .unwrap(),
        2
    );
    assert!(store.sessions().session("h4").await.unwrap().is_some());
    assert!(store.sessions().session("h6").await.unwrap().is_some());
    store
        .sessions()
        .create_session(&session("h1", a.id, 60))
        .await
        .unwrap();
    assert_eq!(
        store.sessions().delete_user_sessions(a.id).await.unwrap(),
        2
    );
    assert!(store.sessions().session("h1").await.unwrap().is_none());
}

pub async fn api_tokens_are_stored_hashed_used_and_revoked(store: Arc<dyn Store>) {
    let admin = store
        .users()
        .create_user(&new_user("admin", Role::Admin))
        .await
        .unwrap();
    let new = NewApiToken {
        token_hash: "ab".repeat(32),
        name: "crm sync".into(),
        scopes: vec![Permission::ReadTopics, Permission::ReadPosts],
        created_by: admin.id,
        created_at: t(1),
        expires_at: None,
        role: None,
    };
    let tok = store.sessions().create_api_token(&new).await.unwrap();
    assert_eq!((tok.expires_at, tok.role), (None, None));
    let narrow = store
        .sessions()
        .create_api_token(&NewApiToken {
            token_hash: "ef".repeat(32),
            expires_at: Some(t(60)),
            role: Some(Role::Analyst),
            ..new.clone()
        })
        .await
        .unwrap();
    let found = store
        .sessions()
        .api_token_by_hash(&"ef".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, narrow);
    assert_eq!(
        (found.expires_at, found.role),
        (Some(t(60)), Some(Role::Analyst))
    );
    assert_eq!(
        (tok.name.as_str(), tok.created_by, tok.created_at),
        ("crm sync", admin.id, t(1))
    );
    assert_eq!(
        tok.scopes,
        vec![Permission::ReadTopics, Permission::ReadPosts]
    );
    assert_eq!((tok.last_used_at, tok.revoked_at), (None, None));
    assert!(matches!(
        store.sessions().create_api_token(&new).await,
        Err(StoreError::Conflict(_))
    ));

    store
        .sessions()
        .touch_api_token(tok.id, t(2))
        .await
        .unwrap();
    let used = store
        .sessions()
        .api_token_by_hash(&"ab".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.last_used_at, Some(t(2)));
    assert!(
        store
            .sessions()
            .api_token_by_hash(&"cd".repeat(32))
            .await
            .unwrap()
            .is_none()
    );

    assert!(
        store
            .sessions()
            .revoke_api_token(tok.id, t(3))
            .await
            .unwrap()
    );
    assert!(
        !store
            .sessions()
            .revoke_api_token(tok.id, t(4))
            .await
            .unwrap()
    );
    let listed = store.sessions().api_tokens().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].revoked_at, Some(t(3)));
    assert_eq!(listed[1].revoked_at, None);
}
