//! Replies the network will not take are refused when queued, with the reason the case page
//! shows: X's self-serve API accepts a reply only to a post that mentions or quotes the
//! account. And an idempotency key belongs to one reply.

mod care_kit;

use care_kit::{kit, post, reply, t};
use rapport_domain::{Network, UserId};
use rapport_engine::care::CareError;
use rapport_engine::channels::{ChannelSpec, Channels, SecretKey};

#[tokio::test]
async fn xs_self_serve_rule_is_said_before_a_reply_is_queued() {
    let k = kit().await;
    k.send(vec![
        post(
            "1",
            "alice",
            "@brand my order is three days late",
            t(0, 9, 0),
        ),
        // The customer's follow-up in her own thread does not mention the brand.
        reply(
            "2",
            "alice",
            "1",
            "still nothing, day four now",
            t(0, 10, 0),
        ),
        post("3", "bob", "@brand the app crashes on login", t(0, 9, 30)),
    ])
    .await;
    let late = k.case_of("2").await.expect("the follow-up joined the case");
    let crash = k.case_of("3").await.expect("a case");

    // Without an X channel nothing will be sent: nothing to say yet.
    assert_eq!(k.care.reply_rule(late).await.unwrap(), None);

    let channels = Channels::new(k.engine.store().clone(), Some(SecretKey::generate()));
    let spec = |self_serve| ChannelSpec::X {
        api: "https://api.x.com".into(),
        account: None,
        monthly_read_budget: None,
        self_serve,
    };
    channels
        .add("x-brand", spec(true), "bearer\nuser")
        .await
        .unwrap();
    let rule = k
        .care
        .reply_rule(late)
        .await
        .unwrap()
        .expect("the rule applies");
    assert!(rule.contains("mentions or quotes"), "{rule}");
    assert_eq!(
        k.care.reply_rule(crash).await.unwrap(),
        None,
        "bob mentioned the brand"
    );
    let err = k
        .care
        .queue_reply(late, UserId(2), "Sorry for the wait!", "r1", t(0, 11, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CareError::ReplyNotAllowed(ref why) if *why == rule),
        "{err}"
    );
    assert!(
        k.care.case_outbox(late).await.unwrap().is_empty(),
        "nothing queued"
    );
    k.care
        .queue_reply(crash, UserId(2), "Sorry! Which version?", "r2", t(0, 11, 0))
        .await
        .unwrap();

    // Enterprise access has no such rule.
    channels.remove("x-brand").await.unwrap();
    channels
        .add("x-enterprise", spec(false), "bearer\nuser")
        .await
        .unwrap();
    assert_eq!(k.care.reply_rule(late).await.unwrap(), None);
    let entry = k
        .care
        .queue_reply(late, UserId(2), "Sorry for the wait!", "r1", t(0, 11, 5))
        .await
        .unwrap();
    assert_eq!(entry.network, Network::X);

    // A key queues one reply: another case with it is refused.
    let err = k
        .care
        .queue_reply(crash, UserId(2), "Sorry for the wait!", "r1", t(0, 11, 6))
        .await
        .unwrap_err();
    assert!(matches!(err, CareError::KeyReused(_)), "{err}");
}
