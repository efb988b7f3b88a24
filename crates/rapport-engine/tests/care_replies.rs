//! Replies: saved replies rendered with the domain templates, the composer's length check per
//! network, the durable and idempotent outbox, and suggested answers from similar resolved
//! cases on real twcs threads.

#[path = "care_kit/mod.rs"]
mod care_kit;
mod common;

use care_kit::{kit, post, reply, t};
use rapport_connectors::Format;
use rapport_domain::care::{
    ContactFields, InboxQuery, InboxSort, InboxView, PageStart, ReplyOutcome, ReplyStatus,
};
use rapport_domain::{CaseAction, CaseStatus, Network, PersonVars, UserId};
use rapport_engine::care::{CareError, ChangeKind, compose_count};

/// On Mastodon the publisher puts the customer's `@acct` in front of a reply that does not
/// name them, and Mastodon counts it: the composer and the outbox count it too, so a reply the
/// composer accepts is never refused by the server for its length.
#[tokio::test]
async fn the_customers_mention_added_on_mastodon_counts_towards_the_limit() {
    let k = kit().await;
    let mut complaint = post("m1", "x", "@brand my parcel is lost", t(0, 9, 0));
    complaint.network = Network::Mastodon;
    complaint.author.handle = "alice@mastodon.example".into();
    k.send(vec![complaint]).await;
    let key = rapport_domain::PostKey {
        network: Network::Mastodon,
        native_id: "m1".into(),
    };
    let stored = k
        .engine
        .store()
        .posts()
        .post_by_key(&key)
        .await
        .unwrap()
        .unwrap();
    let id = k
        .engine
        .store()
        .cases()
        .case_of_post(stored.id)
        .await
        .unwrap()
        .expect("the mention of the brand opened a case");

    // 494 characters that do not name her: "@alice " (a remote mention counts as its local
    // part) makes 501, over Mastodon's 500.
    let unnamed = "b".repeat(494);
    assert_eq!(compose_count(Network::Mastodon, &unnamed).count, 494);
    let counted = k.care.reply_count(id, &unnamed).await.unwrap();
    assert_eq!((counted.count, counted.fits), (501, false));
    let err = k
        .care
        .queue_reply(id, UserId(2), &unnamed, "m-k0", t(0, 9, 5))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "reply is 501 characters as mastodon counts them, over its limit of 500"
    );
    // Naming her in the reply adds nothing: 7 + 493 fits exactly.
    let named = format!("@alice {}", "b".repeat(493));
    let counted = k.care.reply_count(id, &named).await.unwrap();
    assert_eq!((counted.count, counted.fits), (500, true));
    k.care
        .queue_reply(id, UserId(2), &named, "m-k1", t(0, 9, 6))
        .await
        .unwrap();
}

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
    let reused = k
        .care
        .queue_reply(id, UserId(2), "Another text", "k1", t(0, 9, 7))
        .await
        .unwrap_err();
    assert!(
        matches!(reused, CareError::KeyReused(ref key) if key == "k1"),
        "the key's reply was another: {reused}"
    );
    assert_eq!(entry.status, ReplyStatus::Queued);
    let first_post = k.engine.store().cases().case_posts(id).await.unwrap()[0].post_id;
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
    // The reply took the new case up: its status change follows the queued reply.
    assert_eq!(
        kinds,
        [
            ChangeKind::Opened,
            ChangeKind::ReplyQueued,
            ChangeKind::Updated
        ]
    );
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
    let suggestions = care
        .suggest_replies(target, PersonVars::default(), 3)
        .await
        .unwrap();
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
        assert!(!brand_texts.is_empty());
        // twcs customers are numbers (`@115712`): none of the source case's reaches this one.
        for customer in page.posts.iter().filter(|p| !p.from_own_account) {
            let handle = format!("@{}", customer.post.author.handle);
            assert!(!s.text.contains(&handle), "{handle} in {:?}", s.text);
        }
        // What is left of the brand's reply is its wording: every word of the suggestion that
        // is not a blank or this case's number stands in one of the source case's replies.
        let words = |t: &str| -> Vec<String> {
            t.split_whitespace()
                .map(|w| {
                    w.trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase()
                })
                .filter(|w| !w.is_empty())
                .collect()
        };
        let source_words: Vec<String> = brand_texts.iter().flat_map(|t| words(t)).collect();
        for w in words(&s.text) {
            let known = source_words.contains(&w)
                || [
                    "link", "handle", "number", "email", "there", "the", "team", "your", "case",
                ]
                .contains(&w.as_str())
                || w == target.to_string();
            assert!(
                known,
                "{w:?} of {:?} is not from case {}",
                s.text, s.case_id
            );
        }
    }
    assert!(
        suggestions.windows(2).all(|w| w[0].score >= w[1].score),
        "best first"
    );
}

/// Suggested answers once copied another customer's reply word for word: Emma's case offered
/// "Hi Mia, your refund is on its way ... case 871". Now each is a template filled in for
/// Emma, and replies that say the same once generalised are offered once.
#[tokio::test]
async fn suggestions_never_carry_another_customers_name_handle_or_numbers() {
    let k = kit().await;
    let complaint = "@brand my refund for the double charge never arrived, charged twice again";
    k.send(vec![
        post("m1", "mia_r", complaint, t(0, 9, 0)),
        post("n1", "noah_k", complaint, t(0, 9, 5)),
    ])
    .await;
    let mia = k.case_of("m1").await.unwrap();
    let noah = k.case_of("n1").await.unwrap();
    for (case, handle, name) in [(mia, "mia_r", "Mia Rossi"), (noah, "noah_k", "Noah Kim")] {
        let contact = k.care.case(case).await.unwrap().unwrap().case.contact_id;
        k.care
            .set_contact_fields(
                contact,
                &ContactFields {
                    name: name.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let first = name.split(' ').next().unwrap();
        let order = if first == "Mia" { "5551234" } else { "7779876" };
        k.send(vec![reply(
            &format!("{handle}-answer"),
            "brand",
            if first == "Mia" { "m1" } else { "n1" },
            &format!(
                "@{handle} Hi {first}, your refund is on its way, case {case}. Order {order} \
                 was refunded, see https://t.co/{handle} ^JK"
            ),
            t(0, 10, 0),
        )])
        .await;
        k.care
            .queue_reply(
                case,
                UserId(1),
                &format!("@yuki20@mastodon.example {first}, could you DM us your order number?"),
                &format!("dm-{case}"),
                t(0, 10, 5),
            )
            .await
            .unwrap();
        k.care
            .apply(case, CaseAction::Resolve, UserId(1), t(0, 11, 0))
            .await
            .unwrap();
    }
    k.send(vec![post("e1", "emma_w", complaint, t(1, 9, 0))])
        .await;
    let emma = k.case_of("e1").await.unwrap();
    let contact = k.care.case(emma).await.unwrap().unwrap().case.contact_id;
    k.care
        .set_contact_fields(
            contact,
            &ContactFields {
                name: "Emma Stone".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let agent = PersonVars {
        name: Some("Bob Agent".into()),
        first_name: None,
    };
    let suggestions = k.care.suggest_replies(emma, agent, 5).await.unwrap();
    let texts: Vec<&str> = suggestions.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            format!(
                "Hi Emma, your refund is on its way, case {emma}. Order [number] was refunded, see [link] ^Bob"
            ),
            "Emma, could you DM us your order number?".to_string(),
        ],
        "two distinct answers, each once, though both resolved cases gave them"
    );
    for s in &suggestions {
        assert!([mia, noah].contains(&s.case_id));
        for other in [
            "Mia", "Noah", "mia_r", "noah_k", "yuki20", "5551234", "7779876", "t.co",
        ] {
            assert!(!s.text.contains(other), "{other} in {:?}", s.text);
        }
    }
}

/// A reply queued on a new case once left it `new`; it takes the case up now, and a case
/// already worked keeps its status.
#[tokio::test]
async fn queuing_a_reply_opens_a_new_case() {
    let k = kit().await;
    k.send(vec![
        post("1", "alice", "@brand my card was charged twice", t(0, 9, 0)),
        post("2", "bob", "@brand where is my parcel?", t(0, 9, 1)),
    ])
    .await;
    let fresh = k.case_of("1").await.unwrap();
    let worked = k.case_of("2").await.unwrap();
    assert_eq!(
        k.care.case(fresh).await.unwrap().unwrap().case.status,
        CaseStatus::New
    );
    k.care
        .apply(worked, CaseAction::Open, UserId(1), t(0, 9, 5))
        .await
        .unwrap();
    k.care
        .apply(worked, CaseAction::AwaitCustomer, UserId(1), t(0, 9, 6))
        .await
        .unwrap();
    for (id, key) in [(fresh, "r1"), (worked, "r2")] {
        k.care
            .queue_reply(
                id,
                UserId(7),
                "Sorry about that, could you DM us?",
                key,
                t(0, 10, 0),
            )
            .await
            .unwrap();
    }
    let fresh = k.care.case(fresh).await.unwrap().unwrap();
    assert_eq!(fresh.case.status, CaseStatus::Open);
    let worked = k.care.case(worked).await.unwrap().unwrap();
    assert_eq!(
        worked.case.status,
        CaseStatus::Pending,
        "a worked case keeps its status"
    );
}
