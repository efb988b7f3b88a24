//! Rows as both backends read them, turned into domain values in one place.

use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use rapport_domain::{
    Author, Contact, ContactId, ConversationId, Engagement, Identity, IdentityId, IntentSet,
    Labels, Network, Post, PostId, Sentiment, StoredPost, Topic, TopicId, TopicOptions,
};

/// One row of the posts query (see each backend's `POST_SELECT`).
pub struct PostRecord {
    pub id: i64,
    pub network: String,
    pub native_id: String,
    pub author_handle: String,
    pub author_native_id: Option<String>,
    pub author_display_name: Option<String>,
    pub author_followers: Option<i64>,
    pub author_own: bool,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub lang: Option<String>,
    pub reply_to: Option<String>,
    pub reply_to_handle: Option<String>,
    pub root_id: Option<String>,
    pub mentions: String,
    pub hashtags: String,
    pub cashtags: String,
    pub links: String,
    pub likes: i64,
    pub reposts: i64,
    pub replies: i64,
    pub quotes: i64,
    pub raw: String,
    pub conversation_id: i64,
    pub identity_id: i64,
    pub contact_id: i64,
    pub sentiment: Option<String>,
    pub sentiment_score: Option<f32>,
    pub intents: Option<i64>,
    pub label_lang: Option<String>,
    pub urgency: Option<String>,
    pub is_mention: bool,
    pub from_own_account: bool,
}

pub fn network(s: &str) -> Result<Network> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("column network: {e}")))
}

fn list(field: &str, json: &str, id: i64) -> Result<Vec<String>> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("post {id}, column {field}: {e}")))
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// An entity list as the store keeps it: a JSON array of strings.
pub fn list_json(items: &[String]) -> String {
    serde_json::to_string(items).expect("a list of strings always serializes")
}

/// Labels as columns: (sentiment, score, intents, lang, urgency).
pub type LabelColumns<'a> = (
    Option<&'static str>,
    Option<f32>,
    Option<i16>,
    Option<&'a str>,
    Option<&'static str>,
);

pub fn label_columns(l: Option<&Labels>) -> LabelColumns<'_> {
    match l {
        None => (None, None, None, None, None),
        Some(l) => (
            Some(l.sentiment.label.as_str()),
            Some(l.sentiment.score),
            Some(i16::from(l.intents.bits())),
            l.lang.as_deref(),
            Some(l.urgency.as_str()),
        ),
    }
}

impl PostRecord {
    pub fn into_stored(self) -> Result<StoredPost> {
        let id = self.id;
        let corrupt =
            |field: &str, e: String| StoreError::Corrupt(format!("post {id}, column {field}: {e}"));
        let labels = match self.sentiment {
            None => None,
            Some(s) => Some(Labels {
                sentiment: Sentiment {
                    label: s.parse().map_err(|e| corrupt("sentiment", e))?,
                    score: self.sentiment_score.unwrap_or(0.0),
                },
                intents: IntentSet::from_bits_truncate(
                    u8::try_from(self.intents.unwrap_or(0)).unwrap_or(0),
                ),
                lang: self.label_lang,
                urgency: self
                    .urgency
                    .as_deref()
                    .unwrap_or("normal")
                    .parse()
                    .map_err(|e| corrupt("urgency", e))?,
            }),
        };
        Ok(StoredPost {
            id: PostId(id),
            post: Post {
                network: network(&self.network)?,
                native_id: self.native_id,
                author: Author {
                    handle: self.author_handle,
                    native_id: self.author_native_id,
                    display_name: self.author_display_name,
                    followers: self.author_followers.map(count),
                    own_account: self.author_own,
                },
                text: self.text,
                created_at: self.created_at,
                lang: self.lang,
                reply_to: self.reply_to,
                reply_to_handle: self.reply_to_handle,
                root_id: self.root_id,
                mentions: list("mentions", &self.mentions, id)?,
                hashtags: list("hashtags", &self.hashtags, id)?,
                cashtags: list("cashtags", &self.cashtags, id)?,
                links: list("links", &self.links, id)?,
                engagement: Engagement {
                    likes: count(self.likes),
                    reposts: count(self.reposts),
                    replies: count(self.replies),
                    quotes: count(self.quotes),
                },
                raw: self.raw,
            },
            conversation_id: ConversationId(self.conversation_id),
            identity_id: IdentityId(self.identity_id),
            contact_id: ContactId(self.contact_id),
            labels,
            is_mention: self.is_mention,
            from_own_account: self.from_own_account,
        })
    }
}

/// One row of the identities query.
pub struct IdentityRecord {
    pub id: i64,
    pub contact_id: i64,
    pub network: String,
    pub handle: String,
    pub native_id: Option<String>,
    pub display_name: Option<String>,
    pub followers: Option<i64>,
    pub own_account: bool,
}

impl IdentityRecord {
    pub fn into_identity(self) -> Result<Identity> {
        Ok(Identity {
            id: IdentityId(self.id),
            contact_id: ContactId(self.contact_id),
            network: network(&self.network)?,
            handle: self.handle,
            native_id: self.native_id,
            display_name: self.display_name,
            followers: self.followers.map(count),
            own_account: self.own_account,
        })
    }
}

pub fn contact(id: i64, name: String, identities: Vec<IdentityRecord>) -> Result<Contact> {
    Ok(Contact {
        id: ContactId(id),
        name,
        identities: identities
            .into_iter()
            .map(IdentityRecord::into_identity)
            .collect::<Result<_>>()?,
    })
}

pub fn topic(id: i64, name: String, query: String, options: &str) -> Result<Topic> {
    let options: TopicOptions = serde_json::from_str(options)
        .map_err(|e| StoreError::Corrupt(format!("topic '{name}', column options: {e}")))?;
    Ok(Topic {
        id: TopicId(id),
        name,
        query,
        options,
    })
}

pub fn options_json(options: &TopicOptions) -> String {
    serde_json::to_string(options).expect("topic options always serialize")
}
