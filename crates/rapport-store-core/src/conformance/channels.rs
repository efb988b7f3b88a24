//! Channels and their sources' ledgers: checkpoints, states and gaps.

use crate::{Store, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rapport_domain::channel::{ChannelGap, ChannelState, NewChannel};
use rapport_domain::{Network, PostKey};
use std::sync::Arc;

fn at(second: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + second, 123_000).unwrap()
}

fn new_channel(name: &str, network: Network) -> NewChannel {
    NewChannel {
        name: name.into(),
        network,
        config: format!(r#"{{"instance":"https://{name}.example"}}"#),
        secret: format!("ciphertext-of-{name}"),
        created_at: at(0),
    }
}

pub async fn channels_are_added_listed_and_removed(store: Arc<dyn Store>) {
    let channels = store.channels();
    let m = channels
        .add_channel(&new_channel("support", Network::Mastodon))
        .await
        .unwrap();
    let b = channels
        .add_channel(&new_channel("brand-sky", Network::Bluesky))
        .await
        .unwrap();
    assert_ne!(m.id, b.id);
    assert_eq!(m.name, "support");
    assert_eq!(m.network, Network::Mastodon);
    assert_eq!(m.config, r#"{"instance":"https://support.example"}"#);
    assert_eq!(m.secret, "ciphertext-of-support");
    assert!(m.enabled);
    assert_eq!(m.state, ChannelState::New);
    assert_eq!((m.checkpoint.clone(), m.last_error.clone()), (None, None));
    assert_eq!(m.created_at, at(0));
    // By name.
    assert_eq!(
        channels.list_channels().await.unwrap(),
        vec![b.clone(), m.clone()]
    );
    assert_eq!(channels.channel("support").await.unwrap(), Some(m.clone()));
    assert_eq!(channels.channel("nope").await.unwrap(), None);

    let taken = channels
        .add_channel(&new_channel("support", Network::X))
        .await
        .unwrap_err();
    assert!(matches!(taken, StoreError::Conflict(_)), "{taken}");
    let empty = channels
        .add_channel(&new_channel(" ", Network::X))
        .await
        .unwrap_err();
    assert!(matches!(empty, StoreError::Invalid(_)), "{empty}");

    assert!(channels.remove_channel("support").await.unwrap());
    assert!(!channels.remove_channel("support").await.unwrap());
    assert_eq!(channels.list_channels().await.unwrap(), vec![b]);
}

pub async fn states_errors_and_checkpoints_are_kept(store: Arc<dyn Store>) {
    let channels = store.channels();
    let c = channels
        .add_channel(&new_channel("support", Network::Mastodon))
        .await
        .unwrap();
    channels
        .set_channel_state(
            c.id,
            ChannelState::Reconnecting,
            Some(("connection reset", at(5))),
        )
        .await
        .unwrap();
    // A state without an error keeps the last error: the panel shows what happened last.
    channels
        .set_channel_state(c.id, ChannelState::Connected, None)
        .await
        .unwrap();
    channels
        .save_checkpoint(c.id, r#"{"kind":"x","newest_id":"42"}"#, at(7))
        .await
        .unwrap();
    channels
        .save_checkpoint(c.id, r#"{"kind":"x","newest_id":"43"}"#, at(9))
        .await
        .unwrap();
    channels.set_channel_enabled(c.id, false).await.unwrap();
    let c = channels.channel("support").await.unwrap().unwrap();
    assert_eq!(c.state, ChannelState::Connected);
    assert_eq!(c.last_error.as_deref(), Some("connection reset"));
    assert_eq!(c.last_error_at, Some(at(5)));
    assert_eq!(
        c.checkpoint.as_deref(),
        Some(r#"{"kind":"x","newest_id":"43"}"#)
    );
    assert_eq!(c.checkpoint_at, Some(at(9)));
    assert!(!c.enabled);
    channels
        .set_channel_state(c.id, ChannelState::Failing, Some(("401", at(11))))
        .await
        .unwrap();
    let c = channels.channel("support").await.unwrap().unwrap();
    assert_eq!(
        (c.state, c.last_error.as_deref(), c.last_error_at),
        (ChannelState::Failing, Some("401"), Some(at(11)))
    );
}

pub async fn gaps_are_listed_newest_first_and_go_with_their_channel(store: Arc<dyn Store>) {
    let channels = store.channels();
    let a = channels
        .add_channel(&new_channel("a", Network::Bluesky))
        .await
        .unwrap();
    let b = channels
        .add_channel(&new_channel("b", Network::X))
        .await
        .unwrap();
    let gap = |channel, from: i64, reason: &str| ChannelGap {
        channel,
        from: at(from),
        to: at(from) + Duration::minutes(5),
        reason: reason.into(),
        recorded_at: at(1_000),
    };
    for g in [
        gap(a.id, 10, "cursor older than the replay window"),
        gap(a.id, 500, "down longer than the network keeps history"),
        gap(b.id, 20, "not connected"),
    ] {
        channels.record_gap(&g).await.unwrap();
    }
    assert_eq!(
        channels.gaps(a.id, 10).await.unwrap(),
        vec![
            gap(a.id, 500, "down longer than the network keeps history"),
            gap(a.id, 10, "cursor older than the replay window"),
        ]
    );
    assert_eq!(channels.gaps(a.id, 1).await.unwrap().len(), 1);
    assert!(channels.remove_channel("a").await.unwrap());
    assert_eq!(channels.gaps(a.id, 10).await.unwrap(), vec![]);
    assert_eq!(
        channels.gaps(b.id, 10).await.unwrap(),
        vec![gap(b.id, 20, "not connected")]
    );
}

pub async fn deleted_posts_are_marked_once(store: Arc<dyn Store>) {
    use super::support::{P, ingest, key};
    ingest(
        store.as_ref(),
        vec![P::new("1", "alice"), P::new("2", "bob")],
    )
    .await;
    let channels = store.deletions();
    assert_eq!(channels.deleted_at(&key("1")).await.unwrap(), None);
    let unknown = key("404");
    assert_eq!(
        channels
            .mark_deleted(&[key("1"), unknown.clone()], at(3))
            .await
            .unwrap(),
        1
    );
    // A second delete event for the same post changes nothing, not even the time.
    assert_eq!(channels.mark_deleted(&[key("1")], at(8)).await.unwrap(), 0);
    assert_eq!(channels.deleted_at(&key("1")).await.unwrap(), Some(at(3)));
    assert_eq!(channels.deleted_at(&key("2")).await.unwrap(), None);
    assert_eq!(channels.deleted_at(&unknown).await.unwrap(), None);
    // The post itself is kept (its case's history stays whole).
    assert!(
        store
            .posts()
            .post_by_key(&key("1"))
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn a_deleted_accounts_posts_are_marked_and_no_one_elses(store: Arc<dyn Store>) {
    use super::support::{P, ingest, key};
    let by = |id: &str, handle: &str, native: &str| {
        let mut p = P::new(id, handle);
        p.post.author.native_id = Some(native.to_string());
        p
    };
    ingest(
        store.as_ref(),
        vec![
            by("1", "alice", "1001"),
            by("2", "bob", "1002"),
            by("3", "alice", "1001"),
            // The same network id on another network is another account.
            by("4", "alice", "1001").net(Network::Mastodon),
        ],
    )
    .await;
    let channels = store.deletions();
    channels.mark_deleted(&[key("3")], at(2)).await.unwrap();
    assert_eq!(
        channels
            .mark_author_deleted(Network::X, "1001", at(5))
            .await
            .unwrap(),
        1,
        "post 1; post 3 was deleted before"
    );
    assert_eq!(channels.deleted_at(&key("1")).await.unwrap(), Some(at(5)));
    assert_eq!(channels.deleted_at(&key("3")).await.unwrap(), Some(at(2)));
    assert_eq!(channels.deleted_at(&key("2")).await.unwrap(), None);
    let mastodon = PostKey {
        network: Network::Mastodon,
        native_id: "4".into(),
    };
    assert_eq!(channels.deleted_at(&mastodon).await.unwrap(), None);
    assert_eq!(
        channels
            .mark_author_deleted(Network::X, "404", at(6))
            .await
            .unwrap(),
        0
    );
}

pub async fn reads_add_up_per_channel_and_month(store: Arc<dyn Store>) {
    let channels = store.channels();
    let x = channels
        .add_channel(&new_channel("x-brand", Network::X))
        .await
        .unwrap();
    let other = channels
        .add_channel(&new_channel("x-other", Network::X))
        .await
        .unwrap();
    assert_eq!(channels.reads(x.id, "2026-12").await.unwrap(), 0);
    assert_eq!(channels.add_reads(x.id, "2026-12", 40).await.unwrap(), 40);
    assert_eq!(channels.add_reads(x.id, "2026-12", 2).await.unwrap(), 42);
    assert_eq!(channels.add_reads(x.id, "2027-01", 5).await.unwrap(), 5);
    assert_eq!(channels.add_reads(other.id, "2026-12", 7).await.unwrap(), 7);
    assert_eq!(channels.reads(x.id, "2026-12").await.unwrap(), 42);
    assert_eq!(channels.reads(other.id, "2026-12").await.unwrap(), 7);
    // Removing a channel removes its reads.
    assert!(channels.remove_channel("x-brand").await.unwrap());
    assert_eq!(channels.reads(x.id, "2026-12").await.unwrap(), 0);
}
