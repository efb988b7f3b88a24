//! Contacts: fields, merging two contacts, splitting an identity off again, and the timeline
//! of every touchpoint in order.

#[path = "care_kit/mod.rs"]
mod care_kit;

use care_kit::{kit, post, t};
use rapport_domain::care::{ContactFields, LifecycleStage};
use rapport_domain::{Network, UserId};
use rapport_engine::care::{CareError, TimelineEntry};

#[tokio::test]
async fn merge_split_and_timeline() {
    let k = kit().await;
    k.send(vec![
        post("1", "alice", "@brand my router keeps dropping", t(0, 9, 0)),
        post(
            "2",
            "alice_work",
            "@brand the office router too",
            t(0, 12, 0),
        ),
    ])
    .await;
    let (c1, c2) = (k.case_of("1").await.unwrap(), k.case_of("2").await.unwrap());
    let alice = k.care.case(c1).await.unwrap().unwrap().case.contact_id;
    let work = k.care.case(c2).await.unwrap().unwrap().case.contact_id;
    assert_ne!(alice, work);
    let bad = ContactFields {
        name: "Alice".into(),
        email: Some("alice at example".into()),
        ..Default::default()
    };
    let err = k.care.set_contact_fields(alice, &bad).await.unwrap_err();
    assert!(
        matches!(err, CareError::Invalid { field: "email", .. }),
        "{err}"
    );
    let fields = ContactFields {
        name: " Alice ".into(),
        email: Some("alice@example.org".into()),
        company: Some("Example".into()),
        tags: ["VIP".to_string()].into(),
        stage: Some(LifecycleStage::Customer),
        ..Default::default()
    };
    k.care.set_contact_fields(alice, &fields).await.unwrap();
    k.care
        .add_note(c1, UserId(3), "same person as alice_work", t(0, 10, 0))
        .await
        .unwrap();
    k.care
        .queue_reply(c2, UserId(3), "Looking into it", "r1", t(0, 13, 0))
        .await
        .unwrap();

    k.care.merge_contacts(alice, work).await.unwrap();
    let f = k.care.contact_fields(alice).await.unwrap().unwrap();
    assert_eq!(
        (f.name.as_str(), f.tags.iter().next().map(String::as_str)),
        ("Alice", Some("vip"))
    );
    let timeline = k.care.timeline(alice, 100).await.unwrap();
    let shape: Vec<(String, chrono::DateTime<chrono::Utc>)> = timeline
        .iter()
        .map(|e| {
            let kind = match e {
                TimelineEntry::Post { .. } => "post",
                TimelineEntry::CaseOpened { .. } => "case",
                TimelineEntry::Note { .. } => "note",
                TimelineEntry::Reply { .. } => "reply",
            };
            (kind.to_string(), e.at())
        })
        .collect();
    let expected = [
        ("post", t(0, 9, 0)),
        ("case", t(0, 9, 0)),
        ("note", t(0, 10, 0)),
        ("post", t(0, 12, 0)),
        ("case", t(0, 12, 0)),
        ("reply", t(0, 13, 0)),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(k, at)| (k.to_string(), *at))
        .collect();
    assert_eq!(shape, expected);
    // A limit keeps the recent end of the history, still oldest first.
    let recent: Vec<_> = k
        .care
        .timeline(alice, 3)
        .await
        .unwrap()
        .iter()
        .map(|e| e.at())
        .collect();
    assert_eq!(recent, [t(0, 12, 0), t(0, 12, 0), t(0, 13, 0)]);

    // Splitting the work account off takes its case along.
    let identity = k
        .engine
        .store()
        .contacts()
        .identity(Network::X, "alice_work")
        .await
        .unwrap()
        .unwrap();
    let split = k
        .care
        .split_identity(identity.id, "Alice (work)")
        .await
        .unwrap();
    assert_eq!(
        k.care.case(c2).await.unwrap().unwrap().case.contact_id,
        split
    );
    assert_eq!(
        k.care.case(c1).await.unwrap().unwrap().case.contact_id,
        alice
    );
    let after: Vec<_> = k
        .care
        .timeline(split, 100)
        .await
        .unwrap()
        .iter()
        .map(TimelineEntry::at)
        .collect();
    assert_eq!(after, [t(0, 12, 0), t(0, 12, 0), t(0, 13, 0)]);
}
