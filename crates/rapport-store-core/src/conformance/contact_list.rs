//! The contact list: filters, sorts, figures and keyset pages.

use super::kit::{case, minute, post};
use super::support::P;
use crate::Store;
use rapport_domain::care::{
    ContactCursor, ContactFields, ContactQuery, ContactSort, ContactSummary, LifecycleStage,
};
use rapport_domain::{ContactId, Network, Priority};
use std::sync::Arc;

async fn contact_of(store: &dyn Store, handle: &str) -> ContactId {
    store
        .contacts()
        .identity(Network::X, handle)
        .await
        .unwrap()
        .unwrap()
        .contact_id
}

async fn list(store: &dyn Store, q: ContactQuery) -> Vec<ContactSummary> {
    store.contact_book().contacts(&q).await.unwrap().items
}

async fn names(store: &dyn Store, q: ContactQuery) -> Vec<String> {
    list(store, q).await.into_iter().map(|c| c.name).collect()
}

fn text(t: &str) -> ContactQuery {
    ContactQuery {
        text: t.into(),
        ..ContactQuery::default()
    }
}

pub async fn contact_list_filters_sorts_and_counts(store: Arc<dyn Store>) {
    let s = store.as_ref();
    post(s, P::new("1", "alice").at(1)).await;
    post(s, P::new("2", "alice").at(2)).await;
    post(s, P::new("5", "bob").at(5)).await;
    case(s, "3", "carol", 3, Priority::Normal).await;
    post(s, P::new("9", "brand").at(9).own()).await;
    let (alice, bob) = (contact_of(s, "alice").await, contact_of(s, "bob").await);
    s.contact_book()
        .set_contact_fields(
            alice,
            &ContactFields {
                name: "Alice Liddell".into(),
                email: Some("alice@example.org".into()),
                company: Some("Wonder Ltd".into()),
                tags: ["vip".to_string()].into(),
                stage: Some(LifecycleStage::Customer),
                ..ContactFields::default()
            },
        )
        .await
        .unwrap();
    s.contact_book()
        .set_contact_fields(
            bob,
            &ContactFields {
                name: "bob".into(),
                tags: ["beta".to_string(), "vip".to_string()].into(),
                stage: Some(LifecycleStage::Lead),
                ..ContactFields::default()
            },
        )
        .await
        .unwrap();

    // The latest touchpoint first; own accounts are left out by default.
    let all = list(s, ContactQuery::default()).await;
    let rows: Vec<_> = all
        .iter()
        .map(|c| (c.name.as_str(), c.posts, c.open_cases, c.last_activity_at))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("bob", 1, 0, Some(minute(5))),
            ("carol", 1, 1, Some(minute(3))),
            ("Alice Liddell", 2, 0, Some(minute(2))),
        ]
    );
    let a = &all[2];
    assert_eq!(
        (a.email.as_deref(), a.company.as_deref(), a.stage),
        (
            Some("alice@example.org"),
            Some("Wonder Ltd"),
            Some(LifecycleStage::Customer)
        )
    );
    assert_eq!(a.tags.iter().collect::<Vec<_>>(), ["vip"]);
    assert_eq!(
        a.identities
            .iter()
            .map(|i| (i.network, i.handle.as_str()))
            .collect::<Vec<_>>(),
        [(Network::X, "alice")]
    );
    let with_own = ContactQuery {
        include_own: true,
        ..ContactQuery::default()
    };
    assert_eq!(names(s, with_own).await[0], "brand");

    // Text: name, email, company, handle (with or without @), any case; LIKE wildcards are
    // taken literally.
    assert_eq!(names(s, text("liddell")).await, ["Alice Liddell"]);
    assert_eq!(names(s, text("WONDER")).await, ["Alice Liddell"]);
    assert_eq!(names(s, text("example.org")).await, ["Alice Liddell"]);
    assert_eq!(names(s, text("@CAR")).await, ["carol"]);
    assert_eq!(names(s, text("  ")).await.len(), 3);
    assert!(names(s, text("%")).await.is_empty());
    assert!(names(s, text("_")).await.is_empty());
    assert!(names(s, text("nobody")).await.is_empty());

    // Stage and tag filters, alone and together.
    let stage = |st| ContactQuery {
        stage: Some(st),
        ..ContactQuery::default()
    };
    assert_eq!(names(s, stage(LifecycleStage::Lead)).await, ["bob"]);
    assert!(names(s, stage(LifecycleStage::Other)).await.is_empty());
    let tag = |t: &str| ContactQuery {
        tag: Some(t.into()),
        ..ContactQuery::default()
    };
    assert_eq!(names(s, tag("VIP")).await, ["bob", "Alice Liddell"]);
    assert_eq!(names(s, tag("beta")).await, ["bob"]);
    assert!(names(s, tag("vi")).await.is_empty(), "whole tags only");
    let both = ContactQuery {
        stage: Some(LifecycleStage::Customer),
        ..tag("vip")
    };
    assert_eq!(names(s, both).await, ["Alice Liddell"]);

    // By name, case-insensitively.
    let by_name = ContactQuery {
        sort: ContactSort::Name,
        ..ContactQuery::default()
    };
    assert_eq!(
        names(s, by_name.clone()).await,
        ["Alice Liddell", "bob", "carol"]
    );

    // A merged contact is no longer listed; its identities, posts and case count on the
    // contact that absorbed it.
    let carol = contact_of(s, "carol").await;
    s.contact_book().merge_contacts(alice, carol).await.unwrap();
    let after = list(s, by_name).await;
    assert_eq!(after.len(), 2);
    assert_eq!(
        (
            after[0].name.as_str(),
            after[0].identities.len(),
            after[0].posts,
            after[0].open_cases,
            after[0].last_activity_at
        ),
        ("Alice Liddell", 2, 3, 1, Some(minute(3)))
    );
}

pub async fn contact_list_pages_walk_every_contact_once(store: Arc<dyn Store>) {
    let s = store.as_ref();
    // Ties on purpose: several contacts share a last activity and a name.
    let people = [
        ("10", "dora", 4),
        ("11", "eve", 4),
        ("12", "finn", 2),
        ("13", "gus", 4),
        ("14", "hana", 7),
        ("15", "ivan", 2),
        ("16", "jo", 1),
    ];
    for (id, who, m) in people {
        post(s, P::new(id, who).at(m)).await;
    }
    for who in ["eve", "gus"] {
        let id = contact_of(s, who).await;
        s.contact_book()
            .set_contact_fields(
                id,
                &ContactFields {
                    name: "Same Name".into(),
                    ..ContactFields::default()
                },
            )
            .await
            .unwrap();
    }
    for sort in ContactSort::ALL {
        let whole = s
            .contact_book()
            .contacts(&ContactQuery {
                sort,
                limit: 500,
                ..ContactQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(whole.items.len(), 7);
        assert_eq!(whole.next, None);
        for limit in [1, 2, 3] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = s
                    .contact_book()
                    .contacts(&ContactQuery {
                        sort,
                        limit,
                        after: after.clone(),
                        ..ContactQuery::default()
                    })
                    .await
                    .unwrap();
                assert!(page.items.len() <= limit as usize);
                seen.extend(page.items.iter().map(|c| c.id));
                // The cursor survives a round trip through text (a URL).
                after = page.next.map(|c| c.to_string().parse().unwrap());
                if after.is_none() {
                    break;
                }
            }
            assert_eq!(
                seen,
                whole.items.iter().map(|c| c.id).collect::<Vec<_>>(),
                "{sort:?} by {limit}"
            );
        }
    }
    let by_activity = list(s, ContactQuery::default()).await;
    assert_eq!(by_activity[0].name, "hana");
    assert_eq!(by_activity[6].name, "jo");

    for limit in [0, 501] {
        let q = ContactQuery {
            limit,
            ..ContactQuery::default()
        };
        assert!(
            s.contact_book().contacts(&q).await.is_err(),
            "limit {limit}"
        );
    }
    let other_sort = ContactQuery {
        sort: ContactSort::Name,
        after: Some(ContactCursor::LastActivity {
            micros: 0,
            id: ContactId(1),
        }),
        ..ContactQuery::default()
    };
    assert!(s.contact_book().contacts(&other_sort).await.is_err());
    assert!("x1.2".parse::<ContactCursor>().is_err());
    assert!("a1".parse::<ContactCursor>().is_err());
}
