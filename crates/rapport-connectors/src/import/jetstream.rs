//! Bluesky Jetstream commit events (see the module docs of [`super`] for the mapping).

use super::{Record, dates, dedup, entities};
use rapport_domain::{Author, Engagement, Network, Post};
use serde::Deserialize;
use std::collections::VecDeque;

const POST: &str = "app.bsky.feed.post";

#[derive(Deserialize)]
struct Event {
    did: String,
    kind: String,
    commit: Option<Commit>,
}

#[derive(Deserialize)]
struct Commit {
    operation: String,
    collection: String,
    rkey: String,
    record: Option<serde_json::Value>,
}

/// An `app.bsky.feed.post` record.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostRecord {
    text: String,
    created_at: String,
    #[serde(default)]
    langs: Vec<String>,
    reply: Option<Reply>,
    #[serde(default)]
    facets: Vec<Facet>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct Reply {
    root: StrongRef,
    parent: StrongRef,
}

#[derive(Deserialize)]
struct StrongRef {
    uri: String,
}

#[derive(Deserialize)]
struct Facet {
    #[serde(default)]
    features: Vec<Feature>,
}

/// One `app.bsky.richtext.facet` feature; unknown feature types are ignored.
#[derive(Deserialize)]
struct Feature {
    #[serde(rename = "$type", default)]
    kind: String,
    did: Option<String>,
    uri: Option<String>,
    tag: Option<String>,
}

pub(crate) fn map_value(line: u64, text: &str, out: &mut VecDeque<Record>) {
    out.push_back(event(line, text));
}

fn event(line: u64, raw: &str) -> Record {
    let ev: Event = match serde_json::from_str(raw) {
        Ok(ev) => ev,
        Err(e) => return Record::reject(line, format!("not a jetstream event: {e}"), raw),
    };
    let commit = match (ev.kind.as_str(), ev.commit) {
        ("commit", Some(commit)) => commit,
        ("commit", None) => return Record::reject(line, "commit event has no 'commit'", raw),
        (kind, _) => {
            return Record::Skipped {
                line,
                what: format!("{kind} event"),
            };
        }
    };
    if commit.operation != "create" || commit.collection != POST {
        return Record::Skipped {
            line,
            what: format!("commit {} {}", commit.operation, commit.collection),
        };
    }
    let Some(record) = commit.record else {
        return Record::reject(line, "post create has no 'commit.record'", raw);
    };
    let post: PostRecord = match serde_json::from_value(record) {
        Ok(post) => post,
        Err(e) => return Record::reject(line, format!("invalid 'commit.record': {e}"), raw),
    };
    let Some(created_at) = dates::rfc3339(&post.created_at) else {
        return Record::reject(
            line,
            format!(
                "field 'commit.record.createdAt' is not an RFC 3339 date: '{}'",
                post.created_at
            ),
            raw,
        );
    };
    let mut mentions = Vec::new();
    let mut links = Vec::new();
    let mut hashtags = Vec::new();
    for feature in post.facets.into_iter().flat_map(|f| f.features) {
        match feature.kind.as_str() {
            "app.bsky.richtext.facet#mention" => mentions.extend(feature.did),
            "app.bsky.richtext.facet#link" => links.extend(feature.uri),
            "app.bsky.richtext.facet#tag" => hashtags.extend(feature.tag),
            _ => {}
        }
    }
    hashtags.extend(post.tags);
    let mut mentions: Vec<String> = mentions.iter().map(|m| m.to_lowercase()).collect();
    let mut hashtags: Vec<String> = hashtags
        .iter()
        .map(|t| t.trim_start_matches('#').to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    dedup(&mut mentions);
    dedup(&mut hashtags);
    dedup(&mut links);
    let (reply_to, root_id) = match post.reply {
        Some(r) => (Some(r.parent.uri), Some(r.root.uri)),
        None => (None, None),
    };
    // The parent's at:// URI names its author's DID, which is the handle here.
    let reply_to_handle = reply_to.as_deref().and_then(|uri| {
        let did = uri.strip_prefix("at://")?.split('/').next()?;
        (!did.is_empty()).then(|| did.to_string())
    });
    Record::Post(Post {
        network: Network::Bluesky,
        native_id: format!("at://{}/{POST}/{}", ev.did, commit.rkey),
        author: Author {
            handle: ev.did.clone(),
            native_id: Some(ev.did),
            ..Author::default()
        },
        cashtags: entities::cashtags(&post.text),
        text: post.text,
        created_at,
        lang: post.langs.into_iter().next(),
        reply_to,
        reply_to_handle,
        root_id,
        mentions,
        hashtags,
        links,
        engagement: Engagement::default(),
        raw: raw.to_string(),
    })
}
