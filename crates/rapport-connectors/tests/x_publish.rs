//! The X publisher against the test server written from X's public API v2 documentation (X
//! cannot run here): see `live/x_posting.rs`. Customers' tweets and the brand's replies are
//! real ones from the twcs data set (`twcs_head_5000.csv`).

mod common;
#[allow(dead_code)]
#[path = "live/x_server.rs"]
mod x_server;

use rapport_connectors::publish::{
    Outgoing, Parent, PublishError, Publisher, XPublishConfig, XPublisher,
};
use std::time::Duration;
use x_server::{PostPlan, USER_TOKEN, XServer};

/// The first `n` customer tweets of twcs that mention `@sprintcare`, and the brand's answers
/// (`(customer text, brand reply text)`), verbatim.
fn conversations(n: usize) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(common::data("twcs/twcs_head_5000.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .filter_map(|r| r.ok())
        .filter(|r| r.len() >= 7)
        .collect();
    let by_id: std::collections::HashMap<&str, &csv::StringRecord> =
        rows.iter().map(|r| (&r[1], r)).collect();
    let mut out = Vec::new();
    for row in &rows {
        // index, tweet_id, author_id, inbound, created_at, text, response_tweet_id, ...
        if &row[3] != "True" || !row[5].starts_with("@sprintcare") {
            continue;
        }
        let answer = row[6]
            .split(',')
            .filter_map(|id| by_id.get(id.trim()))
            .find(|r| &r[2] == "sprintcare");
        if let Some(answer) = answer {
            out.push((row[5].to_string(), answer[5].to_string()));
        }
        if out.len() == n {
            break;
        }
    }
    assert_eq!(
        out.len(),
        n,
        "twcs holds {n} answered complaints to @sprintcare"
    );
    out
}

fn publisher(api: &str) -> XPublisher {
    let mut c = XPublishConfig::new(api, USER_TOKEN);
    c.request_timeout = Duration::from_millis(800);
    XPublisher::new(c)
}

fn reply(key: &str, text: &str, parent: &str) -> Outgoing {
    Outgoing {
        key: key.into(),
        text: text.into(),
        parent: Some(Parent {
            native_id: parent.into(),
            author_handle: "customer".into(),
            raw: "{}".into(),
        }),
    }
}

#[tokio::test]
async fn a_reply_threads_under_the_customer_and_links_to_the_post() {
    let (complaint, answer) = conversations(1).remove(0);
    let server = XServer::start(vec![x_server::Plan::Hang], vec![]).await;
    server
        .posting
        .lock()
        .unwrap()
        .customer_tweet("1001", "77", &complaint, &["brand"]);
    let x = publisher(&server.api);
    let sent = x.send(&reply("k1", &answer, "1001")).await.unwrap();
    let posting = server.posting.lock().unwrap();
    assert_eq!(posting.posts[0]["reply"]["in_reply_to_tweet_id"], "1001");
    assert_eq!(posting.posts[0]["text"], answer.as_str());
    let replies = posting.replies_to("1001");
    assert_eq!(replies.len(), 1);
    assert_eq!(sent.native_id, replies[0]["id"].as_str().unwrap());
    assert_eq!(
        sent.url,
        format!("https://x.com/brand/status/{}", sent.native_id)
    );
    let post = sent.post.expect("the reply as a post");
    assert_eq!(post.reply_to.as_deref(), Some("1001"));
    assert_eq!(post.author.handle, "brand");
    assert!(post.author.own_account);
    assert_eq!(post.text, answer);
}

#[tokio::test]
async fn the_self_serve_rule_refuses_a_reply_to_a_post_that_does_not_mention_the_account() {
    let server = XServer::start(vec![x_server::Plan::Hang], vec![]).await;
    server
        .posting
        .lock()
        .unwrap()
        .customer_tweet("1002", "77", "my phone broke again", &[]);
    let err = publisher(&server.api)
        .send(&reply("k", "Sorry to hear that", "1002"))
        .await
        .unwrap_err();
    match err {
        PublishError::Refused(reason) => {
            assert!(
                reason.contains("403") && reason.contains("mentioned"),
                "{reason}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(server.posting.lock().unwrap().replies_to("1002").is_empty());
}

#[tokio::test]
async fn payment_and_rate_limits_wait_and_say_why() {
    let convs = conversations(2);
    let server = XServer::start(vec![x_server::Plan::Hang], vec![]).await;
    {
        let mut p = server.posting.lock().unwrap();
        p.customer_tweet("1003", "77", &convs[0].0, &["brand"]);
        p.plans.push_back(PostPlan::PaymentRequired);
        p.plans.push_back(PostPlan::RateLimited(30));
    }
    let x = publisher(&server.api);
    let r = reply("k", &convs[0].1, "1003");
    match x.send(&r).await.unwrap_err() {
        PublishError::NotSent {
            reason,
            retry_after,
        } => {
            assert!(
                reason.contains("402") && reason.contains("credits"),
                "{reason}"
            );
            assert_eq!(retry_after, Some(Duration::from_secs(15 * 60)));
        }
        other => panic!("402 is not sent: {other:?}"),
    }
    match x.send(&r).await.unwrap_err() {
        PublishError::NotSent {
            reason,
            retry_after,
        } => {
            assert!(reason.contains("429"), "{reason}");
            let wait = retry_after.expect("the reset header's wait");
            assert!(
                wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
                "{wait:?}"
            );
        }
        other => panic!("429 is not sent: {other:?}"),
    }
    // None remaining: the next attempt waits for the reset without asking X.
    let posts = server.posting.lock().unwrap().posts.len();
    match x.send(&r).await.unwrap_err() {
        PublishError::NotSent { retry_after, .. } => {
            assert!(retry_after.unwrap() > Duration::from_secs(20))
        }
        other => panic!("the gate holds: {other:?}"),
    }
    assert_eq!(
        server.posting.lock().unwrap().posts.len(),
        posts,
        "nothing was sent"
    );
    assert!(server.posting.lock().unwrap().replies_to("1003").is_empty());
}

#[tokio::test]
async fn an_unknown_outcome_is_found_by_reading_the_account_and_never_sent_twice() {
    let convs = conversations(3);
    let server = XServer::start(vec![x_server::Plan::Hang], vec![]).await;
    {
        let mut p = server.posting.lock().unwrap();
        for (i, (complaint, _)) in convs.iter().enumerate() {
            p.customer_tweet(&format!("20{i}"), "77", complaint, &["brand"]);
        }
        p.plans.push_back(PostPlan::CreatedThen503);
        p.plans.push_back(PostPlan::CreatedThenHang);
        p.plans.push_back(PostPlan::Unavailable);
    }
    let x = publisher(&server.api);
    let since = chrono::Utc::now();
    let mut taken: Vec<String> = Vec::new();
    for (i, (_, answer)) in convs.iter().enumerate() {
        let r = reply(&format!("k{i}"), answer, &format!("20{i}"));
        let err = x.send(&r).await.unwrap_err();
        assert!(
            matches!(err, PublishError::Unknown(_)),
            "attempt {i}: {err:?}"
        );
        // What a publisher does with an unknown outcome: ask before sending again.
        match x.find(&r, since, &taken).await.unwrap() {
            Some(found) => {
                assert!(i < 2, "only the created ones are found");
                taken.push(found.native_id.clone());
            }
            None => {
                assert_eq!(i, 2, "the 503 before creation left nothing");
                x.send(&r).await.unwrap();
            }
        }
    }
    for i in 0..3 {
        let p = server.posting.lock().unwrap();
        assert_eq!(
            p.replies_to(&format!("20{i}")).len(),
            1,
            "reply {i} exactly once"
        );
    }
    // The same text to another post is not mistaken for it.
    let other = reply("k9", &convs[0].1, "202");
    assert_eq!(x.find(&other, since, &taken).await.unwrap(), None);
}

#[tokio::test]
async fn a_revoked_token_is_a_refusal() {
    let server = XServer::start(vec![x_server::Plan::Hang], vec![]).await;
    let x = XPublisher::new(XPublishConfig::new(&server.api, "revoked"));
    let err = x.send(&reply("k", "hello", "1")).await.unwrap_err();
    assert!(
        matches!(err, PublishError::Refused(ref r) if r.contains("401")),
        "{err:?}"
    );
}
