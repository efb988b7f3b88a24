//! Building cases for the care conformance tests.

#![allow(dead_code)]

use super::support::{P, at, ingest, inserted_id};
use crate::Store;
use chrono::{DateTime, Utc};
use rapport_domain::care::{CasePost, CaseRecord, CaseSla};
use rapport_domain::{Actor, Case, CaseEvent, CaseId, PostId, Priority};

/// Stores a post and returns its id.
pub async fn post(store: &dyn Store, p: P) -> PostId {
    inserted_id(&ingest(store, vec![p]).await.outcomes[0])
}

/// A new case on a stored post, as routing would open it, not yet stored.
pub async fn draft(
    store: &dyn Store,
    post_id: PostId,
    priority: Priority,
) -> (CaseRecord, Vec<CasePost>, Vec<CaseEvent>) {
    let c = store
        .routing()
        .route_candidates(&[post_id])
        .await
        .unwrap()
        .remove(0);
    let (case, opened) = Case::open(
        CaseId(0),
        c.conversation_id,
        c.contact_id,
        priority,
        Actor::System,
        c.created_at,
    );
    let joined = case.join_post(post_id, Actor::Customer(c.contact_id), c.created_at);
    let record = CaseRecord {
        case,
        network: c.network,
        version: 0,
        sla: CaseSla::default(),
        last_customer_post_at: Some(c.created_at),
        last_agent_reply_at: None,
        last_activity_at: c.created_at,
        topics: c.topics.clone(),
        preview: c.text.clone(),
    };
    let posts = vec![CasePost {
        post_id,
        at: c.created_at,
        from_customer: true,
    }];
    (record, posts, vec![opened, joined])
}

/// Stores a post by `author` at minute `m` and opens a case on it.
pub async fn case(
    store: &dyn Store,
    id: &str,
    author: &str,
    m: i64,
    priority: Priority,
) -> CaseRecord {
    let post_id = post(
        store,
        P::new(id, author)
            .at(m)
            .text(&format!("help with order {id}")),
    )
    .await;
    let (record, posts, events) = draft(store, post_id, priority).await;
    store
        .cases()
        .create_case(&record, &posts, &events)
        .await
        .unwrap()
}

pub fn minute(m: i64) -> DateTime<Utc> {
    at(m)
}
