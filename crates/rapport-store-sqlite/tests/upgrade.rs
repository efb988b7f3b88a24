//! A store written by an earlier Rapport opens, reads back and keeps working.
//!
//! `fixtures/written-by-27b4727.db` was written by the store of commit 27b4727 (before the
//! store's second design: two backends in one crate, queries `include!`d twice) from the
//! synthetic rows listed below, then checkpointed into one file. Every expected value here is
//! one those rows were written with, not one read back through the code under test.

use rapport_domain::{Network, PostKey, Priority, Role};
use rapport_store_core::Store;
use std::sync::Arc;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/written-by-27b4727.db"
);

fn key(id: &str) -> PostKey {
    PostKey {
        network: Network::X,
        native_id: id.into(),
    }
}

/// The fixture, copied (opening a store migrates and writes it) and opened.
async fn open_copy() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rapport.db");
    std::fs::copy(FIXTURE, &path).unwrap();
    let url = format!("sqlite://{}", path.display());
    let store = rapport_store_sqlite::SqliteWriter::open(&url)
        .await
        .unwrap();
    (dir, Arc::new(store))
}

#[tokio::test]
async fn a_store_written_before_the_second_design_reads_back_whole() {
    let (_dir, store) = open_copy().await;

    let own = store.contacts().own_accounts().await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(
        (own[0].network, own[0].handle.as_str()),
        (Network::X, "brand")
    );

    let topic = store
        .topics()
        .topic_by_name("orders")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(topic.query, "order OR refund");
    let counts = store.topics().topic_match_counts().await.unwrap();
    assert_eq!(counts, vec![(topic.id, 1)]);

    let first = store
        .posts()
        .post_by_key(&key("100"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.post.text, "@brand my order 5521 is late");
    assert!(first.is_mention, "alice's post mentions the own account");
    let reply = store
        .posts()
        .post_by_key(&key("101"))
        .await
        .unwrap()
        .unwrap();
    assert!(reply.from_own_account);
    let thread: Vec<String> = store
        .contacts()
        .conversation(first.conversation_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.post.key().native_id)
        .collect();
    assert_eq!(thread, ["100", "101", "103"]);
    assert_eq!(
        store.posts().post_topics(first.id).await.unwrap(),
        vec![topic.id]
    );

    let carol = store
        .posts()
        .post_by_key(&key("200"))
        .await
        .unwrap()
        .unwrap();
    let cases = store.cases().contact_cases(carol.contact_id).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].case.priority, Priority::High);
    assert_eq!(cases[0].preview, "help with order 200");
    let posts = store.cases().case_posts(cases[0].case.id).await.unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].post_id, carol.id);

    let saved = store.notes().saved_reply("refund").await.unwrap().unwrap();
    assert_eq!(saved.shortcut.as_deref(), Some("rf"));

    let (ana, hash) = store
        .users()
        .user_credentials("ANA")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ana.display_name.as_str(), ana.role),
        ("Ana Agent", Role::Agent)
    );
    assert!(hash.starts_with("$argon2id$"));
    let token = store
        .sessions()
        .api_token_by_hash(&"ab".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((token.name.as_str(), token.created_by), ("export", ana.id));

    let stats = store.posts().stats().await.unwrap();
    assert_eq!((stats.posts, stats.cases, stats.case_posts), (5, 1, 1));
}

#[tokio::test]
async fn a_store_written_before_the_second_design_takes_new_writes() {
    let (_dir, store) = open_copy().await;
    let mut post = rapport_store_core::conformance::support::P::new("104", "alice")
        .at(12)
        .text("@brand any news?")
        .reply("103")
        .reply_handle("brand")
        .new_post();
    post.post.author.display_name = Some("Alice".into());
    let report = store.posts().ingest(vec![post]).await.unwrap();
    assert_eq!(report.inserted(), 1);
    let first = store
        .posts()
        .post_by_key(&key("100"))
        .await
        .unwrap()
        .unwrap();
    let thread = store
        .contacts()
        .conversation(first.conversation_id)
        .await
        .unwrap();
    assert_eq!(thread.len(), 4, "the new reply joins the old thread");
    assert!(thread[3].is_mention);
    assert_eq!(store.posts().stats().await.unwrap().posts, 6);
}

/// Migration 0009 builds the outbox table again (SQLite cannot drop a NOT NULL otherwise):
/// every entry and every ledger column written before it comes through, and the rebuilt table
/// takes a publication's parts beside the replies.
#[tokio::test]
async fn the_outbox_rebuilt_for_publications_keeps_every_entry() {
    use rapport_domain::care::{ReplyId, ReplyStatus};
    use rapport_domain::{CaseId, ChannelId, PostId};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rapport.db");
    std::fs::copy(FIXTURE, &path).unwrap();
    let url = format!("sqlite://{}", path.display());
    // As a store of migration 0008 wrote them: a sent reply with its whole ledger, a queued one.
    {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::migrate!("./migrations")
            .run_to(8, &pool)
            .await
            .unwrap();
        sqlx::raw_sql(
            "INSERT INTO channels (id, name, network, config, secret, enabled, state, created_at) \
               VALUES (4, 'x-brand', 'x', '{}', 'sealed', 1, 'connected', 1700000000000000); \
             INSERT INTO outbox (id, case_id, network, in_reply_to, body, author, idempotency_key, \
               status, attempts, last_error, sent_native_id, created_at, updated_at, channel_id, \
               publish_key, not_before, lease_until, reconcile, first_attempt_at, sent_url, sent_at) \
             VALUES \
               (7, 1, 'x', 2, 'Sorry about that, DM us', 3, 'case-1-a', 'sent', 2, 'timeout', '555', \
                1700000000000000, 1700000300000000, 4, 'rk1', 1700000100000000, NULL, 1, \
                1700000060000000, 'https://x.com/brand/status/555', 1700000290000000), \
               (8, 1, 'x', 3, 'Anything else?', 3, 'case-1-b', 'queued', 0, NULL, NULL, \
                1700000400000000, 1700000400000000, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL);",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let store = rapport_store_sqlite::SqliteWriter::open(&url)
        .await
        .unwrap();
    let sent = store
        .publish()
        .publish_entry(ReplyId(7))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.entry.case_id, Some(CaseId(1)));
    assert_eq!(sent.entry.in_reply_to, Some(PostId(2)));
    assert_eq!(sent.entry.body, "Sorry about that, DM us");
    assert_eq!(sent.entry.idempotency_key, "case-1-a");
    assert_eq!(sent.entry.status, ReplyStatus::Sent);
    assert_eq!(sent.entry.attempts, 2);
    assert_eq!(sent.entry.last_error.as_deref(), Some("timeout"));
    assert_eq!(sent.entry.sent_native_id.as_deref(), Some("555"));
    assert_eq!(sent.channel, Some(ChannelId(4)));
    assert_eq!(sent.publish_key.as_deref(), Some("rk1"));
    assert!(sent.reconcile);
    assert_eq!(
        sent.sent_url.as_deref(),
        Some("https://x.com/brand/status/555")
    );
    assert_eq!(sent.sent_at.unwrap().timestamp(), 1_700_000_290);
    assert_eq!(sent.first_attempt_at.unwrap().timestamp(), 1_700_000_060);
    assert_eq!(sent.not_before.timestamp(), 1_700_000_100);
    assert_eq!(sent.publication, None);
    let queued = store
        .publish()
        .publish_entry(ReplyId(8))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(queued.entry.status, ReplyStatus::Queued);
    assert_eq!(queued.channel, None);
    let of_case = store
        .publish()
        .case_publish_entries(CaseId(1))
        .await
        .unwrap();
    assert_eq!(
        of_case.iter().map(|e| e.entry.id.0).collect::<Vec<_>>(),
        vec![7, 8]
    );
    // The indexes came back with the table: the publisher's claim and the read-back lookup.
    let found = store
        .publish()
        .entry_by_native(Network::X, "555")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.entry.id, ReplyId(7));
    let claimed = store
        .publish()
        .claim_next(
            Network::X,
            ChannelId(4),
            chrono::Utc::now(),
            chrono::Duration::seconds(60),
            "k",
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.entry.id, ReplyId(8));
}
