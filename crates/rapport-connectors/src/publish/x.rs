//! Replies on X: `POST /2/tweets` with `reply.in_reply_to_tweet_id`, as the account a
//! user-context token belongs to.

use super::http::{self, json_after_read, json_after_write};
use super::limits::RateGate;
use super::{Outgoing, PublishError, Published, Publisher, marker};
use crate::import::{Record, map_x};
use chrono::{DateTime, SecondsFormat, Utc};
use rapport_domain::Network;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::OnceCell;

const NETWORK: &str = "x";

#[derive(Clone)]
pub struct XPublishConfig {
    pub api: String,
    /// An OAuth 2.0 user-context token with `tweet.write` (posting needs a user, not an app).
    pub user_token: String,
    pub request_timeout: Duration,
    /// How long to wait after a 402 (an exhausted pay-per-use balance) before trying again.
    pub payment_wait: Duration,
}

impl XPublishConfig {
    pub fn new(api: impl Into<String>, user_token: impl Into<String>) -> Self {
        XPublishConfig {
            api: api.into().trim_end_matches('/').to_string(),
            user_token: user_token.into(),
            request_timeout: Duration::from_secs(30),
            payment_wait: Duration::from_secs(15 * 60),
        }
    }
}

pub struct XPublisher {
    config: XPublishConfig,
    client: reqwest::Client,
    gate: RateGate,
    me: OnceCell<Me>,
}

#[derive(Deserialize, Clone)]
struct Me {
    id: String,
    username: String,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    text: String,
}

impl XPublisher {
    pub fn new(config: XPublishConfig) -> XPublisher {
        XPublisher {
            client: http::client(config.request_timeout),
            // X's per-endpoint limits come in the headers; the window here only keeps a
            // runaway loop from spending them (X allows 100 posts per 15 minutes per user).
            gate: RateGate::new(100, Duration::from_secs(15 * 60)),
            config,
            me: OnceCell::new(),
        }
    }

    fn gate(&self) -> Result<(), PublishError> {
        self.gate.take(1).map_err(|wait| {
            PublishError::not_sent("waiting for X's rate limit to reset", Some(wait))
        })
    }

    async fn me(&self) -> Result<&Me, PublishError> {
        self.me
            .get_or_try_init(|| async {
                let request = self
                    .client
                    .get(format!("{}/2/users/me", self.config.api))
                    .bearer_auth(&self.config.user_token);
                let response = http::read_ok(NETWORK, request, problem).await?;
                let me: Data<Me> = json_after_read(NETWORK, response).await?;
                Ok(me.data)
            })
            .await
    }

    /// The reply as the `x-v2` importer maps a tweet, authored by the account.
    fn published(
        &self,
        me: &Me,
        id: &str,
        text: &str,
        parent: Option<&str>,
        at: &str,
    ) -> Published {
        let mut tweet = json!({"id": id, "text": text, "author_id": me.id, "created_at": at,
            "edit_history_tweet_ids": [id]});
        if let Some(parent) = parent {
            tweet["referenced_tweets"] = json!([{"type": "replied_to", "id": parent}]);
        }
        let raw =
            json!({"data": tweet, "includes": {"users": [{"id": me.id, "username": me.username}]}});
        let post = match map_x(&raw.to_string()) {
            Record::Post(mut post) => {
                post.author.own_account = true;
                Some(post)
            }
            _ => None,
        };
        Published {
            native_id: id.to_string(),
            url: format!("https://x.com/{}/status/{id}", me.username),
            post,
        }
    }
}

#[async_trait::async_trait]
impl Publisher for XPublisher {
    fn network(&self) -> Network {
        Network::X
    }

    async fn send(&self, reply: &Outgoing) -> Result<Published, PublishError> {
        let me = self.me().await?.clone();
        let mut body = json!({"text": reply.text});
        let parent = reply.parent.as_ref().map(|p| p.native_id.as_str());
        if let Some(parent) = parent {
            body["reply"] = json!({"in_reply_to_tweet_id": parent});
        }
        self.gate()?;
        let response = self
            .client
            .post(format!("{}/2/tweets", self.config.api))
            .bearer_auth(&self.config.user_token)
            .json(&body)
            .send()
            .await
            .map_err(|e| http::request_failed(NETWORK, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.gate
            .observe(&headers, "x-rate-limit-remaining", "x-rate-limit-reset");
        if status == 402 {
            let detail = problem(&response.text().await.unwrap_or_default());
            return Err(PublishError::not_sent(
                format!(
                    "X refused the post for payment (402): the pay-per-use balance is used up; \
                     posting resumes once credits are added ({detail})"
                ),
                Some(self.config.payment_wait),
            ));
        }
        if !(200..300).contains(&status) {
            let detail = problem(&response.text().await.unwrap_or_default());
            return Err(http::status_failed(NETWORK, status, &headers, &detail));
        }
        let (created, _): (Data<Created>, String) = json_after_write(NETWORK, response).await?;
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        Ok(self.published(&me, &created.data.id, &created.data.text, parent, &at))
    }

    async fn find(
        &self,
        reply: &Outgoing,
        since: DateTime<Utc>,
        taken: &[String],
    ) -> Result<Option<Published>, PublishError> {
        let me = self.me().await?.clone();
        let start =
            (since - chrono::Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let url = format!(
            "{}/2/users/{}/tweets?max_results=100&start_time={start}\
             &tweet.fields=created_at,referenced_tweets,conversation_id,author_id",
            self.config.api, me.id
        );
        self.gate()?;
        let response = self
            .client
            .get(url)
            .bearer_auth(&self.config.user_token)
            .send()
            .await
            .map_err(|e| http::read_request_failed(NETWORK, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.gate
            .observe(&headers, "x-rate-limit-remaining", "x-rate-limit-reset");
        if status != 200 {
            let body = response.text().await.unwrap_or_default();
            return Err(http::read_failed(
                NETWORK,
                status,
                &headers,
                &problem(&body),
            ));
        }
        let page: Value = json_after_read(NETWORK, response).await?;
        let parent = reply.parent.as_ref().map(|p| p.native_id.as_str());
        let wanted = marker(&reply.text);
        for tweet in page["data"].as_array().into_iter().flatten() {
            let id = tweet["id"].as_str().unwrap_or_default();
            let text = tweet["text"].as_str().unwrap_or_default();
            let replied_to = tweet["referenced_tweets"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["type"] == "replied_to")
                .and_then(|r| r["id"].as_str());
            if !id.is_empty()
                && replied_to == parent
                && !taken.iter().any(|t| t == id)
                && marker(text) == wanted
            {
                let at = tweet["created_at"].as_str().unwrap_or_default().to_string();
                return Ok(Some(self.published(&me, id, text, parent, &at)));
            }
        }
        Ok(None)
    }
}

/// X's problem documents carry `detail` (and `title`); older errors `errors[0].message`.
fn problem(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    v["detail"]
        .as_str()
        .or_else(|| v["title"].as_str())
        .or_else(|| v["errors"][0]["message"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| body.chars().take(200).collect())
}
