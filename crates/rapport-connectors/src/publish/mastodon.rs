//! Replies on Mastodon: `POST /api/v1/statuses` with an `Idempotency-Key`.

use super::http::{self, json_after_read, json_after_write};
use super::limits::RateGate;
use super::{Outgoing, Parent, PublishError, Published, Publisher, marker};
use crate::import::{Record, html, map_mastodon};
use chrono::{DateTime, Utc};
use rapport_domain::{Network, compose};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;
use tokio::sync::OnceCell;

const NETWORK: &str = "mastodon";

/// Where and as whom to post.
#[derive(Clone)]
pub struct MastodonPublishConfig {
    pub instance: String,
    pub access_token: String,
    pub request_timeout: Duration,
    /// Mastodon allows 300 requests per 5 minutes per account.
    pub per_five_minutes: u32,
    /// How many of the account's latest statuses reconciliation reads (at most 40 a page).
    pub reconcile_depth: u32,
}

impl MastodonPublishConfig {
    pub fn new(instance: impl Into<String>, access_token: impl Into<String>) -> Self {
        MastodonPublishConfig {
            instance: instance.into().trim_end_matches('/').to_string(),
            access_token: access_token.into(),
            request_timeout: Duration::from_secs(30),
            per_five_minutes: 300,
            reconcile_depth: 40,
        }
    }
}

pub struct MastodonPublisher {
    config: MastodonPublishConfig,
    client: reqwest::Client,
    gate: RateGate,
    /// The token's account id, read once.
    account_id: OnceCell<String>,
}

#[derive(Deserialize)]
struct Status {
    id: String,
    url: Option<String>,
    uri: Option<String>,
    created_at: String,
    in_reply_to_id: Option<String>,
    #[serde(default)]
    content: String,
}

#[derive(Deserialize)]
struct Account {
    id: String,
}

/// What a stored Mastodon status says about answering it.
#[derive(Deserialize, Default)]
struct ParentStatus {
    visibility: Option<String>,
    account: Option<ParentAccount>,
}

#[derive(Deserialize)]
struct ParentAccount {
    acct: String,
}

impl MastodonPublisher {
    pub fn new(config: MastodonPublishConfig) -> MastodonPublisher {
        MastodonPublisher {
            client: http::client(config.request_timeout),
            gate: RateGate::new(config.per_five_minutes, Duration::from_secs(300)),
            config,
            account_id: OnceCell::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.instance)
    }

    fn spend(&self) -> Result<(), PublishError> {
        self.gate.take(1).map_err(|wait| {
            PublishError::not_sent(
                format!(
                    "waiting for Mastodon's rate limit ({} requests per 5 minutes) to reset",
                    self.config.per_five_minutes
                ),
                Some(wait),
            )
        })
    }

    async fn account_id(&self) -> Result<&String, PublishError> {
        self.account_id
            .get_or_try_init(|| async {
                self.spend()?;
                let request = self
                    .client
                    .get(self.url("/api/v1/accounts/verify_credentials"))
                    .bearer_auth(&self.config.access_token);
                let response = http::read_ok(NETWORK, request, str::to_string).await?;
                let account: Account = json_after_read(NETWORK, response).await?;
                Ok(account.id)
            })
            .await
    }

    /// The text as posted: the customer's `@acct` in front unless the reply names them.
    fn text(reply: &Outgoing, parent: Option<&ParentStatus>) -> String {
        let acct = parent
            .and_then(|p| p.account.as_ref())
            .map(|a| a.acct.as_str());
        compose::as_posted(Network::Mastodon, &reply.text, acct).into_owned()
    }

    fn published(&self, status: Status, raw: &str) -> Published {
        let post = match map_mastodon(raw) {
            Record::Post(mut post) => {
                post.author.own_account = true;
                Some(post)
            }
            _ => None,
        };
        Published {
            url: status
                .url
                .or(status.uri)
                .unwrap_or_else(|| format!("{}/statuses/{}", self.config.instance, status.id)),
            native_id: status.id,
            post,
        }
    }
}

fn parent_status(parent: Option<&Parent>) -> Option<ParentStatus> {
    parent.map(|p| serde_json::from_str(&p.raw).unwrap_or_default())
}

#[async_trait::async_trait]
impl Publisher for MastodonPublisher {
    fn network(&self) -> Network {
        Network::Mastodon
    }

    async fn send(&self, reply: &Outgoing) -> Result<Published, PublishError> {
        let parent = parent_status(reply.parent.as_ref());
        let mut body = json!({ "status": Self::text(reply, parent.as_ref()) });
        if let Some(p) = &reply.parent {
            body["in_reply_to_id"] = json!(p.native_id);
        }
        if let Some(v) = parent.as_ref().and_then(|p| p.visibility.as_deref()) {
            body["visibility"] = json!(v);
        }
        self.spend()?;
        let response = self
            .client
            .post(self.url("/api/v1/statuses"))
            .bearer_auth(&self.config.access_token)
            .header("Idempotency-Key", &reply.key)
            .json(&body)
            .send()
            .await
            .map_err(|e| http::request_failed(NETWORK, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.gate
            .observe(&headers, "x-ratelimit-remaining", "x-ratelimit-reset");
        if !(200..300).contains(&status) {
            let detail = response.text().await.unwrap_or_default();
            return Err(http::status_failed(
                NETWORK,
                status,
                &headers,
                &error_text(&detail),
            ));
        }
        let (posted, raw): (Status, String) = json_after_write(NETWORK, response).await?;
        Ok(self.published(posted, &raw))
    }

    async fn find(
        &self,
        reply: &Outgoing,
        since: DateTime<Utc>,
        taken: &[String],
    ) -> Result<Option<Published>, PublishError> {
        let account = self.account_id().await?.clone();
        let parent = parent_status(reply.parent.as_ref());
        let wanted = marker(&Self::text(reply, parent.as_ref()));
        let in_reply_to = reply.parent.as_ref().map(|p| p.native_id.as_str());
        // Clocks differ: what the account posted a little before the first attempt counts.
        let since = since - chrono::Duration::minutes(5);
        self.spend()?;
        let limit = self.config.reconcile_depth.clamp(1, 40);
        let url = self.url(&format!(
            "/api/v1/accounts/{account}/statuses?limit={limit}&exclude_reblogs=true"
        ));
        let request = self.client.get(url).bearer_auth(&self.config.access_token);
        let response = http::read_ok(NETWORK, request, error_text).await?;
        let statuses: Vec<serde_json::Value> = json_after_read(NETWORK, response).await?;
        for value in statuses {
            let Ok(s) = serde_json::from_value::<Status>(value.clone()) else {
                continue;
            };
            let recent = DateTime::parse_from_rfc3339(&s.created_at)
                .is_ok_and(|t| t.with_timezone(&Utc) >= since);
            let (text, _) = html::to_text(&s.content);
            if recent
                && s.in_reply_to_id.as_deref() == in_reply_to
                && !taken.contains(&s.id)
                && marker(&text) == wanted
            {
                return Ok(Some(self.published(s, &value.to_string())));
            }
        }
        Ok(None)
    }
}

/// Mastodon's error body is `{"error": "..."}`.
fn error_text(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_else(|| body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customer_is_named_once() {
        assert!(compose::names("@Alice thanks", "alice"));
        assert!(compose::names(
            "thanks @alice@social.example!",
            "alice@social.example"
        ));
        assert!(!compose::names("thanks alice", "alice"));
        let parent = ParentStatus {
            visibility: None,
            account: Some(ParentAccount {
                acct: "alice".into(),
            }),
        };
        let reply = Outgoing {
            key: "k".into(),
            text: "We are on it".into(),
            parent: None,
        };
        assert_eq!(
            MastodonPublisher::text(&reply, Some(&parent)),
            "@alice We are on it"
        );
    }
}
