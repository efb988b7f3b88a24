//! Single sign-on links.

use crate::users::NewUser;
use crate::{Store, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rapport_domain::{Role, UserId};
use std::sync::Arc;

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap() + Duration::minutes(minute)
}

fn new_user(name: &str, at: i64) -> NewUser {
    NewUser {
        name: name.into(),
        display_name: name.into(),
        role: Role::Agent,
        password_hash: "!single-sign-on".into(),
        created_at: t(at),
    }
}

const ISSUER: &str = "https://id.example.org";

pub async fn provider_accounts_create_link_and_find_their_users(store: Arc<dyn Store>) {
    let sso = store.sso();
    assert_eq!(sso.sso_link(ISSUER, "sub-ana").await.unwrap(), None);

    let ana = sso
        .create_sso_user(&new_user("ana", 1), ISSUER, "sub-ana")
        .await
        .unwrap();
    assert_eq!(ana.name, "ana");
    let link = sso.sso_link(ISSUER, "sub-ana").await.unwrap().unwrap();
    assert_eq!(
        (link.user_id, link.created_at, link.last_sign_in_at),
        (ana.id, t(1), t(1))
    );
    // The same subject at another provider is another person.
    assert_eq!(
        sso.sso_link("https://other.example.org", "sub-ana")
            .await
            .unwrap(),
        None
    );

    sso.touch_sso_link(ISSUER, "sub-ana", t(9)).await.unwrap();
    let link = sso.sso_link(ISSUER, "sub-ana").await.unwrap().unwrap();
    assert_eq!((link.created_at, link.last_sign_in_at), (t(1), t(9)));

    // A taken name writes neither the user nor the link.
    let users_before = store.users().user_count().await.unwrap();
    let taken = sso
        .create_sso_user(&new_user("ANA", 2), ISSUER, "sub-other")
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    assert_eq!(sso.sso_link(ISSUER, "sub-other").await.unwrap(), None);
    // An account linked already creates no second user.
    let twice = sso
        .create_sso_user(&new_user("ana2", 2), ISSUER, "sub-ana")
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    assert_eq!(store.users().user_count().await.unwrap(), users_before);
    assert!(
        store
            .users()
            .user_credentials("ana2")
            .await
            .unwrap()
            .is_none()
    );

    // Linking an existing user; a second account of the same person links to them too.
    let bo = store.users().create_user(&new_user("bo", 3)).await.unwrap();
    sso.link_sso(bo.id, ISSUER, "sub-bo", t(4)).await.unwrap();
    sso.link_sso(bo.id, "https://other.example.org", "bo-2", t(5))
        .await
        .unwrap();
    let of_bo: Vec<(String, String)> = sso
        .sso_links_of(bo.id)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.issuer, l.subject))
        .collect();
    assert_eq!(
        of_bo,
        vec![
            (ISSUER.to_string(), "sub-bo".to_string()),
            ("https://other.example.org".to_string(), "bo-2".to_string())
        ]
    );
    assert_eq!(sso.sso_links_of(ana.id).await.unwrap().len(), 1);
    let stolen = sso.link_sso(bo.id, ISSUER, "sub-ana", t(6)).await;
    assert!(matches!(stolen, Err(StoreError::Conflict(_))), "{stolen:?}");
    assert_eq!(
        sso.sso_link(ISSUER, "sub-ana")
            .await
            .unwrap()
            .unwrap()
            .user_id,
        ana.id
    );
    let nobody = sso.link_sso(UserId(9_999), ISSUER, "sub-x", t(6)).await;
    assert!(matches!(nobody, Err(StoreError::NotFound(_))), "{nobody:?}");

    assert!(sso.unlink_sso(ISSUER, "sub-bo").await.unwrap());
    assert!(!sso.unlink_sso(ISSUER, "sub-bo").await.unwrap());
    assert_eq!(sso.sso_link(ISSUER, "sub-bo").await.unwrap(), None);
    assert_eq!(sso.sso_links_of(bo.id).await.unwrap().len(), 1);
}
