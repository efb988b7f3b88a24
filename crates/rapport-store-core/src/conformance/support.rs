//! Building posts for the conformance tests.

#![allow(dead_code)]

use crate::{IngestOutcome, IngestReport, NewPost, Store};
use chrono::{DateTime, TimeZone, Utc};
use rapport_domain::{Author, Engagement, Network, Post, PostId, PostKey, TopicId};

/// Minute `m` of a fixed day.
pub fn at(m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap() + chrono::Duration::minutes(m)
}

/// A post builder: `P::new("7", "alice").reply("3").at(5).new_post()`.
#[derive(Clone)]
pub struct P {
    pub post: Post,
    pub topics: Vec<TopicId>,
}

impl P {
    pub fn new(id: &str, author: &str) -> Self {
        Self {
            post: Post {
                network: Network::X,
                native_id: id.to_string(),
                author: Author {
                    handle: author.to_string(),
                    ..Author::default()
                },
                text: format!("post {id} by {author}"),
                created_at: at(id.parse::<i64>().unwrap_or(0)),
                lang: None,
                reply_to: None,
                reply_to_handle: None,
                root_id: None,
                mentions: Vec::new(),
                hashtags: Vec::new(),
                cashtags: Vec::new(),
                links: Vec::new(),
                engagement: Engagement::default(),
                raw: format!("{{\"id\":\"{id}\"}}"),
            },
            topics: Vec::new(),
        }
    }

    pub fn net(mut self, n: Network) -> Self {
        self.post.network = n;
        self
    }
    pub fn text(mut self, t: &str) -> Self {
        self.post.text = t.to_string();
        self
    }
    pub fn at(mut self, m: i64) -> Self {
        self.post.created_at = at(m);
        self
    }
    pub fn reply(mut self, parent: &str) -> Self {
        self.post.reply_to = Some(parent.to_string());
        self
    }
    pub fn reply_handle(mut self, h: &str) -> Self {
        self.post.reply_to_handle = Some(h.to_string());
        self
    }
    pub fn root(mut self, root: &str) -> Self {
        self.post.root_id = Some(root.to_string());
        self
    }
    pub fn mention(mut self, h: &str) -> Self {
        self.post.mentions.push(h.to_string());
        self
    }
    pub fn own(mut self) -> Self {
        self.post.author.own_account = true;
        self
    }
    pub fn topic(mut self, t: TopicId) -> Self {
        self.topics.push(t);
        self
    }
    pub fn new_post(self) -> NewPost {
        NewPost {
            post: self.post,
            labels: None,
            topics: self.topics,
        }
    }
}

pub fn key(id: &str) -> PostKey {
    PostKey {
        network: Network::X,
        native_id: id.to_string(),
    }
}

pub async fn ingest(store: &dyn Store, posts: Vec<P>) -> IngestReport {
    store
        .posts()
        .ingest(posts.into_iter().map(P::new_post).collect())
        .await
        .unwrap()
}

pub fn inserted_id(o: &IngestOutcome) -> PostId {
    match *o {
        IngestOutcome::Inserted { id, .. } => id,
        IngestOutcome::Duplicate { id } => panic!("expected an insert, got a duplicate of {id}"),
    }
}

pub async fn stored(store: &dyn Store, id: &str) -> rapport_domain::StoredPost {
    store
        .posts()
        .post_by_key(&key(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("post {id} is stored"))
}

/// A small deterministic generator (SplitMix64) for shuffles.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// Every ordering of `0..n`.
pub fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for rest in permutations(n - 1) {
        for i in 0..=rest.len() {
            let mut p = rest.clone();
            p.insert(i, n - 1);
            out.push(p);
        }
    }
    out
}
