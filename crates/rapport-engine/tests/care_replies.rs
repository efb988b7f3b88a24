//! Replies: saved replies rendered with the domain templates, the composer's length check per
//! network, the durable and idempotent outbox, and suggested answers from similar resolved
//! cases on real twcs threads.

#[path = "care_kit/mod.rs"]
mod care_kit;
mod common;

use care_kit::{kit, post, t};
use rapport_connectors::Format;
use rapport_domain::{CaseAction, CaseStatus, Network, PersonVars, UserId};
use rapport_engine::care::{CareError, ChangeKind, compose_count};
use rapport_store::care::{
    ContactFields, InboxQuery, InboxSort, InboxView, PageStart, ReplyOutcome, ReplyStatus,
};

#[tokio::test]
async fn saved_replies_render_for_the_case() {
    let k = kit().await;
    k.send(vec![post(
        "1",
        "alice",
        "@brand my card was charged twice",
        t(0, 9, 0),
    )])
    .await;
    let id = k.case_of("1").await.unwrap();
    let contact = k.care.case(id).await.unwrap().unwrap().case.contact_id;
    k.care
        .set_contact_fields(
            contact,
            &ContactFields {
                name: "Alice Liddell".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    k.care
        .save_saved_reply(
            "double charge",
            "Hi {{contact.first_name}}, {{agent.first_name}} here about case {{case.id}}.",
            Some("dc"),
        )
        .await
        .unwrap();
    let agent = PersonVars {
        name: Some("Bob Agent".into()),
        first_name: None,
    };
    let text = k
        .care
        .render_saved_reply("double charge", id, agent, None)
        .await
        .unwrap();
    assert_eq!(text, format!("Hi Alice, Bob here about case {id}."));
    let err = k
        .care
        .save_saved_reply("bad", "Hi {{contact.nickname}}", None)
        .await
        .unwrap_err();
    assert!(matches!(err, CareError::Template(_)));
    assert!(err.to_string().contains("line 1, column 4"), "{err}");
    let missing = k
        .care
        .render_saved_reply("nope", id, PersonVars::default(), None)
        .await;
    assert!(matches!(missing, Err(CareError::NoSuchSavedReply(_))));
    assert_eq!(k.care.saved_replies().await.unwrap().len(), 1);
}

#[tokio::test]
async fn replies_are_checked_and_queued_once() {
    let k = kit().await;
    let mut live = k.care.subscribe();
    k.send(vec![post(
        "1",
        "alice",
        "@brand my card was charged twice",
        t(0, 9, 0),
    )])
    .await;
    let id = k.case_of("1").await.unwrap();
    let long = "a".repeat(281);
    let err = k
        .care
        .queue_reply(id, UserId(2), &long, "k0", t(0, 9, 5))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "reply is 281 characters as x counts them, over its limit of 280"
    );
    let with_link = format!(
        "{} https://example.com/a/very/long/path/that/counts/as/twenty-three",
        "b".repeat(250)
    );
    assert_eq!(compose_count(Network::X, &with_link).count, 250 + 1 + 23);
    assert!(compose_count(Network::Bluesky, &long).fits);
    let entry = k
        .care
        .queue_reply(id, UserId(2), "Sorry! Refunding now.", "k1", t(0, 9, 6))
        .await
        .unwrap();
    let again = k
        .care
        .queue_reply(id, UserId(2), "Sorry! Refunding now.", "k1", t(0, 9, 7))
        .await
        .unwrap();
    assert_eq!(again, entry, "a retried request queues nothing new");
    assert_eq!(entry.status, ReplyStatus::Queued);
    let first_post = k.engine.store().care().case_posts(id).await.unwrap()[0].post_id;
    assert_eq!(entry.in_reply_to, Some(first_post));
    assert_eq!(
        k.care.outbox(Some(ReplyStatus::Queued), 10).await.unwrap(),
        vec![entry.clone()]
    );
    let sent = k
        .care
        .mark_reply(
            entry.id,
            &ReplyOutcome::Sent {
                native_id: "555".into(),
            },
            t(0, 9, 8),
        )
        .await
        .unwrap();
    assert_eq!((sent.status, sent.attempts), (ReplyStatus::Sent, 1));
    let kinds: Vec<_> = std::iter::from_fn(|| live.try_recv().ok())
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [ChangeKind::Opened, ChangeKind::ReplyQueued]);
}

#[tokio::test]
async fn suggestions_come_from_similar_resolved_twcs_cases() {
    let store =
        rapport_store::testing::fresh_store(rapport_store::testing::backend_from_env()).await;
    let engine = rapport_engine::Engine::new(store.store(), Default::default())
        .await
        .unwrap();
    let care = engine.care();
    common::import(
        &engine,
        Format::Twcs,
        &common::data("twcs/twcs_head_5000.csv"),
    )
    .await;
    let q = InboxQuery {
        view: InboxView::AllOpen,
        sort: InboxSort::Oldest,
        limit: 500,
        start: PageStart::First,
    };
    let mut ids = Vec::new();
    let mut q2 = q;
    loop {
        let page = care.inbox(&q2).await.unwrap();
        ids.extend(page.items.iter().map(|i| i.id));
        match page.next {
            Some(c) => q2.start = PageStart::After(c),
            None => break,
        }
    }
    // Keep one answered case open and resolve the rest, as a worked inbox would be.
    let mut target = None;
    for id in &ids {
        let rec = care.case(*id).await.unwrap().unwrap();
        if target.is_none()
            && rec.last_agent_reply_at.is_some()
            && rec.preview.split_whitespace().count() > 8
        {
            target = Some(*id);
            continue;
        }
        care.apply(*id, CaseAction::Resolve, UserId(1), t(0, 0, 0))
            .await
            .unwrap();
    }
    let target = target.expect("an answered case");
    let suggestions = care.suggest_replies(target, 3).await.unwrap();
    assert!(!suggestions.is_empty());
    for s in &suggestions {
        assert_ne!(s.case_id, target);
        let page = care.case_page(s.case_id).await.unwrap();
        assert_eq!(page.record.case.status, CaseStatus::Resolved);
        let brand_texts: Vec<_> = page
            .posts
            .iter()
            .filter(|p| p.from_own_account)
            .map(|p| p.post.text.as_str())
            .collect();
        assert!(
            brand_texts.contains(&s.text.as_str()),
            "a suggestion is a brand reply of the similar case"
        );
    }
    assert!(
        suggestions.windows(2).all(|w| w[0].score >= w[1].score),
        "best first"
    );
}
