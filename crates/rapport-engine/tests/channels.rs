//! Channels: credentials sealed before the store sees them, own accounts, and the supervisor
//! marking a channel failing when its source cannot start.

use rapport_domain::Network;
use rapport_domain::channel::ChannelState;
use rapport_engine::channels::{ChannelSpec, Channels, SecretKey};
use rapport_engine::listen::Supervisor;
use rapport_engine::{Engine, EngineConfig};
use rapport_store::testing::fresh_store_from_env;
use std::sync::Arc;
use std::time::Duration;

const TOKEN: &str = "mastodon-access-token-do-not-leak";

fn mastodon() -> ChannelSpec {
    ChannelSpec::Mastodon {
        instance: "https://social.example".into(),
        account: "brand@social.example".into(),
        transport: Default::default(),
    }
}

#[tokio::test]
async fn credentials_are_sealed_and_never_come_back() {
    let store = fresh_store_from_env().await;
    let key = SecretKey::generate();
    let channels = Channels::new(store.store(), Some(key.clone()));
    let added = channels.add("support", mastodon(), TOKEN).await.unwrap();
    // The store holds ciphertext only; the key opens it.
    let row = store.channels().channel("support").await.unwrap().unwrap();
    assert_eq!(row.id, added.id);
    assert!(!row.secret.contains(TOKEN), "{}", row.secret);
    assert_eq!(key.open("support", &row.secret).unwrap(), TOKEN);
    // What is shown of a channel carries no credential, in any form.
    let listed = channels.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    let shown = serde_json::to_string(&listed).unwrap();
    assert!(
        !shown.contains(TOKEN) && !shown.contains(&row.secret),
        "{shown}"
    );
    assert!(!format!("{row:?}").contains(&row.secret));
    assert_eq!(listed[0].spec, mastodon());
    assert_eq!(listed[0].state, ChannelState::New);
    // The channel's account is one of the company's own.
    let own = store.contacts().own_accounts().await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(
        (own[0].network, own[0].handle.as_str()),
        (Network::Mastodon, "brand@social.example")
    );
    assert!(channels.remove("support").await.unwrap());
    assert!(channels.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn without_a_key_secrets_are_refused_with_how_to_set_one() {
    let store = fresh_store_from_env().await;
    let channels = Channels::new(store.store(), None);
    let err = channels
        .add("support", mastodon(), TOKEN)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("secret_key"), "{message}");
    assert!(message.contains("RAPPORT_SECRET_KEY"), "{message}");
    assert!(!message.contains(TOKEN));
    assert!(store.channels().list_channels().await.unwrap().is_empty());
    // Bad names and URLs are refused before anything is stored.
    let keyed = Channels::new(store.store(), Some(SecretKey::generate()));
    assert!(keyed.add("", mastodon(), TOKEN).await.is_err());
    let bad_url = ChannelSpec::X {
        api: "api.x.com".into(),
        account: None,
        monthly_read_budget: None,
        self_serve: true,
    };
    assert!(keyed.add("x", bad_url, TOKEN).await.is_err());
    assert!(keyed.add("support", mastodon(), " ").await.is_err());
    assert!(store.channels().list_channels().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_channel_whose_source_cannot_start_is_marked_failing_with_the_reason() {
    let store = fresh_store_from_env().await;
    // Sealed under one key, run under another (the key was changed): retrying cannot help.
    Channels::new(store.store(), Some(SecretKey::generate()))
        .add("support", mastodon(), TOKEN)
        .await
        .unwrap();
    let engine = Arc::new(
        Engine::new(store.store(), EngineConfig::default())
            .await
            .unwrap(),
    );
    let channels = Arc::new(Channels::new(store.store(), Some(SecretKey::generate())));
    let supervisor = Supervisor::new(engine, channels);
    let health = supervisor.health();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(supervisor.run(async {
        let _ = stopped.await;
    }));
    let mut failing = None;
    for _ in 0..100 {
        let c = store.channels().channel("support").await.unwrap().unwrap();
        if c.state == ChannelState::Failing {
            failing = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let c = failing.expect("the channel is marked failing");
    let error = c.last_error.unwrap();
    assert!(
        error.contains("cannot be opened with this secret key"),
        "{error}"
    );
    assert!(c.last_error_at.is_some());
    let board = health.snapshot();
    assert_eq!(board.len(), 1);
    assert_eq!(board[0].state, ChannelState::Failing);
    assert_eq!(board[0].last_error.as_deref(), Some(error.as_str()));
    // Stopping returns promptly.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .expect("the supervisor stops")
        .unwrap()
        .unwrap();
}
