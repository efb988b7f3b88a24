//! `mastodon_mock`'s own account endpoint, for the publishing benchmark: a real Mastodon
//! server has no such thing (accounts sign up through the web).

use super::PublishError;
use super::http::{self, json_after_read};
use serde::Deserialize;
use std::time::Duration;

/// Creates a local account on a running `mastodon_mock` (`POST /api/v1/_mock/dev_user`) and
/// returns its id and access token.
pub async fn mastodon_mock_user(
    instance: &str,
    username: &str,
) -> Result<(String, String), PublishError> {
    #[derive(Deserialize)]
    struct DevUser {
        id: String,
        access_token: String,
    }
    let url = format!("{}/api/v1/_mock/dev_user", instance.trim_end_matches('/'));
    let request = http::client(Duration::from_secs(30))
        .post(url)
        .json(&serde_json::json!({"username": username}));
    let response = http::read_ok("mastodon_mock", request, str::to_string).await?;
    let user: DevUser = json_after_read("mastodon_mock", response).await?;
    Ok((user.id, user.access_token))
}

/// How many statuses an account holds (`GET /api/v1/accounts/:id/statuses`, every page), for
/// checking a benchmark's run on the server.
pub async fn count_statuses(
    instance: &str,
    token: &str,
    account: &str,
) -> Result<usize, PublishError> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let client = http::client(Duration::from_secs(30));
    let (mut count, mut max_id) = (0, None::<String>);
    loop {
        let mut url = format!(
            "{}/api/v1/accounts/{account}/statuses?limit=40",
            instance.trim_end_matches('/')
        );
        if let Some(m) = &max_id {
            url.push_str(&format!("&max_id={m}"));
        }
        let response = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| http::read_request_failed("mastodon", e))?;
        let page: Vec<Id> = json_after_read("mastodon", response).await?;
        if page.is_empty() {
            return Ok(count);
        }
        count += page.len();
        max_id = page.last().map(|s| s.id.clone());
    }
}
