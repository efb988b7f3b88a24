//! Erasing a contact, and posts the network deleted: emptied, counted, and no one else's.

use super::kit::{draft, minute, post};
use super::support::{P, key};
use crate::privacy::{ERASED, Erasure};
use crate::{Store, StoreError};
use rapport_domain::care::{ContactFields, NewReply, ReplyOutcome, ReplyStatus};
use rapport_domain::{Actor, CaseAction, CaseId, ContactId, Network, PostId, Priority, UserId};
use std::sync::Arc;

/// A resolved case on a new post; its id and the post's.
async fn resolved_case(s: &dyn Store, p: P) -> (CaseId, PostId, ContactId) {
    let post_id = post(s, p).await;
    let (record, posts, events) = draft(s, post_id, Priority::Normal).await;
    let mut c = s
        .cases()
        .create_case(&record, &posts, &events)
        .await
        .unwrap();
    c.case
        .apply(CaseAction::Resolve, Actor::System, minute(30))
        .unwrap();
    let c = s.cases().save_case(&c, &[], &[]).await.unwrap();
    (c.case.id, post_id, c.case.contact_id)
}

fn reply(case: CaseId, to: PostId, key: &str, body: &str) -> NewReply {
    NewReply {
        case_id: case,
        network: Network::X,
        in_reply_to: Some(to),
        body: body.into(),
        author: UserId(3),
        idempotency_key: key.into(),
        at: minute(5),
    }
}

pub async fn erasing_a_contact_empties_what_is_held_on_them_and_no_one_elses(
    store: Arc<dyn Store>,
) {
    let s = store.as_ref();
    let mut alice_post = P::new("1", "alice")
        .at(0)
        .text("my battery drains overnight, write me at alice@example.org")
        .mention("brand");
    alice_post.post.author.display_name = Some("Alice Liddell".into());
    alice_post.post.author.native_id = Some("1001".into());
    let (alice_case, alice_post, alice) = resolved_case(s, alice_post).await;
    let (bob_case, bob_post, bob) = resolved_case(
        s,
        P::new("2", "bob")
            .at(1)
            .text("battery drains overnight here too"),
    )
    .await;
    let ev = s
        .cases()
        .case(alice_case)
        .await
        .unwrap()
        .unwrap()
        .case
        .note_added(Actor::User(UserId(5)), minute(6));
    s.notes()
        .add_note(
            alice_case,
            UserId(5),
            "Alice says her order 4471 came late",
            &ev,
        )
        .await
        .unwrap();
    let (sent, _) = s
        .outbox()
        .enqueue_reply(&reply(alice_case, alice_post, "a-1", "Sorry Alice, DM us"))
        .await
        .unwrap();
    s.outbox()
        .mark_reply(
            sent.id,
            &ReplyOutcome::Sent {
                native_id: "900".into(),
            },
            minute(7),
        )
        .await
        .unwrap();
    let (queued, _) = s
        .outbox()
        .enqueue_reply(&reply(alice_case, alice_post, "a-2", "Alice, any news?"))
        .await
        .unwrap();
    let (bobs, _) = s
        .outbox()
        .enqueue_reply(&reply(bob_case, bob_post, "b-1", "Hi Bob"))
        .await
        .unwrap();
    s.contact_book()
        .set_contact_fields(
            alice,
            &ContactFields {
                name: "Alice L.".into(),
                email: Some("alice@example.org".into()),
                company: Some("Wonderland Ltd".into()),
                tags: ["vip".to_string()].into(),
                ..ContactFields::default()
            },
        )
        .await
        .unwrap();
    s.leads()
        .flag_lead(alice, alice_post, minute(2))
        .await
        .unwrap();
    s.leads().flag_lead(bob, bob_post, minute(2)).await.unwrap();
    let similar = |text: &'static str| async move {
        s.inbox()
            .similar_resolved_cases(text, None, 5)
            .await
            .unwrap()
            .into_iter()
            .map(|(c, _)| c)
            .collect::<Vec<_>>()
    };
    let mut before = similar("battery drains overnight").await;
    before.sort();
    assert_eq!(before, vec![alice_case, bob_case]);

    assert!(matches!(
        s.privacy().erase_contact(ContactId(9_999), minute(9)).await,
        Err(StoreError::NotFound(_))
    ));
    let erased = s.privacy().erase_contact(alice, minute(9)).await.unwrap();
    assert_eq!(
        erased,
        Erasure {
            posts: 1,
            identities: 1,
            cases: 1,
            notes: 1,
            replies: 2,
            leads: 1,
        }
    );

    let p = s.posts().post(alice_post).await.unwrap().unwrap();
    assert_eq!(p.post.text, "");
    assert_eq!(p.post.raw, "{}");
    assert!(p.post.mentions.is_empty() && p.post.links.is_empty());
    assert_eq!(p.post.author.display_name, None);
    assert_eq!(p.post.author.native_id, None);
    assert_eq!(
        s.deletions().deleted_at(&key("1")).await.unwrap(),
        Some(minute(9))
    );
    let c = s.contacts().contact(alice).await.unwrap().unwrap();
    assert_eq!(c.name, "Erased contact");
    let identity = &c.identities[0];
    assert_eq!(identity.handle, format!("erased-{}", identity.id.0));
    assert_eq!(
        (
            identity.display_name.as_deref(),
            identity.native_id.as_deref()
        ),
        (None, None)
    );
    assert!(
        s.contacts()
            .identity(Network::X, "alice")
            .await
            .unwrap()
            .is_none()
    );
    let fields = s
        .contact_book()
        .contact_fields(alice)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (fields.email, fields.company, fields.tags.len()),
        (None, None, 0)
    );
    assert!(s.leads().contact_leads(alice).await.unwrap().is_empty());
    assert_eq!(s.leads().contact_leads(bob).await.unwrap().len(), 1);
    let case = s.cases().case(alice_case).await.unwrap().unwrap();
    assert_eq!(case.preview, "");
    assert_eq!(s.notes().notes(alice_case).await.unwrap()[0].body, ERASED);
    let replies = s.outbox().case_replies(alice_case).await.unwrap();
    assert!(replies.iter().all(|r| r.body == ERASED));
    let sent = replies.iter().find(|r| r.id == sent.id).unwrap();
    assert_eq!(sent.status, ReplyStatus::Sent, "what went out stays sent");
    let queued = replies.iter().find(|r| r.id == queued.id).unwrap();
    assert_eq!(queued.status, ReplyStatus::Failed, "never sent now");
    assert_eq!(queued.last_error.as_deref(), Some("the contact was erased"));
    assert_eq!(similar("battery drains overnight").await, vec![bob_case]);

    // Bob's are as they were.
    let bob_kept = s.posts().post(bob_post).await.unwrap().unwrap();
    assert_eq!(bob_kept.post.text, "battery drains overnight here too");
    assert_eq!(
        s.outbox()
            .outbox_entry(bobs.id)
            .await
            .unwrap()
            .unwrap()
            .body,
        "Hi Bob"
    );
    assert_eq!(
        s.cases().case(bob_case).await.unwrap().unwrap().preview,
        "battery drains overnight here too"
    );
    assert_eq!(
        s.contacts().contact(bob).await.unwrap().unwrap().name,
        "bob"
    );
    // The counts a report makes are unchanged: both cases and both posts are still there.
    assert_eq!(s.cases().contact_cases(alice).await.unwrap().len(), 1);
}

pub async fn a_post_the_network_deleted_is_emptied_and_leaves_its_case_search(
    store: Arc<dyn Store>,
) {
    let s = store.as_ref();
    let (gone_case, gone, _) = resolved_case(
        s,
        P::new("1", "carol")
            .at(0)
            .text("router keeps dropping wifi"),
    )
    .await;
    let (kept_case, _, _) = resolved_case(
        s,
        P::new("2", "dave")
            .at(1)
            .text("router keeps dropping wifi too"),
    )
    .await;
    let found = |text: &'static str| async move {
        let mut ids: Vec<CaseId> = s
            .inbox()
            .similar_resolved_cases(text, None, 5)
            .await
            .unwrap()
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        found("router dropping wifi").await,
        vec![gone_case, kept_case]
    );
    assert_eq!(
        s.deletions()
            .mark_deleted(&[key("1")], minute(4))
            .await
            .unwrap(),
        1
    );
    let p = s.posts().post(gone).await.unwrap().unwrap();
    assert_eq!((p.post.text.as_str(), p.post.raw.as_str()), ("", "{}"));
    assert_eq!(found("router dropping wifi").await, vec![kept_case]);
    assert_eq!(
        s.posts()
            .post_by_key(&key("2"))
            .await
            .unwrap()
            .unwrap()
            .post
            .text,
        "router keeps dropping wifi too"
    );
}
