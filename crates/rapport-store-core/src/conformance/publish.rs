//! The publisher's ledger: claims, leases, outcomes, resends.

use super::kit::{case, minute};
use crate::{Store, StoreError};
use chrono::Duration;
use rapport_domain::care::{NewReply, ReplyId, ReplyStatus};
use rapport_domain::channel::{ChannelId, NewChannel};
use rapport_domain::publish::{OutboxCounts, PublishOutcome};
use rapport_domain::{CaseId, Network, Priority, UserId};
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

async fn queue(store: &dyn Store, case: CaseId, key: &str, m: i64) -> ReplyId {
    let (entry, created) = store
        .outbox()
        .enqueue_reply(&NewReply {
            case_id: case,
            network: Network::X,
            in_reply_to: None,
            body: format!("reply {key}"),
            author: UserId(3),
            idempotency_key: key.into(),
            at: minute(m),
        })
        .await
        .unwrap();
    assert!(created);
    entry.id
}

pub async fn a_claim_holds_the_entry_until_it_is_finished(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = case(s, "1", "alice", 0, Priority::Normal).await;
    let x = channel(s, "x-brand", Network::X).await;
    let sky = channel(s, "sky", Network::Bluesky).await;
    let first = queue(s, c.case.id, "k1", 1).await;
    let second = queue(s, c.case.id, "k2", 2).await;
    let p = s.publish();
    let lease = Duration::seconds(60);

    assert_eq!(
        p.claim_next(Network::Bluesky, sky, minute(3), lease, "rk")
            .await
            .unwrap(),
        None,
        "another network's entries are not taken"
    );
    let claimed = p
        .claim_next(Network::X, x, minute(3), lease, "key-a")
        .await
        .unwrap()
        .expect("the oldest due entry");
    assert_eq!(claimed.entry.id, first);
    assert_eq!(claimed.entry.status, ReplyStatus::Sending);
    assert_eq!(claimed.entry.attempts, 1);
    assert_eq!(claimed.channel, Some(x));
    assert_eq!(claimed.publish_key.as_deref(), Some("key-a"));
    assert_eq!(claimed.lease_until, Some(minute(4)));
    assert_eq!(claimed.first_attempt_at, Some(minute(3)));
    assert!(!claimed.reconcile);

    let next = p
        .claim_next(Network::X, x, minute(3), lease, "key-b")
        .await
        .unwrap()
        .expect("the held entry is skipped");
    assert_eq!(next.entry.id, second);
    assert_eq!(
        p.claim_next(Network::X, x, minute(3), lease, "key-c")
            .await
            .unwrap(),
        None
    );

    let sent = p
        .finish(
            first,
            &PublishOutcome::Sent {
                native_id: "1869".into(),
                url: "https://x.com/brand/status/1869".into(),
            },
            minute(3),
        )
        .await
        .unwrap();
    assert_eq!(sent.entry.status, ReplyStatus::Sent);
    assert_eq!(sent.entry.sent_native_id.as_deref(), Some("1869"));
    assert_eq!(
        sent.sent_url.as_deref(),
        Some("https://x.com/brand/status/1869")
    );
    assert_eq!((sent.sent_at, sent.lease_until), (Some(minute(3)), None));
    let again = p
        .finish(
            first,
            &PublishOutcome::Failed {
                reason: "late".into(),
            },
            minute(3),
        )
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again}");
    assert_eq!(
        p.entry_by_native(Network::X, "1869")
            .await
            .unwrap()
            .map(|e| e.entry.id),
        Some(first)
    );
    assert_eq!(
        p.entry_by_native(Network::Mastodon, "1869").await.unwrap(),
        None
    );
    assert_eq!(p.sent_native_ids(x, minute(0)).await.unwrap(), vec!["1869"]);
    assert!(p.sent_native_ids(x, minute(4)).await.unwrap().is_empty());
    assert_eq!(
        s.outbox()
            .outbox_entry(first)
            .await
            .unwrap()
            .unwrap()
            .status,
        ReplyStatus::Sent,
        "the care outbox reads the ledger's states"
    );
    assert_eq!(
        p.outbox_counts().await.unwrap(),
        OutboxCounts {
            sent: 1,
            sending: 1,
            ..OutboxCounts::default()
        }
    );
}

pub async fn an_expired_lease_is_taken_over_for_reconciliation(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = case(s, "1", "alice", 0, Priority::Normal).await;
    let x = channel(s, "x-brand", Network::X).await;
    let other = channel(s, "x-other", Network::X).await;
    let id = queue(s, c.case.id, "k1", 1).await;
    let p = s.publish();
    let lease = Duration::seconds(60);
    p.claim_next(Network::X, x, minute(2), lease, "key-1")
        .await
        .unwrap()
        .unwrap();
    // The publisher dies while holding it.
    assert_eq!(
        p.claim_next(
            Network::X,
            x,
            minute(2) + Duration::seconds(59),
            lease,
            "key-2"
        )
        .await
        .unwrap(),
        None,
        "held until the lease runs out"
    );
    assert_eq!(
        p.claim_next(Network::X, other, minute(5), lease, "key-3")
            .await
            .unwrap(),
        None,
        "another channel never takes an entry a channel started"
    );
    let taken = p
        .claim_next(Network::X, x, minute(5), lease, "key-4")
        .await
        .unwrap()
        .expect("taken over after the lease");
    assert_eq!(taken.entry.id, id);
    assert!(taken.reconcile, "a dead holder's attempt is reconciled");
    assert_eq!(
        taken.publish_key.as_deref(),
        Some("key-1"),
        "the key never changes"
    );
    assert_eq!(taken.first_attempt_at, Some(minute(2)));
    assert_eq!(taken.entry.attempts, 2);
}

pub async fn outcomes_move_the_entry_and_failed_ones_can_be_resent(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = case(s, "1", "alice", 0, Priority::Normal).await;
    let x = channel(s, "x-brand", Network::X).await;
    let id = queue(s, c.case.id, "k1", 1).await;
    let p = s.publish();
    let lease = Duration::seconds(60);
    let claim = |m: i64| p.claim_next(Network::X, x, minute(m), lease, "fresh");

    claim(2).await.unwrap().unwrap();
    let retry = p
        .finish(
            id,
            &PublishOutcome::Retry {
                reason: "x answered 429".into(),
                retry_at: minute(10),
            },
            minute(2),
        )
        .await
        .unwrap();
    assert_eq!(retry.entry.status, ReplyStatus::Queued);
    assert_eq!(retry.entry.last_error.as_deref(), Some("x answered 429"));
    assert_eq!(retry.not_before, minute(10));
    assert!(!retry.reconcile);
    assert_eq!(
        claim(9).await.unwrap(),
        None,
        "not before the network's reset"
    );

    claim(10).await.unwrap().unwrap();
    let unknown = p
        .finish(
            id,
            &PublishOutcome::Unknown {
                reason: "timed out after the request left".into(),
                retry_at: minute(11),
            },
            minute(10),
        )
        .await
        .unwrap();
    assert_eq!(unknown.entry.status, ReplyStatus::Unknown);
    assert!(unknown.reconcile);
    assert_eq!(claim(10).await.unwrap(), None);
    let again = claim(11).await.unwrap().unwrap();
    assert!(again.reconcile);
    assert_eq!(again.entry.attempts, 3);

    let err = p.resend(id, "edited", minute(11)).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "only failed entries: {err}"
    );
    let failed = p
        .finish(
            id,
            &PublishOutcome::Failed {
                reason: "the post answered was deleted".into(),
            },
            minute(12),
        )
        .await
        .unwrap();
    assert_eq!(failed.entry.status, ReplyStatus::Failed);
    assert_eq!(
        failed.entry.last_error.as_deref(),
        Some("the post answered was deleted")
    );
    assert_eq!(claim(13).await.unwrap(), None, "failed entries stay put");
    let empty = p.resend(id, "  ", minute(13)).await.unwrap_err();
    assert!(matches!(empty, StoreError::Invalid(_)), "{empty}");
    let resent = p.resend(id, "edited reply", minute(13)).await.unwrap();
    assert_eq!(resent.entry.status, ReplyStatus::Queued);
    assert_eq!(resent.entry.body, "edited reply");
    assert_eq!(resent.entry.last_error, None);
    assert_eq!(resent.publish_key.as_deref(), Some("fresh"));
    assert_eq!(claim(13).await.unwrap().map(|e| e.entry.id), Some(id));

    let missing = p.resend(ReplyId(9999), "x", minute(13)).await.unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing}");
    assert_eq!(p.publish_entry(ReplyId(9999)).await.unwrap(), None);
    let listed = p.case_publish_entries(c.case.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        p.publish_entries(Some(ReplyStatus::Sending), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        p.publish_entries(None, Some(id), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
