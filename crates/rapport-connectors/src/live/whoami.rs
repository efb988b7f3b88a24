//! Who a credential belongs to: a channel's own account is learned when it is added.

use super::SourceError;
use std::time::Duration;

/// The Mastodon account an access token belongs to (`GET /api/v1/accounts/verify_credentials`),
/// as the importer writes handles (`name@host`), so its mentions are recognised.
pub async fn mastodon_account(instance: &str, access_token: &str) -> Result<String, SourceError> {
    #[derive(serde::Deserialize)]
    struct Account {
        acct: String,
        url: Option<String>,
    }
    let url = format!(
        "{}/api/v1/accounts/verify_credentials",
        instance.trim_end_matches('/')
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| SourceError::Config(format!("http client: {e}")))?;
    let response = client
        .get(url)
        .bearer_auth(access_token)
        .send()
        .await
        .map_err(|e| SourceError::connection("mastodon", e))?;
    let account: Account = super::mastodon_task::checked(response)
        .await?
        .json()
        .await
        .map_err(|e| SourceError::connection("mastodon", e))?;
    Ok(crate::import::mastodon_handle(
        &account.acct,
        account.url.as_deref(),
    ))
}

/// The Bluesky account an app password opens (`com.atproto.server.createSession` on its PDS):
/// `(did, handle)`. Asking also checks the password; the session it opens is not kept.
pub async fn bluesky_account(
    pds: &str,
    identifier: &str,
    app_password: &str,
) -> Result<(String, String), SourceError> {
    #[derive(serde::Deserialize)]
    struct Session {
        did: String,
        handle: String,
    }
    let url = format!(
        "{}/xrpc/com.atproto.server.createSession",
        pds.trim_end_matches('/')
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| SourceError::Config(format!("http client: {e}")))?;
    let response = client
        .post(url)
        .json(&serde_json::json!({"identifier": identifier, "password": app_password}))
        .send()
        .await
        .map_err(|e| SourceError::connection("bluesky", e.without_url()))?;
    let status = response.status().as_u16();
    if !response.status().is_success() {
        // XRPC errors are {"error": "AuthenticationRequired", "message": "..."}.
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let detail = body["message"]
            .as_str()
            .or(body["error"].as_str())
            .unwrap_or("no detail")
            .to_string();
        let status = if status == 400 && body["error"] == "AuthenticationRequired" {
            401
        } else {
            status
        };
        return Err(SourceError::http("bluesky", status, detail, None));
    }
    let session: Session = response
        .json()
        .await
        .map_err(|e| SourceError::connection("bluesky", e.without_url()))?;
    Ok((session.did, session.handle.to_lowercase()))
}
