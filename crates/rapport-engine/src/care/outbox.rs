//! The outbox as agents see it: each reply's publishing state, resending a failed one, and
//! the rules a network sets on replies, checked before a reply is queued.

use super::{Care, CareError, ChangeKind, Result};
use chrono::{DateTime, Utc};
use rapport_domain::care::{ReplyId, ReplyStatus};
use rapport_domain::publish::PublishEntry;
use rapport_domain::{CaseId, Network, StoredPost, UserId};

impl Care {
    /// A case's replies with their publishing state, oldest first.
    pub async fn case_outbox(&self, id: CaseId) -> Result<Vec<PublishEntry>> {
        Ok(self.store.publish().case_publish_entries(id).await?)
    }

    /// Outbox entries in id order after `after`, optionally of one state.
    pub async fn outbox_entries(
        &self,
        status: Option<ReplyStatus>,
        after: Option<ReplyId>,
        limit: u32,
    ) -> Result<Vec<PublishEntry>> {
        Ok(self
            .store
            .publish()
            .publish_entries(status, after, limit.clamp(1, 500))
            .await?)
    }

    pub async fn outbox_entry(&self, id: ReplyId) -> Result<Option<PublishEntry>> {
        Ok(self.store.publish().publish_entry(id).await?)
    }

    /// Sends a failed reply again, edited: the length is checked as when it was queued.
    pub async fn resend_reply(
        &self,
        id: ReplyId,
        body: &str,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<PublishEntry> {
        let entry = self
            .outbox_entry(id)
            .await?
            .ok_or_else(|| CareError::invalid("reply", format!("no outbox entry {id}")))?;
        // Counted against the post this entry answers, which the publisher will answer.
        let count = self
            .count_as_posted(entry.entry.network, entry.entry.in_reply_to, body)
            .await?;
        if let (false, Some(limit)) = (count.fits, count.limit) {
            return Err(CareError::TooLong {
                network: entry.entry.network,
                count: count.count,
                limit,
            });
        }
        let entry = self.store.publish().resend(id, body, at).await?;
        tracing::info!(entry = id.0, case_id = ?entry.entry.case_id, publication = ?entry.publication, user = by.0, "reply resent");
        if let Some(case) = entry.entry.case_id {
            self.reply_changed(case, at).await;
        }
        // A publication's part sent again: the publication is publishing again.
        if let Some(publication) = entry.publication {
            self.store
                .publications()
                .settle_publication(publication, at)
                .await?;
        }
        Ok(entry)
    }

    /// Why a reply on this case cannot be sent, said before it is written: X's self-serve API
    /// accepts a reply only to a post that mentions or quotes the replying account (enterprise
    /// access, `rapport channels add x --enterprise`, has no such rule). It applies when the
    /// enabled X channels, which will send the reply, are all self-serve; with no X channel
    /// nothing is sent and nothing is said. `None` when nothing stands in the way.
    pub async fn reply_rule(&self, id: CaseId) -> Result<Option<String>> {
        let record = self.load(id).await?;
        if record.network != Network::X || !self.x_is_self_serve().await? {
            return Ok(None);
        }
        let posts = self.store.cases().case_posts(id).await?;
        let Some(answered) = posts.iter().rev().find(|p| p.from_customer) else {
            return Ok(None);
        };
        let Some(post) = self.store.posts().post(answered.post_id).await? else {
            return Ok(None);
        };
        if self.x_reply_allowed(&post).await? {
            return Ok(None);
        }
        Ok(Some(
            "X's self-serve API accepts a reply only to a post that mentions or quotes the \
             brand's account, and this post does neither: answer by direct message or from an \
             account with enterprise access"
                .into(),
        ))
    }

    /// Whether the enabled X channels are there and all self-serve.
    async fn x_is_self_serve(&self) -> Result<bool> {
        let mut any = false;
        for channel in self.store.channels().list_channels().await? {
            if channel.network != Network::X || !channel.enabled {
                continue;
            }
            any = true;
            if let Ok(crate::channels::ChannelSpec::X { self_serve, .. }) =
                crate::channels::spec_of(&channel)
                && !self_serve
            {
                return Ok(false);
            }
        }
        Ok(any)
    }

    /// The post mentions an own X account (a reply to one carries its mention), or quotes a
    /// post by one.
    pub(crate) async fn x_reply_allowed(&self, post: &StoredPost) -> Result<bool> {
        let own: Vec<String> = self
            .store
            .contacts()
            .own_accounts()
            .await?
            .into_iter()
            .filter(|i| i.network == Network::X)
            .map(|i| i.handle.to_lowercase())
            .collect();
        let mentions = post
            .post
            .mentions
            .iter()
            .any(|m| own.contains(&m.trim_start_matches('@').to_lowercase()));
        let replies_to_own = post
            .post
            .reply_to_handle
            .as_deref()
            .is_some_and(|h| own.contains(&h.trim_start_matches('@').to_lowercase()));
        if mentions || replies_to_own {
            return Ok(true);
        }
        for quoted in quoted_ids(&post.post.raw) {
            let key = rapport_domain::PostKey {
                network: Network::X,
                native_id: quoted,
            };
            if let Some(q) = self.store.posts().post_by_key(&key).await?
                && q.from_own_account
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Tells whoever watches the case that one of its replies changed state.
    pub(crate) async fn reply_changed(&self, id: CaseId, at: DateTime<Utc>) {
        if let Ok(record) = self.load(id).await {
            self.announce(&record, ChangeKind::ReplyUpdated, at);
        }
    }
}

/// The ids of the posts an X v2 tweet quotes (`referenced_tweets` of type `quoted`), from its
/// raw record (a tweet or an envelope holding one in `data`).
fn quoted_ids(raw: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
    let tweet = if v.get("data").is_some() {
        &v["data"]
    } else {
        &v
    };
    tweet["referenced_tweets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "quoted")
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_posts_are_read_from_tweets_and_envelopes() {
        let tweet = r#"{"id":"2","referenced_tweets":[{"type":"quoted","id":"1"},{"type":"replied_to","id":"9"}]}"#;
        assert_eq!(super::quoted_ids(tweet), ["1"]);
        assert_eq!(super::quoted_ids(&format!(r#"{{"data":{tweet}}}"#)), ["1"]);
        assert!(super::quoted_ids("not json").is_empty());
    }
}
