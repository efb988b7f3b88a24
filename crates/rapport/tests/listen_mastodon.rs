//! `rapport listen` against the real `mastodon_mock` (PyPI), started through
//! `scripts/mastodon-mock`: a channel added from the command line, a complaint that becomes a
//! case within seconds, and a SIGKILL while the customer keeps posting, after which every post
//! is stored exactly once (the REST back-fill from the stored checkpoint).

mod common;
// The connectors' mastodon_mock harness; this test uses part of it.
#[allow(dead_code)]
#[path = "../../rapport-connectors/tests/live/mastodon_mock.rs"]
mod mastodon_mock;

use common::Workspace;
use mastodon_mock::MastodonMock;
use rapport_domain::{Network, PostKey};
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

const COMPLAINT: &str = "@sprintcare my order arrived broken and nobody answers, I want a refund";
const WHILE_DOWN: [&str; 2] = [
    "@sprintcare still waiting on that refund, this is ridiculous",
    "@sprintcare hello?? anyone there? third day without an answer",
];

fn key(id: &str) -> PostKey {
    PostKey {
        network: Network::Mastodon,
        native_id: id.to_string(),
    }
}

/// `rapport listen` running in the workspace, killed (SIGKILL) when dropped.
#[tokio::test]
async fn a_live_complaint_becomes_a_case_and_a_restart_misses_nothing() {
    let started = Instant::now();
    let mock = MastodonMock::start().await;
    let (_, brand) = mock.user("sprintcare").await;
    let (_, customer) = mock.user("customer").await;
    let ws = Workspace::new().await;

    // The access token goes on standard input, never on the command line.
    let mut add = ws
        .command(&[
            "channels",
            "add",
            "mastodon",
            "--name",
            "support",
            "--instance",
            &mock.url,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{brand}").unwrap();
    let out = add.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "channels add failed: {said}");
    assert!(!said.contains(&brand), "the token is never printed: {said}");
    assert!(
        said.contains("secret.key"),
        "the new key file is announced: {said}"
    );
    if ws.store_is_sqlite() {
        let db = std::fs::read(ws.path().join("rapport.db")).unwrap();
        let wal = std::fs::read(ws.path().join("rapport.db-wal")).unwrap_or_default();
        for bytes in [db, wal] {
            assert!(
                !bytes.windows(brand.len()).any(|w| w == brand.as_bytes()),
                "the token is stored encrypted"
            );
        }
    }
    let list = ws.json(&["channels", "list", "--json"]);
    assert_eq!(list["channels"][0]["name"], "support");
    assert_eq!(list["channels"][0]["network"], "mastodon");
    assert!(!list.to_string().contains(&brand));
    let own = ws.json(&["own", "list", "--json"]);
    assert!(
        own["accounts"][0]["handle"]
            .as_str()
            .unwrap()
            .starts_with("sprintcare@"),
        "the channel's account is an own account: {own}"
    );

    let listen = ws.start(&["listen"]);
    ws.wait_connected().await;
    let store = ws.store().await;

    // A complaint, read live: the time from the customer's post to its case.
    let posted = Instant::now();
    let complaint = mock.post(&customer, COMPLAINT, None).await;
    let latency = common::case_of(&store, &key(complaint["id"].as_str().unwrap()), posted).await;
    println!(
        "live latency, customer's post to case: {} ms",
        latency.as_millis()
    );
    assert!(latency < Duration::from_secs(5), "took {latency:?}");
    // The checkpoint is saved right after the batch is stored, and the list shows it.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let list = ws.json(&["channels", "list", "--json"]);
        let channel = &list["channels"][0];
        if channel["cursor"]["since"]["notifications"]["id"].is_string() {
            assert_eq!(channel["state"], "connected");
            break;
        }
        assert!(Instant::now() < deadline, "no cursor saved: {channel}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Rapport dies without a chance to save anything; the customer goes on posting.
    listen.kill();
    let mut missed = Vec::new();
    for text in WHILE_DOWN {
        missed.push(
            mock.post(&customer, text, None).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let before = store.posts().stats().await.unwrap().posts;

    let listen = ws.start(&["listen"]);
    let restarted = Instant::now();
    for id in &missed {
        common::case_of(&store, &key(id), restarted).await;
    }
    // A moment for any duplicate the back-fill and the stream could both have produced.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    listen.kill();
    let stats = store.posts().stats().await.unwrap();
    assert_eq!(stats.posts, before + 2, "each missed post stored once");
    assert_eq!(
        stats.posts, 3,
        "the complaint and the two missed posts, none doubled"
    );
    let mentions = store.posts().mentions(10).await.unwrap();
    assert_eq!(
        mentions.len(),
        3,
        "all three are marked as mentions of the brand"
    );
    println!("end-to-end test took {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(110));
}
