//! One normalized post shape for every network.

use crate::{ContactId, ConversationId, IdentityId, Labels, Network, PostId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The idempotency key of a post: the same (network, native id) is the same post, however often
/// it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PostKey {
    pub network: Network,
    pub native_id: String,
}

/// Who wrote a post, as the source describes them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Author {
    /// The handle without a leading `@` (`AppleSupport`, `alice.bsky.social`, `bob@mastodon.social`).
    /// Identities are looked up by lowercased handle.
    pub handle: String,
    /// The network's stable account id where the source gives one (X user id, Bluesky DID,
    /// Mastodon account id).
    pub native_id: Option<String>,
    pub display_name: Option<String>,
    pub followers: Option<u64>,
    /// The source itself says this is the company's own account (twcs `inbound=False`).
    pub own_account: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Engagement {
    pub likes: u64,
    pub reposts: u64,
    pub replies: u64,
    pub quotes: u64,
}

/// A post as a connector or importer hands it over, before it is stored.
///
/// Entity lists hold normalized values: `mentions` are handles without `@`, `hashtags` and
/// `cashtags` without their sigil, all three lowercased; `links` are full URLs as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub network: Network,
    pub native_id: String,
    pub author: Author,
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// BCP-47 primary language tag (`en`, `fr`) as the network tagged it, or as detected later.
    pub lang: Option<String>,
    /// Native id of the post this one replies to (same network).
    pub reply_to: Option<String>,
    /// Handle of the author replied to, where the source says (X `in_reply_to_user_id` resolved,
    /// Mastodon `in_reply_to_account_id` resolved through mentions).
    pub reply_to_handle: Option<String>,
    /// Native id of the conversation's first post, where the source says (Bluesky reply root,
    /// X `conversation_id`). Threads are still built from `reply_to` when this is absent.
    pub root_id: Option<String>,
    pub mentions: Vec<String>,
    pub hashtags: Vec<String>,
    pub cashtags: Vec<String>,
    pub links: Vec<String>,
    pub engagement: Engagement,
    /// The source record exactly as it was read (a JSON object, a CSV row).
    pub raw: String,
}

impl Post {
    pub fn key(&self) -> PostKey {
        PostKey {
            network: self.network,
            native_id: self.native_id.clone(),
        }
    }

    pub fn is_reply(&self) -> bool {
        self.reply_to.is_some()
    }
}

/// A post as the store holds it: numbered, placed in a conversation, tied to the author's
/// identity and contact, labelled, with the topics it matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPost {
    pub id: PostId,
    pub post: Post,
    pub conversation_id: ConversationId,
    pub identity_id: IdentityId,
    pub contact_id: ContactId,
    pub labels: Option<Labels>,
    /// The post mentions or replies to one of the company's own accounts.
    pub is_mention: bool,
    /// Written by one of the company's own accounts.
    pub from_own_account: bool,
}
