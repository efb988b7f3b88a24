//! An X channel with a monthly read budget, against the X test server (written from X's
//! public API documentation; X cannot run here): the supervisor stores exactly the budget's
//! worth of posts, pauses the channel until next month, records the rest of the month as a
//! gap, shows the spend on the health board, and stays paused across a restart.

// The connectors' X test server; this test uses part of it.
#[allow(dead_code)]
#[path = "../../rapport-connectors/tests/live/x_server.rs"]
mod x_server;

use chrono::{Datelike, Utc};
use rapport_domain::Network;
use rapport_domain::channel::ChannelState;
use rapport_engine::channels::{ChannelSpec, Channels, SecretKey};
use rapport_engine::listen::Supervisor;
use rapport_engine::{Engine, EngineConfig};
use rapport_store::testing::fresh_store_from_env;
use std::sync::Arc;
use std::time::Duration;
use x_server::{Plan, TOKEN, XServer};

/// Stream envelopes for the first `n` rows of twcs, as X sends them.
fn envelopes(n: usize) -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/twcs/twcs_head_5000.csv"
    );
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .take(n)
        .enumerate()
        .map(|(i, r)| {
            let r = r.unwrap();
            let id = format!("{}", 1_869_690_000_000_000_000u64 + i as u64);
            let user = format!("{}", 9_000 + i);
            serde_json::json!({
                "data": {"id": id, "text": &r[5], "author_id": user,
                    "created_at": "2024-12-19T10:00:00.000Z", "edit_history_tweet_ids": [id]},
                "includes": {"users": [{"id": user, "username": &r[2], "name": &r[2]}]},
                "matching_rules": [{"id": "1", "tag": "care"}]
            })
            .to_string()
        })
        .collect()
}

async fn run_until_paused(
    engine: Arc<Engine>,
    channels: Arc<Channels>,
    store: &rapport_store::testing::TestStore,
) -> rapport_engine::listen::ChannelHealth {
    let supervisor = Supervisor::new(engine, channels);
    let health = supervisor.health();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(supervisor.run(async {
        let _ = stopped.await;
    }));
    let mut paused = false;
    for _ in 0..200 {
        let c = store.channels().channel("x-brand").await.unwrap().unwrap();
        if c.state == ChannelState::Paused {
            paused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(paused, "the channel is paused");
    let board = health.snapshot();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .expect("the supervisor stops")
        .unwrap()
        .unwrap();
    board.into_iter().find(|h| h.name == "x-brand").unwrap()
}

#[tokio::test]
async fn a_spent_read_budget_pauses_the_channel_until_next_month_with_a_gap() {
    let server = XServer::start(vec![Plan::Lines(envelopes(5))], vec![]).await;
    let store = fresh_store_from_env().await;
    let key = SecretKey::generate();
    let channels = Arc::new(Channels::new(store.store(), Some(key)));
    let spec = ChannelSpec::X {
        api: server.api.clone(),
        account: Some("sprintcare".into()),
        monthly_read_budget: Some(3),
        self_serve: true,
    };
    let channel = channels.add("x-brand", spec, TOKEN).await.unwrap();
    let engine = Arc::new(
        Engine::new(store.store(), EngineConfig::default())
            .await
            .unwrap(),
    );
    // The channel's own account is an own account, X too.
    let own = engine.care().own_accounts().await.unwrap();
    assert!(
        own.iter()
            .any(|i| i.network == Network::X && i.handle == "sprintcare"),
        "{own:?}"
    );

    let health = run_until_paused(engine.clone(), channels.clone(), &store).await;
    assert_eq!(
        store.posts().stats().await.unwrap().posts,
        3,
        "the budget's worth, no more"
    );
    let month = Utc::now().format("%Y-%m").to_string();
    assert_eq!(store.channels().reads(channel.id, &month).await.unwrap(), 3);
    assert_eq!((health.reads_this_month, health.read_budget), (3, Some(3)));
    assert_eq!(health.state, ChannelState::Paused);
    let gaps = store.channels().gaps(channel.id, 10).await.unwrap();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(
        gaps[0].reason,
        format!("the read budget of 3 posts for {month} is spent")
    );
    let (to, now) = (gaps[0].to, Utc::now());
    assert_eq!((to.day(), to.timestamp() % 86_400), (1, 0), "{to}");
    assert!(to > now && to - now <= chrono::TimeDelta::days(31));
    let c = store.channels().channel("x-brand").await.unwrap().unwrap();
    assert!(
        c.last_error
            .as_deref()
            .unwrap_or("")
            .contains("read budget"),
        "{c:?}"
    );
    assert_eq!(server.recorded.lock().unwrap().streams.len(), 1);

    // Started again this month: it stays paused without opening the stream.
    store
        .channels()
        .set_channel_state(channel.id, ChannelState::New, None)
        .await
        .unwrap();
    let health = run_until_paused(engine, channels, &store).await;
    assert_eq!(health.reads_this_month, 3);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.recorded.lock().unwrap().streams.len(), 1);
    assert_eq!(store.posts().stats().await.unwrap().posts, 3);
    assert_eq!(
        store.channels().gaps(channel.id, 10).await.unwrap().len(),
        1
    );
}
