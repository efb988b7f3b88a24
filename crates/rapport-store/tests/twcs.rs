//! The real Customer Support on Twitter sample, ingested into every backend: threads, contacts,
//! own accounts and mentions are checked against figures worked out here from the file alone.

use chrono::{DateTime, Utc};
use rapport_domain::{Author, Engagement, Network, Post};
use rapport_store::testing::fresh_store;
use rapport_store::{Backend, NewPost, Store};
use std::collections::{HashMap, HashSet};

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/twcs/twcs_head_5000.csv"
);

struct Row {
    id: String,
    author: String,
    inbound: bool,
    created_at: DateTime<Utc>,
    text: String,
    reply_to: Option<String>,
}

/// `3.0` -> `3`: pandas wrote the reply ids as floats.
fn id_of(field: &str) -> Option<String> {
    let f = field.trim();
    if f.is_empty() {
        return None;
    }
    Some(f.strip_suffix(".0").unwrap_or(f).to_string())
}

fn read() -> Vec<Row> {
    // Tweet 3399 holds bare `\r` characters outside quotes: only `\n` ends a record.
    let mut rdr = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(FILE)
        .expect("twcs sample is readable");
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, author, inbound, created, text, reply) = (
        col("tweet_id"),
        col("author_id"),
        col("inbound"),
        col("created_at"),
        col("text"),
        col("in_response_to_tweet_id"),
    );
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            Row {
                id: r[id].to_string(),
                author: r[author].to_string(),
                inbound: &r[inbound] == "True",
                created_at: DateTime::parse_from_str(&r[created], "%a %b %d %H:%M:%S %z %Y")
                    .unwrap()
                    .with_timezone(&Utc),
                text: r[text].to_string(),
                reply_to: id_of(&r[reply]),
            }
        })
        .collect()
}

/// `@handle` words of a tweet, lowercased.
fn mentions(text: &str) -> Vec<String> {
    text.split('@')
        .skip(1)
        .map(|s| {
            s.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn new_post(r: &Row) -> NewPost {
    NewPost {
        post: Post {
            network: Network::X,
            native_id: r.id.clone(),
            author: Author {
                handle: r.author.clone(),
                own_account: !r.inbound,
                ..Author::default()
            },
            text: r.text.clone(),
            created_at: r.created_at,
            lang: None,
            reply_to: r.reply_to.clone(),
            reply_to_handle: None,
            root_id: None,
            mentions: mentions(&r.text),
            hashtags: Vec::new(),
            cashtags: Vec::new(),
            links: Vec::new(),
            engagement: Engagement::default(),
            raw: format!("{},{},{}", r.id, r.author, r.text),
        },
        labels: None,
        topics: Vec::new(),
    }
}

struct Expected {
    posts: u64,
    authors: u64,
    own: u64,
    conversations: u64,
    mentions: u64,
}

fn find(parent: &mut HashMap<String, String>, x: &str) -> String {
    let mut cur = x.to_string();
    while let Some(p) = parent.get(&cur).filter(|p| **p != cur) {
        cur = p.clone();
    }
    cur
}

/// Counts from the file alone: threads by union-find over reply links (a tweet replied to but
/// missing from the file still ties its replies together).
fn expected(rows: &[Row]) -> Expected {
    let mut parent: HashMap<String, String> = HashMap::new();
    for r in rows {
        parent.entry(r.id.clone()).or_insert_with(|| r.id.clone());
        if let Some(to) = &r.reply_to {
            parent.entry(to.clone()).or_insert_with(|| to.clone());
            let (a, b) = (find(&mut parent, &r.id), find(&mut parent, to));
            if a != b {
                parent.insert(a, b);
            }
        }
    }
    let conversations: HashSet<String> = rows.iter().map(|r| find(&mut parent, &r.id)).collect();
    let own: HashSet<String> = rows
        .iter()
        .filter(|r| !r.inbound)
        .map(|r| r.author.to_lowercase())
        .collect();
    let author_of: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r.id.as_str(), r.author.as_str()))
        .collect();
    let mentions = rows
        .iter()
        .filter(|r| {
            mentions(&r.text).iter().any(|m| own.contains(m))
                || r.reply_to
                    .as_deref()
                    .and_then(|to| author_of.get(to))
                    .is_some_and(|a| own.contains(&a.to_lowercase()))
        })
        .count();
    Expected {
        posts: rows.iter().map(|r| &r.id).collect::<HashSet<_>>().len() as u64,
        authors: rows
            .iter()
            .map(|r| r.author.to_lowercase())
            .collect::<HashSet<_>>()
            .len() as u64,
        own: own.len() as u64,
        conversations: conversations.len() as u64,
        mentions: mentions as u64,
    }
}

async fn check(store: &dyn Store, e: &Expected) {
    let s = store.posts().stats().await.unwrap();
    assert_eq!(s.posts, e.posts);
    assert_eq!(s.contacts, e.authors);
    assert_eq!(s.identities, e.authors);
    assert_eq!(s.own_accounts, e.own);
    assert_eq!(s.conversations, e.conversations);
    assert_eq!(s.mentions, e.mentions);
}

async fn twcs_sample(backend: Backend) {
    let rows = read();
    assert_eq!(rows.len(), 5000);
    assert!(
        rows.iter().any(|r| r.text.contains("\r\rI just love")),
        "bare CRs kept"
    );
    let e = expected(&rows);
    assert!(
        e.conversations > 100 && e.own >= 70,
        "the sample has threads and brands"
    );

    // In file order, then again: nothing new.
    let store = fresh_store(backend).await;
    for chunk in rows.chunks(1000) {
        let report = store
            .posts()
            .ingest(chunk.iter().map(new_post).collect())
            .await
            .unwrap();
        assert_eq!(report.inserted(), chunk.len());
    }
    check(store.as_ref(), &e).await;
    for chunk in rows.chunks(2500) {
        let report = store
            .posts()
            .ingest(chunk.iter().map(new_post).collect())
            .await
            .unwrap();
        assert_eq!(report.inserted(), 0);
    }
    check(store.as_ref(), &e).await;
    // The first thread of the file: tweets 1 to 8 answer one another.
    let conv = |id: &str| {
        let store = store.store();
        let key = rapport_domain::PostKey {
            network: Network::X,
            native_id: id.to_string(),
        };
        async move {
            store
                .posts()
                .post_by_key(&key)
                .await
                .unwrap()
                .unwrap()
                .conversation_id
        }
    };
    let first = conv("8").await;
    for id in ["1", "2", "3", "4", "5", "6"] {
        assert_eq!(conv(id).await, first, "tweet {id}");
    }
    let thread = store.contacts().conversation(first).await.unwrap();
    assert_eq!(thread[0].post.native_id, "8", "oldest first");
    assert_eq!(
        store.contacts().conversation_root(first).await.unwrap(),
        Some(thread[0].id)
    );

    // Newest first, in small batches: the same threads.
    let store = fresh_store(backend).await;
    let mut reversed: Vec<&Row> = rows.iter().collect();
    reversed.reverse();
    for chunk in reversed.chunks(333) {
        store
            .posts()
            .ingest(chunk.iter().map(|r| new_post(r)).collect())
            .await
            .unwrap();
    }
    check(store.as_ref(), &e).await;
}

#[tokio::test]
async fn twcs_sample_on_sqlite() {
    twcs_sample(Backend::Sqlite).await;
}

#[tokio::test]
async fn twcs_sample_on_postgres() {
    twcs_sample(Backend::Postgres).await;
}

/// Commits do not checkpoint the write-ahead log (a task of the store does, off the write
/// path): the posts still reach the database file while the store stays open, and everything
/// is there after it is reopened.
#[tokio::test]
async fn a_file_store_checkpoints_its_log_while_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rapport.db");
    let url = format!("sqlite://{}", path.display());
    let rows = read();
    let store = rapport_store::open(&url).await.unwrap();
    let empty = std::fs::metadata(&path).unwrap().len();
    for chunk in rows.chunks(1_000) {
        store
            .posts()
            .ingest(chunk.iter().map(new_post).collect())
            .await
            .unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let grown = loop {
        let now = std::fs::metadata(&path).unwrap().len();
        if now > empty + 1_000_000 || std::time::Instant::now() > deadline {
            break now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(
        grown > empty + 1_000_000,
        "the database file stayed at {grown} bytes (from {empty}): the log was never checkpointed"
    );
    let posts = store.posts().stats().await.unwrap().posts;
    assert_eq!(posts, rows.len() as u64);
    drop(store);
    let again = rapport_store::open(&url).await.unwrap();
    assert_eq!(again.posts().stats().await.unwrap().posts, posts);
}
