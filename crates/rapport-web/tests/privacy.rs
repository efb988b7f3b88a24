//! A data subject's requests on real data (the twcs sample): an admin exports everything held
//! on a customer, then erases them; what the export and the pages show before and after is
//! checked against the CSV itself, and both requests are in the audit log.

mod common;

use axum::http::StatusCode;
use common::{Call, PASSWORD, TWCS_SAMPLE, World, log_in};
use rapport_domain::{ContactId, Network, Permission, PostKey, Role};
use rapport_web::WebConfig;
use serde_json::Value;
use std::collections::BTreeSet;

/// The customer with the most tweets in the sample, their tweets' ids and texts, read from
/// the CSV.
fn busiest_customer() -> (String, Vec<(String, String)>) {
    let mut rows = csv::Reader::from_path(TWCS_SAMPLE).unwrap();
    let mut by: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    for r in rows.records() {
        let r = r.unwrap();
        if &r[2] == "True" {
            by.entry(r[1].to_string())
                .or_default()
                .push((r[0].to_string(), r[4].to_string()));
        }
    }
    let (author, tweets) = by.into_iter().max_by_key(|(_, t)| t.len()).unwrap();
    assert!(
        tweets.len() >= 3,
        "the sample has a customer who wrote several times"
    );
    (author, tweets)
}

/// A customer tweet by someone else, without HTML entities: its id and text.
fn first_tweet_not_by(author: &str) -> (String, String) {
    let mut rows = csv::Reader::from_path(TWCS_SAMPLE).unwrap();
    rows.records()
        .map(|r| r.unwrap())
        .find(|r| &r[2] == "True" && &r[1] != author && !r[4].contains('&'))
        .map(|r| (r[0].to_string(), r[4].to_string()))
        .expect("another customer's tweet")
}

async fn contact_of(world: &World, tweet: &str) -> ContactId {
    let key = PostKey {
        network: Network::X,
        native_id: tweet.into(),
    };
    world
        .engine
        .store()
        .posts()
        .post_by_key(&key)
        .await
        .unwrap()
        .unwrap()
        .contact_id
}

#[tokio::test]
async fn an_admin_exports_a_customer_then_erases_them_and_only_them() {
    let world = World::new(WebConfig::default()).await;
    world.user("ana", Role::Admin).await;
    world.user("bo", Role::Agent).await;
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    let (author, tweets) = busiest_customer();
    let contact = contact_of(&world, &tweets[0].0).await;
    let admin = log_in(&world, "ana", PASSWORD).await.unwrap();
    let agent = world.session("bo").await;

    let refused = world
        .send(
            Call::get(format!("/contacts/{contact}/export"))
                .by(&agent)
                .build(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let page = world
        .send(Call::get(format!("/contacts/{contact}")).by(&admin).build())
        .await;
    assert!(page.body.contains(&format!("/contacts/{contact}/export")));
    let (_, plain_text) = tweets.iter().find(|(_, t)| !t.contains('&')).unwrap();
    assert!(
        html_escape::decode_html_entities(&page.body).contains(plain_text.as_str()),
        "the timeline shows what they wrote before the erasure"
    );
    let agent_page = world
        .send(Call::get(format!("/contacts/{contact}")).by(&agent).build())
        .await;
    assert!(
        !agent_page.body.contains("Erase this contact"),
        "admins only"
    );

    let export = world
        .send(
            Call::get(format!("/contacts/{contact}/export"))
                .by(&admin)
                .build(),
        )
        .await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(
        export.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let json: Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(json["contact"]["identities"][0]["handle"], author.as_str());
    let exported: BTreeSet<String> = json["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["post"]["native_id"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = tweets.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(
        exported, expected,
        "every tweet of theirs, and no one else's"
    );
    let plain = tweets
        .iter()
        .find(|(_, text)| !text.contains('&'))
        .expect("a tweet without entities");
    assert!(
        json["posts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["post"]["text"] == plain.1.as_str()),
        "the text as written"
    );
    assert!(
        !json["cases"].as_array().unwrap().is_empty(),
        "their case comes along"
    );
    assert!(
        json["cases"][0]["events"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );

    // The first POST only asks.
    let ask = world
        .send(
            Call::post(format!("/contacts/{contact}/erase"))
                .by(&admin)
                .form(&[("csrf", &admin.csrf)])
                .build(),
        )
        .await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("Erase for good"));
    assert_eq!(
        contact_of(&world, &tweets[0].0).await,
        contact,
        "nothing changed yet"
    );
    let done = world
        .send(
            Call::post(format!("/contacts/{contact}/erase"))
                .by(&admin)
                .form(&[("csrf", &admin.csrf), ("confirm", "yes")])
                .build(),
        )
        .await;
    assert!(
        done.is_redirect_to(&format!("/contacts/{contact}?done=erased")),
        "{done:?}"
    );
    let after = world
        .send(
            Call::get(format!("/contacts/{contact}?done=erased"))
                .by(&admin)
                .build(),
        )
        .await;
    assert!(after.body.contains("Erased contact"));
    assert!(!html_escape::decode_html_entities(&after.body).contains(plain.1.as_str()));

    // The API export now holds their posts emptied: counted, with nothing in them.
    let token = world
        .token_as(
            &world.accounts.users().await.unwrap()[0],
            Role::Admin,
            &[Permission::ManageUsers],
        )
        .await;
    let api = world
        .send(
            Call::get(format!("/api/v1/contacts/{contact}/export"))
                .bearer(&token)
                .build(),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json: Value = serde_json::from_str(&api.body).unwrap();
    let posts = json["posts"].as_array().unwrap();
    assert_eq!(posts.len(), tweets.len());
    assert!(
        posts
            .iter()
            .all(|p| p["post"]["text"] == "" && p["post"]["raw"] == "{}")
    );
    assert!(
        json["contact"]["identities"][0]["handle"]
            .as_str()
            .unwrap()
            .starts_with("erased-")
    );
    // Someone else's tweets are as they were.
    let (someone, text) = first_tweet_not_by(&author);
    let kept = world
        .engine
        .store()
        .posts()
        .post_by_key(&PostKey {
            network: Network::X,
            native_id: someone,
        })
        .await
        .unwrap()
        .expect("stored");
    assert_ne!(kept.contact_id, contact);
    assert_eq!(kept.post.text, text);
    let erase_again = world
        .send(
            Call::post(format!("/api/v1/contacts/{contact}/erase"))
                .bearer(&token)
                .build(),
        )
        .await;
    assert_eq!(
        erase_again.status,
        StatusCode::OK,
        "erasing twice is harmless"
    );
    let unknown = world
        .send(
            Call::post("/api/v1/contacts/999999/erase")
                .bearer(&token)
                .build(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let audit = world
        .send(Call::get("/api/v1/audit?limit=20").bearer(&token).build())
        .await;
    let audit: Value = serde_json::from_str(&audit.body).unwrap();
    let lines: Vec<String> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}", e["action"], e["target"], e["detail"]))
        .collect();
    let target = format!("contact {contact}");
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "\"contact.erased\" \"{target}\" \"{} posts",
            tweets.len()
        ))),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("\"exported\" \"{target}\"")))
            .count()
            == 2,
        "{lines:?}"
    );
}
