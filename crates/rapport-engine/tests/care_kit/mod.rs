//! Helpers for the care tests: an engine with own accounts on a fresh store, and posts.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use rapport_domain::{Author, CaseId, Engagement, Network, Post, PostKey};
use rapport_engine::care::Care;
use rapport_engine::{Engine, EngineConfig};
use rapport_store::testing::{TestStore, backend_from_env, fresh_store};

pub struct Kit {
    pub engine: Engine,
    pub care: Care,
    _store: TestStore,
}

pub async fn kit() -> Kit {
    let store = fresh_store(backend_from_env()).await;
    let config = EngineConfig {
        own_accounts: vec![
            (Network::X, "brand".into()),
            (Network::Mastodon, "brand".into()),
        ],
        ..EngineConfig::default()
    };
    let engine = Engine::new(store.store(), config)
        .await
        .expect("engine opens");
    let care = engine.care();
    Kit {
        engine,
        care,
        _store: store,
    }
}

/// 2024-03-01 (a Friday) at `h:m` UTC plus `day` days.
pub fn t(day: i64, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, h, m, 0).unwrap() + chrono::TimeDelta::days(day)
}

pub fn post(id: &str, author: &str, text: &str, at: DateTime<Utc>) -> Post {
    Post {
        network: Network::X,
        native_id: id.to_string(),
        author: Author {
            handle: author.to_string(),
            own_account: author == "brand",
            ..Author::default()
        },
        text: text.to_string(),
        created_at: at,
        lang: Some("en".into()),
        reply_to: None,
        reply_to_handle: None,
        root_id: None,
        mentions: text
            .split_whitespace()
            .filter_map(|w| w.strip_prefix('@'))
            .map(|h| {
                h.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')
                    .to_lowercase()
            })
            .collect(),
        hashtags: Vec::new(),
        cashtags: Vec::new(),
        links: Vec::new(),
        engagement: Engagement::default(),
        raw: format!("{{\"id\":\"{id}\"}}"),
    }
}

pub fn reply(id: &str, author: &str, parent: &str, text: &str, at: DateTime<Utc>) -> Post {
    Post {
        reply_to: Some(parent.to_string()),
        ..post(id, author, text, at)
    }
}

impl Kit {
    pub async fn send(&self, posts: Vec<Post>) {
        self.engine.ingest_posts(posts).await.expect("posts ingest");
    }

    /// The case the post with this native id is attached to.
    pub async fn case_of(&self, native_id: &str) -> Option<CaseId> {
        let key = PostKey {
            network: Network::X,
            native_id: native_id.to_string(),
        };
        let post = self
            .engine
            .store()
            .posts()
            .post_by_key(&key)
            .await
            .unwrap()?;
        self.engine
            .store()
            .cases()
            .case_of_post(post.id)
            .await
            .unwrap()
    }
}
