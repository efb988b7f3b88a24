use super::kit::{case, minute, post};
use super::support::{P, Rng, ingest, inserted_id};
use crate::Store;
use rapport_domain::care::{ContactFields, LeadCursor, LifecycleStage};
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
    let page = s.leads().leads(None, 10).await.unwrap();
    assert_eq!(page.next, None, "two leads fit on one page of ten");
    let leads = page.items;
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

/// Flags leads for many contacts (several flags each, many at the same instant) and walks
/// the list in pages of every size: each contact shows up exactly once, with its latest flag,
/// in (flag time, contact id) descending order, and only the last page has no `next`.
pub async fn leads_pages_walk_every_contact_once(store: Arc<dyn Store>) {
    let s = store.as_ref();
    const N: usize = 23;
    let mut rng = Rng(12);
    // Contacts are made in order; their later posts come in shuffled order, so that post
    // ids do not follow contact ids (the order must not lean on post ids).
    let first: Vec<_> = (0..N)
        .map(|c| P::new(&format!("{c}-0"), &format!("lead{c}")).at(c as i64))
        .collect();
    let mut later: Vec<_> = (0..N).flat_map(|c| (1..3).map(move |f| (c, f))).collect();
    rng.shuffle(&mut later);
    let mut ids = vec![rapport_domain::PostId(0); N * 3];
    for (c, o) in (0..N).zip(&ingest(s, first).await.outcomes) {
        ids[c * 3] = inserted_id(o);
    }
    let report = ingest(
        s,
        later
            .iter()
            .map(|&(c, f)| P::new(&format!("{c}-{f}"), &format!("lead{c}")).at(c as i64))
            .collect(),
    )
    .await;
    for (&(c, f), o) in later.iter().zip(&report.outcomes) {
        ids[c * 3 + f] = inserted_id(o);
    }
    // What each contact's latest flag is, worked out here: (minute, post) per contact.
    let mut latest = Vec::new();
    for c in 0..N {
        let contact = contact_of(s, &format!("lead{c}")).await;
        let flags = 1 + rng.below(3);
        let mut best: Option<(i64, rapport_domain::PostId)> = None;
        for f in 0..flags {
            // Few distinct minutes, so many contacts tie on the flag time.
            let m = rng.below(5) as i64;
            let post = ids[c * 3 + f];
            assert!(s.leads().flag_lead(contact, post, minute(m)).await.unwrap());
            if best.is_none_or(|(bm, bp)| (m, post) > (bm, bp)) {
                best = Some((m, post));
            }
        }
        let (m, post) = best.unwrap();
        latest.push((minute(m), contact, post));
    }
    latest.sort_by_key(|l| std::cmp::Reverse((l.0, l.1)));
    let ties = latest.windows(2).filter(|w| w[0].0 == w[1].0).count();
    assert!(ties > 5, "the data must hold flags at the same instant");

    for limit in [1u32, 2, 3, 5, 7, 22, 23, 24, 500] {
        let mut seen = Vec::new();
        let mut after: Option<LeadCursor> = None;
        let mut pages = 0;
        loop {
            let page = s.leads().leads(after, limit).await.unwrap();
            pages += 1;
            assert!(
                !page.items.is_empty(),
                "limit {limit}: page {pages} is empty"
            );
            assert!(page.items.len() <= limit as usize, "limit {limit}");
            seen.extend(page.items.iter().map(|l| (l.at, l.contact_id, l.post_id)));
            match page.next {
                Some(c) => {
                    assert_eq!(
                        page.items.len(),
                        limit as usize,
                        "only the last page is short"
                    );
                    assert_eq!(c, LeadCursor::after(page.items.last().unwrap()));
                    // The cursor survives its text form.
                    assert_eq!(c.to_string().parse::<LeadCursor>().unwrap(), c);
                    after = Some(c);
                }
                None => break,
            }
            assert!(pages <= N, "limit {limit}: the walk does not end");
        }
        assert_eq!(pages, N.div_ceil(limit as usize), "limit {limit}: pages");
        assert_eq!(seen, latest, "limit {limit}: every contact once, in order");
    }
}
