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
