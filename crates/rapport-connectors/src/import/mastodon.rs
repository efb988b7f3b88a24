//! Mastodon Status entities (see the module docs of [`super`] for the mapping).

use super::{Record, dates, dedup, entities, html};
use rapport_domain::{Author, Engagement, Network, Post};
use serde::{Deserialize, Deserializer};
use std::collections::VecDeque;

#[derive(Deserialize)]
struct Status {
    #[serde(deserialize_with = "id")]
    id: String,
    created_at: String,
    account: Account,
    #[serde(default)]
    content: String,
    #[serde(default)]
    spoiler_text: String,
    #[serde(default, deserialize_with = "optional_id")]
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    in_reply_to_account_id: Option<String>,
    language: Option<String>,
    #[serde(default)]
    mentions: Vec<Mention>,
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(default)]
    replies_count: u64,
    #[serde(default)]
    reblogs_count: u64,
    #[serde(default)]
    favourites_count: u64,
    #[serde(default)]
    quotes_count: u64,
    reblog: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Account {
    #[serde(deserialize_with = "id")]
    id: String,
    acct: String,
    url: Option<String>,
    display_name: Option<String>,
    followers_count: Option<u64>,
}

#[derive(Deserialize)]
struct Mention {
    #[serde(deserialize_with = "id")]
    id: String,
    acct: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct Tag {
    name: String,
}

/// Ids are strings in the Mastodon API; some compatible servers write numbers.
#[derive(Deserialize)]
#[serde(untagged)]
enum AnyId {
    Text(String),
    Number(u64),
}

fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match AnyId::deserialize(d)? {
        AnyId::Text(s) => s,
        AnyId::Number(n) => n.to_string(),
    })
}

fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<AnyId>::deserialize(d)?.map(|id| match id {
        AnyId::Text(s) => s,
        AnyId::Number(n) => n.to_string(),
    }))
}

pub(crate) fn map_value(line: u64, text: &str, out: &mut VecDeque<Record>) {
    out.push_back(status(line, text));
}

/// `acct` as `user@host`: a local account's `acct` has no host, which its profile URL gives.
pub(crate) fn qualified(acct: &str, url: Option<&str>) -> String {
    let acct = acct.trim_start_matches('@');
    if acct.contains('@') {
        return acct.to_string();
    }
    let host = url
        .and_then(|u| u.split_once("://"))
        .and_then(|(_, rest)| rest.split(['/', '?', '#']).next())
        .map(|h| h.rsplit('@').next().unwrap_or(h))
        .filter(|h| !h.is_empty());
    match host {
        Some(host) => format!("{acct}@{}", host.to_ascii_lowercase()),
        None => acct.to_string(),
    }
}

fn status(line: u64, raw: &str) -> Record {
    let s: Status = match serde_json::from_str(raw) {
        Ok(s) => s,
        Err(e) => return Record::reject(line, format!("not a mastodon status: {e}"), raw),
    };
    if s.reblog.is_some() {
        return Record::Skipped {
            line,
            what: "reblog".into(),
        };
    }
    let Some(created_at) = dates::rfc3339(&s.created_at) else {
        return Record::reject(
            line,
            format!(
                "field 'created_at' is not an RFC 3339 date: '{}'",
                s.created_at
            ),
            raw,
        );
    };
    let handle = qualified(&s.account.acct, s.account.url.as_deref());
    let (body, links) = html::to_text(&s.content);
    let spoiler = s.spoiler_text.trim();
    let text = if spoiler.is_empty() {
        body
    } else {
        format!("{spoiler}\n\n{body}")
    };
    let reply_to_handle = s.in_reply_to_account_id.as_ref().and_then(|id| {
        if *id == s.account.id {
            return Some(handle.clone());
        }
        s.mentions
            .iter()
            .find(|m| &m.id == id)
            .map(|m| qualified(&m.acct, m.url.as_deref()))
    });
    let mut mentions: Vec<String> = s
        .mentions
        .iter()
        .map(|m| qualified(&m.acct, m.url.as_deref()).to_lowercase())
        .collect();
    let mut hashtags: Vec<String> = s
        .tags
        .iter()
        .map(|t| t.name.trim_start_matches('#').to_lowercase())
        .collect();
    dedup(&mut mentions);
    dedup(&mut hashtags);
    Record::Post(Post {
        network: Network::Mastodon,
        native_id: s.id,
        author: Author {
            handle,
            native_id: Some(s.account.id),
            display_name: s.account.display_name.filter(|n| !n.is_empty()),
            followers: s.account.followers_count,
            own_account: false,
        },
        cashtags: entities::cashtags(&text),
        text,
        created_at,
        lang: s.language.filter(|l| !l.is_empty()),
        reply_to: s.in_reply_to_id,
        reply_to_handle,
        root_id: None,
        mentions,
        hashtags,
        links,
        engagement: Engagement {
            likes: s.favourites_count,
            reposts: s.reblogs_count,
            replies: s.replies_count,
            quotes: s.quotes_count,
        },
        raw: raw.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifies_local_accounts_with_their_host() {
        let cases = [
            (
                "Gargron",
                Some("https://mastodon.social/@Gargron"),
                "Gargron@mastodon.social",
            ),
            (
                "bob@fosstodon.org",
                Some("https://fosstodon.org/@bob"),
                "bob@fosstodon.org",
            ),
            (
                "@alice",
                Some("https://Example.COM/users/alice"),
                "alice@example.com",
            ),
            ("carol", None, "carol"),
        ];
        for (acct, url, want) in cases {
            assert_eq!(qualified(acct, url), want);
        }
    }
}
