//! Publishers: send a reply to a network, and say whether a reply of ours is already there.
//!
//! A [`Publisher`] never retries by itself and never decides policy: [`Publisher::send`] makes
//! one attempt and classifies what happened ([`PublishError`]): refused for good, not sent
//! (safe to send again after a wait), or unknown (the request may have reached the network:
//! a timeout or a reset after it left, a 5xx, an answer that could not be read). Before an
//! entry whose earlier attempt was unknown is sent again, the caller asks
//! [`Publisher::find`], which looks on the network for the reply (the ledger rule; the
//! engine's publisher keeps the ledger).
//!
//! # Per network
//!
//! - [`BlueskyPublisher`]: `com.atproto.repo.createRecord` of an `app.bsky.feed.post` with
//!   the record key chosen before the first attempt ([`new_tid`]), so a second attempt with
//!   the same key cannot make a second post; `find` is `com.atproto.repo.getRecord` on that
//!   key. A reply carries `reply.root` and `reply.parent` strong refs (URI and CID, read from
//!   the stored parent's record or fetched with `getRecord`), and facets for mentions
//!   (resolved to DIDs) and links, at UTF-8 byte offsets ([`facets`]). Bluesky counts writes
//!   in points (5,000 an hour, 3 per post): the [`RateGate`] keeps to that, and a 429 waits
//!   until `ratelimit-reset`.
//! - [`MastodonPublisher`]: `POST /api/v1/statuses` with `Idempotency-Key` (the entry's key)
//!   on every attempt, `in_reply_to_id`, the visibility of the post answered and the
//!   customer's `@acct` in front when the text does not mention them. Not every server honours
//!   the key, so `find` reads the account's recent statuses for a reply to the same post with
//!   the same text (mentions aside). 300 requests per 5 minutes; a 429 waits for
//!   `X-RateLimit-Reset` or `Retry-After`.
//! - [`XPublisher`]: `POST /2/tweets` with `reply.in_reply_to_tweet_id` and a user-context
//!   token; `find` reads the account's recent posts (`GET /2/users/:id/tweets`). The
//!   `x-rate-limit-*` headers are followed (the gate waits for the reset when none remain);
//!   402 (the pay-per-use balance is exhausted) waits and says so.
//!
//! X cannot run here: the X publisher is tested against a test server written from X's public
//! API documentation. Mastodon is tested against the real `mastodon_mock`, Bluesky against a
//! real PDS where one is installed.

mod bluesky;
pub mod facets;
mod http;
mod limits;
mod mastodon;
mod mastodon_mock;
mod tid;
mod x;

pub use bluesky::{BlueskyConfig, BlueskyPublisher};
pub use limits::RateGate;
pub use mastodon::{MastodonPublishConfig, MastodonPublisher};
pub use mastodon_mock::{count_statuses, mastodon_mock_user};
pub use tid::new_tid;
pub use x::{XPublishConfig, XPublisher};

use chrono::{DateTime, Utc};
use rapport_domain::{Network, Post};
use std::time::Duration;

/// A reply to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The same on every attempt of one entry: the Bluesky record key, the Mastodon
    /// `Idempotency-Key`.
    pub key: String,
    pub text: String,
    /// The post answered, as stored.
    pub parent: Option<Parent>,
}

/// The post a reply answers: what the store kept of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    pub native_id: String,
    /// The author's handle as stored (Mastodon `name@host`, X username, Bluesky DID).
    pub author_handle: String,
    /// The record exactly as it was read (the network's JSON), for what the network needs
    /// that the normalized post does not keep (a CID, a visibility, a local acct).
    pub raw: String,
}

/// A reply the network holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub native_id: String,
    /// Where people see it.
    pub url: String,
    /// The reply as a post, mapped as the live source maps what it reads, so that reading it
    /// back later is a duplicate and not a second post.
    pub post: Option<Post>,
}

/// What went wrong with an attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    /// Refused for good: retrying the same reply cannot help (credentials revoked, the post
    /// answered deleted, a reply not allowed, a text the network rejects).
    #[error("{0}")]
    Refused(String),
    /// Not sent: send again after the wait (the network's when it gave one).
    #[error("{reason}")]
    NotSent {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Maybe sent: ask the network ([`Publisher::find`]) before sending again.
    #[error("{0}")]
    Unknown(String),
}

impl PublishError {
    pub(crate) fn not_sent(reason: impl Into<String>, retry_after: Option<Duration>) -> Self {
        PublishError::NotSent {
            reason: reason.into(),
            retry_after,
        }
    }
}

/// Sends replies through one account of one network. See the [module docs](self).
#[async_trait::async_trait]
pub trait Publisher: Send + Sync {
    fn network(&self) -> Network;

    /// One attempt; never retried inside.
    async fn send(&self, reply: &Outgoing) -> Result<Published, PublishError>;

    /// The reply as the network holds it, when an earlier attempt created it: looks at what
    /// the account posted since `since`, leaving out the posts in `taken` (other entries').
    /// `Ok(None)` means the network has no such reply.
    async fn find(
        &self,
        reply: &Outgoing,
        since: DateTime<Utc>,
        taken: &[String],
    ) -> Result<Option<Published>, PublishError>;
}

/// The words of a text without its mentions and with its spacing made even: how a reply is
/// recognised on a network that adds or renders mentions its own way.
pub(crate) fn marker(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| !w.starts_with('@'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn markers_ignore_mentions_and_spacing() {
        assert_eq!(
            super::marker("@alice@social.example  Sorry about that,\nwe are on it"),
            "Sorry about that, we are on it"
        );
        assert_ne!(
            super::marker("we are on it"),
            super::marker("we are on it!")
        );
    }
}
