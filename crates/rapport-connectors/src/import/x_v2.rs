//! X API v2: tweet objects, response pages and stream envelopes (see the module docs of
//! [`super`] for the mapping).

use super::{Record, dates, dedup};
use rapport_domain::{Author, Engagement, Network, Post};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::VecDeque;

/// A page or an envelope: `data` holds one tweet or an array of them.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    includes: Includes,
    /// Present on response pages, also those that hold no tweet at all.
    meta: Option<serde::de::IgnoredAny>,
    errors: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
struct Includes {
    #[serde(default)]
    users: Vec<User>,
}

#[derive(Deserialize)]
struct User {
    id: String,
    username: String,
    name: Option<String>,
    public_metrics: Option<UserMetrics>,
}

#[derive(Deserialize)]
struct UserMetrics {
    followers_count: Option<u64>,
}

#[derive(Deserialize)]
struct Tweet {
    id: String,
    text: String,
    author_id: Option<String>,
    created_at: Option<String>,
    conversation_id: Option<String>,
    in_reply_to_user_id: Option<String>,
    #[serde(default)]
    referenced_tweets: Vec<Reference>,
    lang: Option<String>,
    public_metrics: Option<TweetMetrics>,
    #[serde(default)]
    entities: TweetEntities,
    note_tweet: Option<NoteTweet>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

#[derive(Deserialize, Default)]
struct TweetMetrics {
    #[serde(default)]
    retweet_count: u64,
    #[serde(default)]
    reply_count: u64,
    #[serde(default)]
    like_count: u64,
    #[serde(default)]
    quote_count: u64,
}

#[derive(Deserialize, Default)]
struct TweetEntities {
    #[serde(default)]
    mentions: Vec<MentionEntity>,
    #[serde(default)]
    hashtags: Vec<TagEntity>,
    #[serde(default)]
    cashtags: Vec<TagEntity>,
    #[serde(default)]
    urls: Vec<UrlEntity>,
}

#[derive(Deserialize)]
struct MentionEntity {
    username: String,
    id: Option<String>,
}

#[derive(Deserialize)]
struct TagEntity {
    tag: String,
}

#[derive(Deserialize)]
struct UrlEntity {
    url: String,
    expanded_url: Option<String>,
}

/// The full text of a post longer than 280 characters.
#[derive(Deserialize)]
struct NoteTweet {
    text: String,
    #[serde(default)]
    entities: Option<TweetEntities>,
}

pub(crate) fn map_value(line: u64, text: &str, out: &mut VecDeque<Record>) {
    let envelope: Envelope<'_> = match serde_json::from_str(text) {
        Ok(envelope) => envelope,
        Err(e) => {
            out.push_back(Record::reject(line, format!("invalid JSON: {e}"), text));
            return;
        }
    };
    let users = &envelope.includes.users;
    let Some(data) = envelope.data else {
        if envelope.meta.is_some() || envelope.errors.is_some() {
            out.push_back(Record::Skipped {
                line,
                what: "x-v2 response without tweets".into(),
            });
        } else {
            // No `data`: the value is a tweet object itself.
            out.push_back(tweet(line, text, text, users));
        }
        return;
    };
    let data = data.get();
    if !data.trim_start().starts_with('[') {
        out.push_back(tweet(line, data, text, users));
        return;
    }
    match serde_json::from_str::<Vec<&RawValue>>(data) {
        Ok(tweets) if tweets.is_empty() => out.push_back(Record::Skipped {
            line,
            what: "x-v2 page without tweets".into(),
        }),
        Ok(tweets) if tweets.len() == 1 => out.push_back(tweet(line, tweets[0].get(), text, users)),
        Ok(tweets) => {
            for t in tweets {
                out.push_back(tweet(line, t.get(), t.get(), users));
            }
        }
        Err(e) => out.push_back(Record::reject(line, format!("invalid 'data': {e}"), text)),
    }
}

/// Maps the tweet object `json` to a post whose `raw` is `raw`.
fn tweet(line: u64, json: &str, raw: &str, users: &[User]) -> Record {
    let t: Tweet = match serde_json::from_str(json) {
        Ok(t) => t,
        Err(e) => return Record::reject(line, format!("not an x-v2 tweet object: {e}"), raw),
    };
    let created_at = match &t.created_at {
        Some(s) => match dates::rfc3339(s) {
            Some(d) => d,
            None => {
                return Record::reject(
                    line,
                    format!("field 'created_at' is not an RFC 3339 date: '{s}'"),
                    raw,
                );
            }
        },
        None => match dates::snowflake(&t.id) {
            Some(d) => d,
            None => {
                return Record::reject(
                    line,
                    "tweet has no 'created_at' and its id holds no time",
                    raw,
                );
            }
        },
    };
    let Some(author_id) = t.author_id.clone() else {
        return Record::reject(line, "tweet has no 'author_id'", raw);
    };
    let user = users.iter().find(|u| u.id == author_id);
    let author = Author {
        handle: user.map_or_else(|| author_id.clone(), |u| u.username.clone()),
        native_id: Some(author_id),
        display_name: user.and_then(|u| u.name.clone()),
        followers: user
            .and_then(|u| u.public_metrics.as_ref())
            .and_then(|m| m.followers_count),
        own_account: false,
    };
    let (text, entities) = match t.note_tweet {
        Some(note) => (note.text, note.entities.unwrap_or(t.entities)),
        None => (t.text, t.entities),
    };
    let reply_to_handle = t.in_reply_to_user_id.as_ref().and_then(|id| {
        users
            .iter()
            .find(|u| &u.id == id)
            .map(|u| u.username.clone())
            .or_else(|| {
                entities
                    .mentions
                    .iter()
                    .find(|m| m.id.as_ref() == Some(id))
                    .map(|m| m.username.clone())
            })
    });
    let reply_to = t
        .referenced_tweets
        .iter()
        .find(|r| r.kind == "replied_to")
        .map(|r| r.id.clone());
    let metrics = t.public_metrics.unwrap_or_default();
    let lower = |v: &str| v.trim_start_matches(['@', '#', '$']).to_lowercase();
    let mut mentions: Vec<String> = entities
        .mentions
        .iter()
        .map(|m| lower(&m.username))
        .collect();
    let mut hashtags: Vec<String> = entities.hashtags.iter().map(|h| lower(&h.tag)).collect();
    let mut cashtags: Vec<String> = entities.cashtags.iter().map(|c| lower(&c.tag)).collect();
    let mut links: Vec<String> = entities
        .urls
        .into_iter()
        .map(|u| u.expanded_url.unwrap_or(u.url))
        .collect();
    for list in [&mut mentions, &mut hashtags, &mut cashtags, &mut links] {
        dedup(list);
    }
    Record::Post(Post {
        network: Network::X,
        native_id: t.id,
        author,
        text,
        created_at,
        lang: t.lang.filter(|l| !l.is_empty() && l != "und"),
        reply_to,
        reply_to_handle,
        root_id: t.conversation_id,
        mentions,
        hashtags,
        cashtags,
        links,
        engagement: Engagement {
            likes: metrics.like_count,
            reposts: metrics.retweet_count,
            replies: metrics.reply_count,
            quotes: metrics.quote_count,
        },
        raw: raw.to_string(),
    })
}
