use super::kit::{case, minute, post};
use super::support::P;
use crate::Store;
use rapport_domain::care::{ContactFields, LifecycleStage};
use rapport_domain::{ContactId, Network, Priority};
use std::sync::Arc;

async fn contact_of(store: &dyn Store, handle: &str) -> ContactId {
    store
        .contacts()
        .identity(Network::X, handle)
        .await
        .unwrap()
        .unwrap()
        .contact_id
}

pub async fn contact_fields_round_trip(store: Arc<dyn Store>) {
    let s = store.as_ref();
    post(s, P::new("1", "alice")).await;
    let id = contact_of(s, "alice").await;
    let empty = s.contact_book().contact_fields(id).await.unwrap().unwrap();
    assert_eq!(
        empty,
        ContactFields {
            name: "alice".into(),
            ..ContactFields::default()
        }
    );
    let fields = ContactFields {
        name: "Alice Liddell".into(),
        email: Some("alice@example.org".into()),
        company: Some("Wonder Ltd".into()),
        crm_id: Some("CRM-7".into()),
        tags: ["vip".to_string()].into(),
        stage: Some(LifecycleStage::Customer),
        merged_into: None,
    };
    s.contact_book()
        .set_contact_fields(id, &fields)
        .await
        .unwrap();
    assert_eq!(
        s.contact_book().contact_fields(id).await.unwrap(),
        Some(fields)
    );
    assert_eq!(
        s.contacts().contact(id).await.unwrap().unwrap().name,
        "Alice Liddell"
    );
    assert_eq!(
        s.contact_book()
            .contact_fields(ContactId(9_999))
            .await
            .unwrap(),
        None
    );
}

pub async fn merging_moves_identities_cases_and_leads(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let a = case(s, "1", "alice", 0, Priority::Normal).await;
    let b = case(s, "2", "alice_alt", 1, Priority::Normal).await;
    let (keep, gone) = (a.case.contact_id, b.case.contact_id);
    s.contact_book()
        .set_contact_fields(
            gone,
            &ContactFields {
                name: "alice_alt".into(),
                email: Some("a@example.org".into()),
                tags: ["x".to_string()].into(),
                ..ContactFields::default()
            },
        )
        .await
        .unwrap();
    s.contact_book()
        .set_contact_fields(
            keep,
            &ContactFields {
                name: "Alice".into(),
                tags: ["y".to_string()].into(),
                ..ContactFields::default()
            },
        )
        .await
        .unwrap();
    // Flagged after its fields were set: the stage becomes lead.
    s.leads()
        .flag_lead(gone, rapport_domain::PostId(2), minute(1))
        .await
        .unwrap();
    s.contact_book().merge_contacts(keep, gone).await.unwrap();
    let kept = s.contacts().contact(keep).await.unwrap().unwrap();
    assert_eq!(kept.identities.len(), 2);
    let cases = s.cases().contact_cases(keep).await.unwrap();
    assert_eq!(
        cases.iter().map(|c| c.case.id).collect::<Vec<_>>(),
        vec![a.case.id, b.case.id]
    );
    assert!(s.cases().contact_cases(gone).await.unwrap().is_empty());
    let recent = s.cases().recent_contact_cases(keep, 1).await.unwrap();
    assert_eq!(
        recent.iter().map(|c| c.case.id).collect::<Vec<_>>(),
        vec![b.case.id],
        "the newest case"
    );
    assert_eq!(
        s.cases().recent_contact_cases(keep, 10).await.unwrap(),
        cases
    );
    let f = s
        .contact_book()
        .contact_fields(keep)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (f.name.as_str(), f.email.as_deref(), f.stage),
        ("Alice", Some("a@example.org"), Some(LifecycleStage::Lead))
    );
    assert_eq!(f.tags.iter().collect::<Vec<_>>(), ["x", "y"]);
    assert_eq!(
        s.contact_book()
            .contact_fields(gone)
            .await
            .unwrap()
            .unwrap()
            .merged_into,
        Some(keep)
    );
    assert_eq!(s.leads().contact_leads(keep).await.unwrap().len(), 1);
    assert!(
        s.contact_book().merge_contacts(keep, gone).await.is_err(),
        "merged once"
    );
    assert!(s.contact_book().merge_contacts(keep, keep).await.is_err());
    // A case saved from before the merge is refused: the merge moved it on.
    assert!(s.cases().save_case(&b, &[], &[]).await.is_err());
    // Posts of the merged identity now show on the kept contact's timeline.
    assert_eq!(
        s.contacts().contact_timeline(keep, 10).await.unwrap().len(),
        2
    );
}

pub async fn splitting_takes_the_identity_and_its_cases(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let a = case(s, "1", "alice", 0, Priority::Normal).await;
    let b = case(s, "2", "alice_work", 1, Priority::Normal).await;
    s.contact_book()
        .merge_contacts(a.case.contact_id, b.case.contact_id)
        .await
        .unwrap();
    let work = s
        .contacts()
        .identity(Network::X, "alice_work")
        .await
        .unwrap()
        .unwrap();
    let new = s
        .contact_book()
        .split_identity(work.id, "Alice at work")
        .await
        .unwrap();
    let moved = s.contacts().contact(new).await.unwrap().unwrap();
    assert_eq!(
        (moved.name.as_str(), moved.identities.len()),
        ("Alice at work", 1)
    );
    assert_eq!(
        s.cases().contact_cases(new).await.unwrap()[0].case.id,
        b.case.id
    );
    assert_eq!(
        s.cases().contact_cases(a.case.contact_id).await.unwrap()[0]
            .case
            .id,
        a.case.id
    );
    let alone = s
        .contacts()
        .identity(Network::X, "alice")
        .await
        .unwrap()
        .unwrap();
    assert!(
        s.contact_book()
            .split_identity(alone.id, "x")
            .await
            .is_err(),
        "the last identity stays"
    );
}

pub async fn leads_list_one_row_per_contact(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p1 = post(s, P::new("1", "alice").at(1)).await;
    let p2 = post(s, P::new("2", "alice").at(5)).await;
    let p3 = post(s, P::new("3", "bob").at(3)).await;
    let (alice, bob) = (contact_of(s, "alice").await, contact_of(s, "bob").await);
    assert!(s.leads().flag_lead(alice, p1, minute(1)).await.unwrap());
    assert!(
        !s.leads().flag_lead(alice, p1, minute(1)).await.unwrap(),
        "once per post"
    );
    s.leads().flag_lead(alice, p2, minute(5)).await.unwrap();
    s.leads().flag_lead(bob, p3, minute(3)).await.unwrap();
    s.contact_book()
        .set_contact_fields(
            bob,
            &ContactFields {
                name: "bob".into(),
                stage: Some(LifecycleStage::Customer),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    s.leads().flag_lead(bob, p3, minute(3)).await.unwrap();
    let leads = s.leads().leads(10).await.unwrap();
    let rows: Vec<_> = leads
        .iter()
        .map(|l| (l.contact_id, l.post_id, l.stage))
        .collect();
    assert_eq!(
        rows,
        vec![
            (alice, p2, Some(LifecycleStage::Lead)),
            (bob, p3, Some(LifecycleStage::Customer))
        ]
    );
    assert_eq!(s.leads().contact_leads(alice).await.unwrap().len(), 2);
}
