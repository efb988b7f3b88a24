//! The Mastodon publisher against the real `mastodon_mock` (PyPI), started through
//! `scripts/mastodon-mock` on 127.0.0.1: threading, the customer's mention, the visibility of
//! the post answered, `Idempotency-Key`, reconciliation by reading the account's statuses, and
//! the mock's faults. Texts are real customer complaints and brand replies from twcs.

#[allow(dead_code)]
#[path = "live/mastodon_mock.rs"]
mod mastodon_mock;

use mastodon_mock::MastodonMock;
use rapport_connectors::publish::{
    MastodonPublishConfig, MastodonPublisher, Outgoing, Parent, PublishError, Publisher,
};
use serde_json::{Value, json};
use std::time::Duration;

// From `twcs_head_5000.csv`, verbatim: a customer's tweet to @sprintcare and Sprint's answer.
const COMPLAINT: &str = "@sprintcare is the worst customer service";
const ANSWER: &str = "@115712 Can you please send us a private message, so that I can gain \
     further details about your account?";
const OTHER_ANSWER: &str = "@115712 I understand. I would like to assist you. We would need to \
     get you into a private secured link to further assist.";

fn publisher(mock: &MastodonMock, token: &str) -> MastodonPublisher {
    let mut c = MastodonPublishConfig::new(&mock.url, token);
    c.request_timeout = Duration::from_secs(2);
    MastodonPublisher::new(c)
}

/// The customer's status, posted with a visibility, as Rapport stores it (its JSON).
async fn customer_status(mock: &MastodonMock, token: &str, visibility: &str) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/statuses", mock.url))
        .bearer_auth(token)
        .json(&json!({"status": COMPLAINT, "visibility": visibility}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    r.json().await.unwrap()
}

fn reply_to(status: &Value, key: &str, text: &str) -> Outgoing {
    Outgoing {
        key: key.into(),
        text: text.into(),
        parent: Some(Parent {
            native_id: status["id"].as_str().unwrap().into(),
            author_handle: status["account"]["acct"].as_str().unwrap().into(),
            raw: status.to_string(),
        }),
    }
}

/// The brand's statuses that reply to `id`, as the server holds them.
async fn replies(mock: &MastodonMock, brand_id: &str, id: &str) -> Vec<Value> {
    let all: Vec<Value> = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/accounts/{brand_id}/statuses?limit=40",
            mock.url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.into_iter()
        .filter(|s| s["in_reply_to_id"] == id)
        .collect()
}

#[tokio::test]
async fn a_reply_threads_mentions_the_customer_and_keeps_the_visibility() {
    let mock = MastodonMock::start().await;
    let (brand_id, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    let status = customer_status(&mock, &customer, "unlisted").await;
    let m = publisher(&mock, &brand);
    let sent = m.send(&reply_to(&status, "entry-1", ANSWER)).await.unwrap();
    let on_server = replies(&mock, &brand_id, status["id"].as_str().unwrap()).await;
    assert_eq!(on_server.len(), 1);
    let reply = &on_server[0];
    assert_eq!(reply["id"], sent.native_id.as_str());
    assert_eq!(
        reply["visibility"], "unlisted",
        "the visibility of the post answered"
    );
    assert!(
        reply["mentions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["acct"] == "customer"),
        "the customer is mentioned: {reply}"
    );
    assert_eq!(sent.url, reply["url"].as_str().unwrap());
    let post = sent.post.expect("the reply as a post");
    assert_eq!(post.reply_to.as_deref(), status["id"].as_str());
    assert!(post.author.own_account);
    assert!(post.text.contains("private message"), "{}", post.text);

    // The same key again is the same status (the server honours Idempotency-Key).
    let again = m.send(&reply_to(&status, "entry-1", ANSWER)).await.unwrap();
    assert_eq!(again.native_id, sent.native_id);
    assert_eq!(
        replies(&mock, &brand_id, status["id"].as_str().unwrap())
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn reconciliation_finds_the_reply_by_its_text_and_skips_other_entries() {
    let mock = MastodonMock::start().await;
    let (_, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    let status = customer_status(&mock, &customer, "public").await;
    let m = publisher(&mock, &brand);
    let since = chrono::Utc::now();
    let r = reply_to(&status, "entry-2", ANSWER);
    assert_eq!(
        m.find(&r, since, &[]).await.unwrap(),
        None,
        "nothing posted yet"
    );
    let sent = m.send(&r).await.unwrap();
    let found = m
        .find(&r, since, &[])
        .await
        .unwrap()
        .expect("found by its text");
    assert_eq!(found.native_id, sent.native_id);
    assert_eq!(
        m.find(&r, since, std::slice::from_ref(&sent.native_id))
            .await
            .unwrap(),
        None,
        "another entry's post is never taken"
    );
    let other = reply_to(&status, "entry-3", OTHER_ANSWER);
    assert_eq!(
        m.find(&other, since, &[]).await.unwrap(),
        None,
        "another text"
    );
}

#[tokio::test]
async fn faults_are_classified_for_the_ledger() {
    let mock = MastodonMock::start().await;
    let (brand_id, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    let status = customer_status(&mock, &customer, "public").await;
    let id = status["id"].as_str().unwrap().to_string();
    let m = publisher(&mock, &brand);
    let r = reply_to(&status, "entry-4", ANSWER);
    let statuses = json!({"methods": ["POST"], "path": "/api/v1/statuses"});

    mock.fault(json!({"match": statuses, "effect": {"type": "status", "status": 502}, "count": 1}))
        .await;
    let e = m.send(&r).await.unwrap_err();
    assert!(
        matches!(e, PublishError::Unknown(ref why) if why.contains("502")),
        "{e:?}"
    );

    // Mastodon's reset header is an ISO 8601 time.
    let reset = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    mock.fault(json!({"match": statuses, "effect": {"type": "ratelimit",
        "headers": {"Retry-After": "2", "X-RateLimit-Reset": reset}}, "count": 1}))
        .await;
    match m.send(&r).await.unwrap_err() {
        PublishError::NotSent {
            reason,
            retry_after,
        } => {
            assert!(reason.contains("429"), "{reason}");
            assert_eq!(retry_after, Some(Duration::from_secs(2)));
        }
        other => panic!("a 429 is not sent: {other:?}"),
    }
    // Nothing remains until the reset: the next attempt waits without asking.
    match m.send(&r).await.unwrap_err() {
        PublishError::NotSent {
            reason,
            retry_after,
        } => {
            assert!(reason.contains("300 requests per 5 minutes"), "{reason}");
            assert!(retry_after.unwrap() <= Duration::from_secs(2));
        }
        other => panic!("the gate holds: {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(2100)).await;

    mock.fault(json!({"match": statuses, "effect": {"type": "malformed"}, "count": 1}))
        .await;
    let e = m.send(&r).await.unwrap_err();
    assert!(
        matches!(e, PublishError::Unknown(ref why) if why.contains("could not be read")),
        "{e:?}"
    );

    mock.fault(
        json!({"match": statuses, "effect": {"type": "status", "status": 422,
        "body": {"error": "Validation failed: Text character limit of 500 exceeded"}}, "count": 1}),
    )
    .await;
    let e = m.send(&r).await.unwrap_err();
    assert!(
        matches!(e, PublishError::Refused(ref why) if why.contains("character limit")),
        "{e:?}"
    );

    assert!(
        replies(&mock, &brand_id, &id).await.is_empty(),
        "no fault created a status"
    );
    let revoked = publisher(&mock, "revoked-token");
    let e = revoked.send(&r).await.unwrap_err();
    assert!(
        matches!(e, PublishError::Refused(ref why) if why.contains("401")),
        "{e:?}"
    );

    m.send(&r).await.unwrap();
    assert_eq!(replies(&mock, &brand_id, &id).await.len(), 1);
}
