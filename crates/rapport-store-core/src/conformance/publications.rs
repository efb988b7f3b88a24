//! Publications: drafts saved by version, lists and calendar ranges, release into the ledger
//! (once, threads in order), settling from the entries, and the replies they drew.

use super::kit::minute;
use super::support::{P, ingest};
use crate::{Store, StoreError};
use chrono::Duration;
use rapport_domain::care::ReplyStatus;
use rapport_domain::channel::{ChannelId, NewChannel};
use rapport_domain::publication::{
    NewPublication, Publication, PublicationQuery, PublicationStatus, Variant,
};
use rapport_domain::publish::PublishOutcome;
use rapport_domain::{Network, UserId};
use std::sync::Arc;

async fn channel(store: &dyn Store, name: &str, network: Network) -> ChannelId {
    store
        .channels()
        .add_channel(&NewChannel {
            name: name.into(),
            network,
            config: "{}".into(),
            secret: "sealed".into(),
            created_at: minute(0),
        })
        .await
        .unwrap()
        .id
}

fn variant(channel: ChannelId, name: &str, network: Network, parts: &[&str]) -> Variant {
    Variant {
        channel: Some(channel),
        channel_name: name.into(),
        network,
        text: None,
        parts: parts.iter().map(|p| p.to_string()).collect(),
    }
}

fn new(body: &str, at: Option<i64>, variants: Vec<Variant>) -> NewPublication {
    NewPublication {
        author: UserId(7),
        body: body.into(),
        scheduled_for: at.map(minute),
        time_zone: "Europe/Paris".into(),
        variants,
        created_at: minute(0),
    }
}

/// A one-part publication for the `x-brand` channel, scheduled at minute `at` (or at once).
async fn scheduled(store: &dyn Store, x: ChannelId, text: &str, at: Option<i64>) -> Publication {
    let mut draft = store
        .publications()
        .create_publication(&new(
            text,
            at,
            vec![variant(x, "x-brand", Network::X, &[text])],
        ))
        .await
        .unwrap();
    draft.status = PublicationStatus::Scheduled;
    store.publications().save_publication(&draft).await.unwrap()
}

pub async fn publications_are_drafted_saved_by_version_and_listed(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let x = channel(s, "x-brand", Network::X).await;
    let masto = channel(s, "masto", Network::Mastodon).await;
    let p = s.publications();
    let mut edited = variant(
        masto,
        "masto",
        Network::Mastodon,
        &["Longer text for Mastodon"],
    );
    edited.text = Some("Longer text for Mastodon".into());
    let first = p
        .create_publication(&new(
            "Sale starts Monday",
            Some(60),
            vec![
                variant(x, "x-brand", Network::X, &["Sale starts Monday"]),
                edited.clone(),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(first.status, PublicationStatus::Draft);
    assert_eq!(first.version, 1);
    assert_eq!(first.body, "Sale starts Monday");
    assert_eq!(first.time_zone, "Europe/Paris");
    assert_eq!(first.scheduled_for, Some(minute(60)));
    assert_eq!(first.variants.len(), 2);
    assert_eq!(
        first.variants[1], edited,
        "variants come back in order, whole"
    );
    assert_eq!(p.publication(first.id).await.unwrap(), Some(first.clone()));

    // A save names the version it read; a stale one loses.
    let mut next = first.clone();
    next.status = PublicationStatus::InReview;
    next.scheduled_for = Some(minute(30));
    next.variants.truncate(1);
    next.updated_at = minute(1);
    let saved = p.save_publication(&next).await.unwrap();
    assert_eq!(saved.version, 2);
    assert_eq!(saved.status, PublicationStatus::InReview);
    assert_eq!(saved.variants.len(), 1);
    assert_eq!(saved.scheduled_for, Some(minute(30)));
    let stale = p.save_publication(&next).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    // Only a release makes a publication publishing.
    let mut forged = saved.clone();
    forged.status = PublicationStatus::Published;
    assert!(matches!(
        p.save_publication(&forged).await,
        Err(StoreError::Invalid(_))
    ));

    let second = p
        .create_publication(&new(
            "Later",
            Some(10),
            vec![variant(x, "x-brand", Network::X, &["Later"])],
        ))
        .await
        .unwrap();
    let unscheduled = p
        .create_publication(&new(
            "No time yet",
            None,
            vec![variant(x, "x-brand", Network::X, &["No time yet"])],
        ))
        .await
        .unwrap();

    let all = p
        .publications(&PublicationQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<_> = all.iter().map(|p| p.id).collect();
    assert_eq!(
        ids,
        vec![unscheduled.id, second.id, first.id],
        "newest first"
    );
    let page = p
        .publications(&PublicationQuery {
            before: Some(second.id),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![first.id]
    );
    let drafts = p
        .publications(&PublicationQuery {
            statuses: vec![PublicationStatus::Draft],
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(drafts.len(), 2);
    // The calendar: by time, within the range, those without a time left out.
    let week = p
        .publications(&PublicationQuery {
            from: Some(minute(0)),
            until: Some(minute(31)),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        week.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );

    assert!(p.delete_publication(second.id).await.unwrap());
    assert_eq!(p.publication(second.id).await.unwrap(), None);
    assert!(!p.delete_publication(second.id).await.unwrap());
}

pub async fn a_due_publication_is_released_once_with_its_thread_in_order(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let x = channel(s, "x-brand", Network::X).await;
    let other_x = channel(s, "x-other", Network::X).await;
    let masto = channel(s, "masto", Network::Mastodon).await;
    let p = s.publications();
    let draft = p
        .create_publication(&new(
            "A long announcement",
            Some(30),
            vec![
                variant(x, "x-brand", Network::X, &["part one 1/2", "part two 2/2"]),
                variant(masto, "masto", Network::Mastodon, &["A long announcement"]),
            ],
        ))
        .await
        .unwrap();
    let mut scheduled = draft.clone();
    scheduled.status = PublicationStatus::Scheduled;
    p.save_publication(&scheduled).await.unwrap();

    assert!(
        p.release_due(minute(29), 10).await.unwrap().is_empty(),
        "not before its time"
    );
    assert_eq!(p.release_due(minute(30), 10).await.unwrap(), vec![draft.id]);
    assert!(
        p.release_due(minute(31), 10).await.unwrap().is_empty(),
        "released once"
    );
    let released = p.publication(draft.id).await.unwrap().unwrap();
    assert_eq!(released.status, PublicationStatus::Publishing);
    assert_eq!(released.released_at, Some(minute(30)));
    let mut again = released.clone();
    again.status = PublicationStatus::Draft;
    assert!(
        matches!(
            p.save_publication(&again).await,
            Err(StoreError::Conflict(_))
        ),
        "a released publication is the release's"
    );

    let entries = p.publication_entries(&[draft.id]).await.unwrap();
    assert_eq!(entries.len(), 3);
    let texts: Vec<_> = entries.iter().map(|e| e.entry.body.as_str()).collect();
    assert_eq!(
        texts,
        vec!["part one 1/2", "part two 2/2", "A long announcement"]
    );
    assert!(entries.iter().all(|e| e.entry.case_id.is_none()
        && e.publication == Some(draft.id)
        && e.entry.status == ReplyStatus::Queued
        && e.entry.author == UserId(7)));
    assert_eq!(entries[0].channel, Some(x));
    assert_eq!(entries[0].part, Some(1));
    assert_eq!(entries[1].part, Some(2));
    assert_eq!(entries[1].after_entry, Some(entries[0].entry.id));
    assert_eq!(entries[2].channel, Some(masto));
    assert_eq!(entries[2].after_entry, None);

    let ledger = s.publish();
    let lease = Duration::seconds(60);
    assert_eq!(
        ledger
            .claim_next(Network::X, other_x, minute(31), lease, "k0")
            .await
            .unwrap(),
        None,
        "another account never sends a publication's part"
    );
    let one = ledger
        .claim_next(Network::X, x, minute(31), lease, "k1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one.entry.id, entries[0].entry.id);
    assert_eq!(
        ledger
            .claim_next(Network::X, x, minute(31), lease, "k2")
            .await
            .unwrap(),
        None,
        "part two waits for part one to be sent"
    );
    let sent = |n: &str| PublishOutcome::Sent {
        native_id: n.into(),
        url: format!("https://x.example/{n}"),
    };
    ledger
        .finish(one.entry.id, &sent("900"), minute(32))
        .await
        .unwrap();
    let settled = p
        .settle_publication(draft.id, minute(32))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.status, PublicationStatus::Publishing);
    let two = ledger
        .claim_next(Network::X, x, minute(33), lease, "k2")
        .await
        .unwrap()
        .expect("part two once part one is sent");
    assert_eq!(two.entry.id, entries[1].entry.id);
    ledger
        .finish(two.entry.id, &sent("901"), minute(34))
        .await
        .unwrap();
    let m = ledger
        .claim_next(Network::Mastodon, masto, minute(34), lease, "k3")
        .await
        .unwrap()
        .unwrap();
    ledger
        .finish(m.entry.id, &sent("m1"), minute(36))
        .await
        .unwrap();
    let done = p
        .settle_publication(draft.id, minute(37))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, PublicationStatus::Published);
    assert_eq!(
        done.published_at,
        Some(minute(36)),
        "when the last network confirmed"
    );
}

pub async fn a_failed_part_fails_the_publication_until_it_is_resent(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let x = channel(s, "x-brand", Network::X).await;
    let p = s.publications();
    let pubn = scheduled(s, x, "Hello", None).await;
    assert_eq!(
        p.release_due(minute(1), 10).await.unwrap(),
        vec![pubn.id],
        "no time: at once"
    );
    let ledger = s.publish();
    let e = ledger
        .claim_next(Network::X, x, minute(2), Duration::seconds(60), "k")
        .await
        .unwrap()
        .unwrap();
    ledger
        .finish(
            e.entry.id,
            &PublishOutcome::Failed {
                reason: "duplicate content".into(),
            },
            minute(3),
        )
        .await
        .unwrap();
    let failed = p
        .settle_publication(pubn.id, minute(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, PublicationStatus::Failed);
    assert_eq!(failed.published_at, None);
    ledger
        .resend(e.entry.id, "Hello again", minute(4))
        .await
        .unwrap();
    let back = p
        .settle_publication(pubn.id, minute(4))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.status, PublicationStatus::Publishing);
}

pub async fn a_publication_whose_channels_are_gone_releases_nothing_and_fails(
    store: Arc<dyn Store>,
) {
    let s = store.as_ref();
    let x = channel(s, "x-brand", Network::X).await;
    let p = s.publications();
    let pubn = scheduled(s, x, "Hello", Some(5)).await;
    assert!(s.channels().remove_channel("x-brand").await.unwrap());
    let kept = p.publication(pubn.id).await.unwrap().unwrap();
    assert_eq!(kept.variants[0].channel, None, "the channel is gone");
    assert_eq!(kept.variants[0].channel_name, "x-brand", "its name stays");
    assert_eq!(p.release_due(minute(5), 10).await.unwrap(), vec![pubn.id]);
    assert!(p.publication_entries(&[pubn.id]).await.unwrap().is_empty());
    let settled = p
        .settle_publication(pubn.id, minute(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.status, PublicationStatus::Failed);
}

pub async fn a_publication_draws_the_replies_in_its_threads(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let x = channel(s, "x-brand", Network::X).await;
    let p = s.publications();
    let pubn = scheduled(s, x, "Launch", None).await;
    p.release_due(minute(1), 10).await.unwrap();
    let ledger = s.publish();
    let e = ledger
        .claim_next(Network::X, x, minute(1), Duration::seconds(60), "k")
        .await
        .unwrap()
        .unwrap();
    ledger
        .finish(
            e.entry.id,
            &PublishOutcome::Sent {
                native_id: "100".into(),
                url: "https://x.example/100".into(),
            },
            minute(2),
        )
        .await
        .unwrap();
    // The published post as the publisher stores it, the thread it drew, and a post
    // elsewhere.
    ingest(
        s,
        vec![
            P::new("100", "brand").own().at(2),
            P::new("101", "alice").reply("100").at(3),
            P::new("102", "brand").own().reply("101").at(4),
            P::new("103", "bob").reply("102").at(5),
            P::new("200", "carol").at(6),
        ],
    )
    .await;
    let drawn = p.publication_replies(pubn.id, 10).await.unwrap();
    let ids: Vec<_> = drawn.iter().map(|d| d.post.native_id.as_str()).collect();
    assert_eq!(ids, vec!["101", "103"]);
    assert_eq!(p.publication_replies(pubn.id, 1).await.unwrap().len(), 1);
}
