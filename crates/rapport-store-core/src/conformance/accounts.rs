//! Identities, contacts, timelines and mentions of own accounts.

use super::support::{P, ingest, stored};
use crate::{IngestOutcome, Store};
use rapport_domain::{ContactId, Network};
use std::sync::Arc;

pub async fn identities_are_upserted_case_insensitively(store: Arc<dyn Store>) {
    ingest(store.as_ref(), vec![P::new("1", "Alice")]).await;
    let mut p = P::new("2", "@ALICE");
    p.post.author.display_name = Some("Alice A.".into());
    p.post.author.followers = Some(42);
    p.post.author.native_id = Some("u1".into());
    ingest(store.as_ref(), vec![p]).await;
    // A later post that knows less keeps what was learnt.
    ingest(store.as_ref(), vec![P::new("3", "alice")]).await;
    let id = store
        .contacts()
        .identity(Network::X, "@aLiCe")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        id.handle, "alice",
        "original case as last seen, without '@'"
    );
    assert_eq!(id.display_name.as_deref(), Some("Alice A."));
    assert_eq!(id.followers, Some(42));
    assert_eq!(id.native_id.as_deref(), Some("u1"));
    assert!(!id.own_account);
    let posts = [
        stored(store.as_ref(), "1").await,
        stored(store.as_ref(), "3").await,
    ];
    assert!(
        posts
            .iter()
            .all(|p| p.identity_id == id.id && p.contact_id == id.contact_id)
    );
    // The post keeps the author as its source described them.
    assert_eq!(posts[0].post.author.handle, "Alice");
    // Same handle elsewhere is another identity and contact.
    ingest(
        store.as_ref(),
        vec![P::new("1", "alice").net(Network::Mastodon)],
    )
    .await;
    let other = store
        .contacts()
        .identity(Network::Mastodon, "alice")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(other.id, id.id);
    assert_ne!(other.contact_id, id.contact_id);
    assert!(
        store
            .contacts()
            .identity(Network::Bluesky, "alice")
            .await
            .unwrap()
            .is_none()
    );
    let s = store.posts().stats().await.unwrap();
    assert_eq!((s.identities, s.contacts), (2, 2));
}

pub async fn contacts_hold_identities_and_their_timeline_in_order(store: Arc<dyn Store>) {
    let mut first = P::new("5", "bob").at(50);
    first.post.author.display_name = Some("Bob Builder".into());
    ingest(
        store.as_ref(),
        vec![
            first,
            P::new("6", "carol").at(10),
            P::new("7", "bob").at(20),
            P::new("8", "bob").at(20),
        ],
    )
    .await;
    ingest(store.as_ref(), vec![P::new("9", "bob").at(5)]).await;
    let bob = store
        .contacts()
        .identity(Network::X, "bob")
        .await
        .unwrap()
        .unwrap();
    let contact = store
        .contacts()
        .contact(bob.contact_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(contact.name, "Bob Builder");
    assert_eq!(contact.identities, vec![bob.clone()]);
    let timeline = store
        .contacts()
        .contact_timeline(bob.contact_id, 100)
        .await
        .unwrap();
    let natives: Vec<&str> = timeline.iter().map(|p| p.post.native_id.as_str()).collect();
    assert_eq!(
        natives,
        ["9", "7", "8", "5"],
        "oldest first, ties in arrival order"
    );
    let limited = store
        .contacts()
        .contact_timeline(bob.contact_id, 2)
        .await
        .unwrap();
    let natives: Vec<&str> = limited.iter().map(|p| p.post.native_id.as_str()).collect();
    assert_eq!(natives, ["8", "5"], "the newest two, oldest first");
    assert!(
        store
            .contacts()
            .contact(ContactId(bob.contact_id.0 + 1000))
            .await
            .unwrap()
            .is_none()
    );
    // A contact named by handle when no display name is known.
    let carol = store
        .contacts()
        .identity(Network::X, "carol")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .contacts()
            .contact(carol.contact_id)
            .await
            .unwrap()
            .unwrap()
            .name,
        "carol"
    );
}

pub async fn mentions_and_replies_to_own_accounts_are_marked(store: Arc<dyn Store>) {
    let report = ingest(
        store.as_ref(),
        vec![
            P::new("1", "AcmeSupport")
                .own()
                .text("how can we help?")
                .at(1),
            P::new("2", "alice").reply("1").at(2),
            P::new("3", "bob").mention("@ACMESUPPORT").at(3),
            P::new("4", "carol")
                .reply("99")
                .reply_handle("acmesupport")
                .at(4),
            P::new("5", "dan").mention("someone").at(5),
        ],
    )
    .await;
    let marks: Vec<bool> = report
        .outcomes
        .iter()
        .map(|o| match o {
            IngestOutcome::Inserted { is_mention, .. } => *is_mention,
            IngestOutcome::Duplicate { .. } => panic!("all new"),
        })
        .collect();
    assert_eq!(marks, [false, true, true, true, false]);
    let brand = stored(store.as_ref(), "1").await;
    assert!(brand.from_own_account);
    assert!(!stored(store.as_ref(), "2").await.from_own_account);
    let mentions: Vec<String> = store
        .posts()
        .mentions(10)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.post.native_id)
        .collect();
    assert_eq!(mentions, ["4", "3", "2"], "newest first");
    assert_eq!(store.posts().mentions(1).await.unwrap().len(), 1);
    let own = store.contacts().own_accounts().await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].handle, "AcmeSupport");
    assert!(own[0].own_account);
}

pub async fn late_own_accounts_mark_earlier_posts(store: Arc<dyn Store>) {
    ingest(
        store.as_ref(),
        vec![
            P::new("1", "alice").mention("acme").at(1),
            P::new("2", "acme").at(2),
            P::new("3", "bob").reply("2").at(3),
            P::new("4", "carol").mention("globex").at(4),
            P::new("5", "dan").at(5),
        ],
    )
    .await;
    assert_eq!(store.posts().stats().await.unwrap().mentions, 0);
    // Configured as own: its posts, mentions of it and replies to it are marked.
    store
        .contacts()
        .set_own_account(Network::X, "@Acme", true)
        .await
        .unwrap();
    assert!(stored(store.as_ref(), "1").await.is_mention);
    assert!(stored(store.as_ref(), "2").await.from_own_account);
    assert!(stored(store.as_ref(), "3").await.is_mention);
    assert!(!stored(store.as_ref(), "5").await.is_mention);
    // An own account first seen through ingest (a brand author in an import).
    ingest(store.as_ref(), vec![P::new("6", "Globex").own().at(6)]).await;
    assert!(stored(store.as_ref(), "4").await.is_mention);
    // Configured before it ever posted: the identity is created.
    store
        .contacts()
        .set_own_account(Network::X, "initech", true)
        .await
        .unwrap();
    let initech = store
        .contacts()
        .identity(Network::X, "INITECH")
        .await
        .unwrap()
        .unwrap();
    assert!(initech.own_account);
    let report = ingest(store.as_ref(), vec![P::new("7", "erin").mention("initech")]).await;
    assert!(matches!(
        report.outcomes[0],
        IngestOutcome::Inserted {
            is_mention: true,
            ..
        }
    ));
    let s = store.posts().stats().await.unwrap();
    assert_eq!((s.own_accounts, s.mentions), (3, 4));
}

pub async fn a_late_parent_by_an_own_account_marks_its_replies(store: Arc<dyn Store>) {
    ingest(store.as_ref(), vec![P::new("2", "alice").reply("1").at(2)]).await;
    assert!(!stored(store.as_ref(), "2").await.is_mention);
    ingest(store.as_ref(), vec![P::new("1", "Brand").own().at(1)]).await;
    assert!(stored(store.as_ref(), "2").await.is_mention);
    // Within one batch, whatever the order.
    ingest(
        store.as_ref(),
        vec![
            P::new("12", "bob").reply("11").at(12),
            P::new("11", "brand").at(11),
        ],
    )
    .await;
    assert!(stored(store.as_ref(), "12").await.is_mention);
    assert!(stored(store.as_ref(), "11").await.from_own_account);
}

pub async fn unmarking_an_own_account_recomputes_marks(store: Arc<dyn Store>) {
    ingest(
        store.as_ref(),
        vec![
            P::new("1", "acme").own().at(1),
            P::new("2", "globex").own().at(2),
            P::new("3", "alice").mention("acme").at(3),
            P::new("4", "bob").mention("acme").mention("globex").at(4),
            P::new("5", "carol").reply("1").at(5),
        ],
    )
    .await;
    assert_eq!(store.posts().stats().await.unwrap().mentions, 3);
    store
        .contacts()
        .set_own_account(Network::X, "acme", false)
        .await
        .unwrap();
    assert!(!stored(store.as_ref(), "1").await.from_own_account);
    assert!(!stored(store.as_ref(), "3").await.is_mention);
    assert!(
        stored(store.as_ref(), "4").await.is_mention,
        "still mentions globex"
    );
    assert!(!stored(store.as_ref(), "5").await.is_mention);
    assert_eq!(store.contacts().own_accounts().await.unwrap().len(), 1);
    store
        .contacts()
        .set_own_account(Network::X, "acme", true)
        .await
        .unwrap();
    assert_eq!(store.posts().stats().await.unwrap().mentions, 3);
}
