use super::kit::{case, draft, minute, post};
use super::support::P;
use crate::{Store, StoreError};
use rapport_domain::care::{NewReply, ReplyId, ReplyOutcome, ReplyStatus};
use rapport_domain::{Actor, CaseAction, Network, Priority, UserId};
use std::sync::Arc;

pub async fn notes_are_kept_with_their_audit_event(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = case(s, "1", "alice", 0, Priority::Normal).await;
    let other = case(s, "2", "alice", 1, Priority::Normal).await;
    let ev = c.case.note_added(Actor::User(UserId(5)), minute(3));
    let note = s
        .notes()
        .add_note(c.case.id, UserId(5), "called them back", &ev)
        .await
        .unwrap();
    assert_eq!(
        (note.body.as_str(), note.author, note.created_at),
        ("called them back", UserId(5), minute(3))
    );
    let ev2 = other.case.note_added(Actor::User(UserId(6)), minute(2));
    s.notes()
        .add_note(other.case.id, UserId(6), "same person", &ev2)
        .await
        .unwrap();
    assert_eq!(
        s.notes().notes(c.case.id).await.unwrap(),
        vec![note.clone()]
    );
    let log = s.cases().case_events(c.case.id).await.unwrap();
    assert_eq!(log.last(), Some(&ev));
    let by_contact = s.notes().contact_notes(c.case.contact_id).await.unwrap();
    let bodies: Vec<_> = by_contact.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["same person", "called them back"],
        "in time order across cases"
    );
}

pub async fn saved_replies_are_named_and_shortcuts_unique(store: Arc<dyn Store>) {
    let care: &dyn Store = &*store;
    let a = care
        .notes()
        .put_saved_reply("refund", "Hi {{contact.first_name}}", Some("rf"))
        .await
        .unwrap();
    let b = care
        .notes()
        .put_saved_reply("apology", "Sorry!", None)
        .await
        .unwrap();
    let err = care
        .notes()
        .put_saved_reply("other", "x", Some("rf"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(ref m) if m.contains("refund")),
        "{err}"
    );
    let a2 = care
        .notes()
        .put_saved_reply("refund", "Hello {{contact.first_name}}", Some("rf"))
        .await
        .unwrap();
    assert_eq!(a2.id, a.id, "replaced in place");
    assert_eq!(
        care.notes().saved_reply("refund").await.unwrap(),
        Some(a2.clone())
    );
    assert_eq!(care.notes().saved_replies().await.unwrap(), vec![b, a2]);
    assert!(care.notes().remove_saved_reply("refund").await.unwrap());
    assert!(!care.notes().remove_saved_reply("refund").await.unwrap());
    assert_eq!(care.notes().saved_reply("refund").await.unwrap(), None);
}

pub async fn the_outbox_is_idempotent_and_records_attempts(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = case(s, "1", "alice", 0, Priority::Normal).await;
    let post_id = s.cases().case_posts(c.case.id).await.unwrap()[0].post_id;
    let reply = NewReply {
        case_id: c.case.id,
        network: Network::X,
        in_reply_to: Some(post_id),
        body: "We are on it".into(),
        author: UserId(3),
        idempotency_key: "k-1".into(),
        at: minute(5),
    };
    let (first, created) = s.outbox().enqueue_reply(&reply).await.unwrap();
    assert!(created);
    assert_eq!(
        (first.status, first.attempts, first.in_reply_to),
        (ReplyStatus::Queued, 0, Some(post_id))
    );
    let (again, created) = s
        .outbox()
        .enqueue_reply(&NewReply {
            body: "different".into(),
            ..reply.clone()
        })
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again, first, "the same key is the same reply");
    let (second, _) = s
        .outbox()
        .enqueue_reply(&NewReply {
            idempotency_key: "k-2".into(),
            ..reply
        })
        .await
        .unwrap();
    assert_eq!(
        s.outbox()
            .outbox(Some(ReplyStatus::Queued), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    let failed = s
        .outbox()
        .mark_reply(
            first.id,
            &ReplyOutcome::Failed {
                error: "rate limited".into(),
            },
            minute(6),
        )
        .await
        .unwrap();
    assert_eq!(
        (failed.status, failed.attempts, failed.last_error.as_deref()),
        (ReplyStatus::Failed, 1, Some("rate limited"))
    );
    let sent = s
        .outbox()
        .mark_reply(
            first.id,
            &ReplyOutcome::Sent {
                native_id: "999".into(),
            },
            minute(7),
        )
        .await
        .unwrap();
    assert_eq!(
        (sent.status, sent.attempts, sent.sent_native_id.as_deref()),
        (ReplyStatus::Sent, 2, Some("999"))
    );
    assert_eq!(sent.updated_at, minute(7));
    assert_eq!(
        s.outbox()
            .outbox(Some(ReplyStatus::Queued), 10)
            .await
            .unwrap(),
        vec![second.clone()]
    );
    assert_eq!(s.outbox().outbox(None, 10).await.unwrap().len(), 2);
    assert_eq!(s.outbox().case_replies(c.case.id).await.unwrap().len(), 2);
    assert_eq!(
        s.outbox()
            .contact_replies(c.case.contact_id)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(matches!(
        s.outbox()
            .mark_reply(
                ReplyId(4242),
                &ReplyOutcome::Sent {
                    native_id: "1".into()
                },
                minute(8)
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn similar_resolved_cases_share_words(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let texts = [
        ("1", "my battery drains overnight after the update"),
        ("2", "battery drains fast since the update, phone gets hot"),
        ("3", "cannot log in, password reset email never arrives"),
        ("4", "the package was delivered to the wrong address"),
    ];
    let mut ids = Vec::new();
    for (i, (id, text)) in texts.iter().enumerate() {
        let p = post(s, P::new(id, &format!("u{id}")).at(i as i64).text(text)).await;
        let (record, posts, events) = draft(s, p, Priority::Normal).await;
        let mut c = s
            .cases()
            .create_case(&record, &posts, &events)
            .await
            .unwrap();
        if *id != "2" {
            c.case
                .apply(CaseAction::Resolve, Actor::System, minute(30))
                .unwrap();
            c = s.cases().save_case(&c, &[], &[]).await.unwrap();
        }
        ids.push(c.case.id);
    }
    let got = s
        .inbox()
        .similar_resolved_cases(texts[1].1, Some(ids[1]), 5)
        .await
        .unwrap();
    assert_eq!(got.first().map(|g| g.0), Some(ids[0]), "{got:?}");
    assert!(
        got.iter().all(|g| g.0 != ids[1]),
        "the case itself and open cases are left out"
    );
    let got = s
        .inbox()
        .similar_resolved_cases("Password reset?", None, 5)
        .await
        .unwrap();
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), vec![ids[2]]);
    assert!(
        s.inbox()
            .similar_resolved_cases("!!", None, 5)
            .await
            .unwrap()
            .is_empty()
    );
    // Words every post carries find nothing on their own.
    assert!(
        s.inbox()
            .similar_resolved_cases("Hello, can you please help me with this?", None, 5)
            .await
            .unwrap()
            .is_empty()
    );

    // A case loaded in bulk (a history import) is searchable like any other.
    let p = post(
        s,
        P::new("5", "u5")
            .at(10)
            .text("wifi router keeps dropping the connection"),
    )
    .await;
    let (mut record, posts, events) = draft(s, p, Priority::Normal).await;
    record
        .case
        .apply(CaseAction::Resolve, Actor::System, minute(30))
        .unwrap();
    let loaded = rapport_domain::care::BulkCase {
        record,
        posts,
        events,
    };
    assert_eq!(s.cases().bulk_insert_cases(&[loaded]).await.unwrap(), 1);
    let got = s
        .inbox()
        .similar_resolved_cases("my router is dropping wifi again", None, 5)
        .await
        .unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(!ids.contains(&got[0].0), "the bulk-loaded case: {got:?}");
}
