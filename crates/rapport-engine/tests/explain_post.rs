//! The reasons behind a stored post's labels, as the case page shows them.

#[path = "care_kit/mod.rs"]
mod care_kit;

use care_kit::{kit, post, t};
use rapport_domain::{Intent, Network, PostKey};

async fn stored(k: &care_kit::Kit, id: &str) -> rapport_domain::StoredPost {
    let key = PostKey {
        network: Network::X,
        native_id: id.to_string(),
    };
    k.engine
        .store()
        .posts()
        .post_by_key(&key)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_customer_post_is_explained_with_the_labels_ingest_stored() {
    let k = kit().await;
    let text = "@brand my card was charged twice and nobody answers, this is terrible. \
                how do I get a refund?";
    k.send(vec![post("1", "alice", text, t(0, 9, 0))]).await;
    let p = stored(&k, "1").await;
    let e = k.engine.explain_post(&p, 5);
    let stored_labels = p.labels.clone().expect("ingest labels posts");
    assert_eq!(e.labels.sentiment.label, stored_labels.sentiment.label);
    assert_eq!(e.labels.intents, stored_labels.intents);
    assert!(!e.sentiment.is_empty() && e.sentiment.len() <= 5, "{e:?}");
    assert!(
        stored_labels.intents.iter_intents().count() > 0,
        "a complaint with a question carries an intent: {stored_labels:?}"
    );
    for intent in stored_labels.intents.iter_intents() {
        let cues = e.intents.iter().find(|(i, _)| *i == intent);
        assert!(
            cues.is_some_and(|(_, c)| !c.is_empty()),
            "{intent:?} has cues: {e:?}"
        );
    }
}

#[tokio::test]
async fn an_own_account_post_has_no_customer_intent_to_explain() {
    let k = kit().await;
    k.send(vec![post(
        "1",
        "brand",
        "We are so sorry, this is terrible. Can you DM us your order number? We will refund it.",
        t(0, 9, 0),
    )])
    .await;
    let p = stored(&k, "1").await;
    assert!(p.from_own_account);
    let e = k.engine.explain_post(&p, 3);
    assert!(e.labels.intents.is_empty(), "{e:?}");
    assert!(e.intents.is_empty() && e.urgency.is_empty(), "{e:?}");
    assert!(!e.labels.intents.has(Intent::Complaint));
    assert!(!e.sentiment.is_empty(), "tone is still explained");
}
